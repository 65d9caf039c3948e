package org.pmxcfs.status;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class VersionCountersTest {

    @Test
    void trackedPathsAreTheSampleOrder() {
        String text = new String(StatusFilesTest.sample("local-fresh/version.txt"), StandardCharsets.UTF_8);
        List<String> fromSample = new ArrayList<>();
        Matcher m = Pattern.compile("^\"([^\"]+)\": \\d+,$", Pattern.MULTILINE).matcher(text);
        while (m.find()) {
            fromSample.add(m.group(1));
        }
        // starttime, clinfo, vmlist come first and are not path counters
        assertEquals(List.of("starttime", "clinfo", "vmlist"), fromSample.subList(0, 3));
        assertEquals(fromSample.subList(3, fromSample.size()), VersionCounters.TRACKED_PATHS);
        assertEquals(43, VersionCounters.TRACKED_PATHS.size());
    }

    @Test
    void startAtZeroAndReloadBumpsAll() {
        VersionCounters c = new VersionCounters();
        long[] zeros = new long[43];
        assertArrayEquals(zeros, c.snapshot());
        assertEquals(0, c.clinfo());
        c.reloaded();
        long[] ones = new long[43];
        Arrays.fill(ones, 1);
        assertArrayEquals(ones, c.snapshot());
        c.reloaded();
        assertEquals(2, c.version("mapping/usb.cfg"));
        assertEquals(0, c.clinfo(), "a reload does not touch clinfo");
    }

    @Test
    void changedBumpsOnlyTheExactTrackedPath() {
        VersionCounters c = new VersionCounters();
        c.changed("datacenter.cfg");
        c.changed("/datacenter.cfg"); // tolerate an absolute path
        c.changed("datacenter.cfg.tmp.42");
        c.changed("nodes/pve1/datacenter.cfg");
        c.changed("priv");
        c.changed("priv/tfa.cfg");
        c.changed("ha");
        c.changed("ha/resources.cfg");
        c.changed("sdn/.running-config");
        c.changed("");
        assertEquals(2, c.version("datacenter.cfg"));
        assertEquals(1, c.version("priv/tfa.cfg"));
        assertEquals(1, c.version("ha/resources.cfg"));
        assertEquals(1, c.version("sdn/.running-config"));
        long total = Arrays.stream(c.snapshot()).sum();
        assertEquals(5, total);
        assertThrows(IllegalArgumentException.class, () -> c.version("nodes"));
    }

    @Test
    void clinfoCounter() {
        VersionCounters c = new VersionCounters();
        c.bumpClinfo();
        c.bumpClinfo();
        assertEquals(2, c.clinfo());
        assertEquals(0, c.version("corosync.conf"));
    }

    @Test
    void concurrentBumpsAreNotLost() throws InterruptedException {
        VersionCounters c = new VersionCounters();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 10_000; i++) {
                    c.changed("user.cfg");
                    c.bumpClinfo();
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(40_000, c.version("user.cfg"));
        assertEquals(40_000, c.clinfo());
    }
}
