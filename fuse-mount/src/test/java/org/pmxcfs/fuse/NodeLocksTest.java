package org.pmxcfs.fuse;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NodeLocksTest {

    private final NodeLocks locks = new NodeLocks();

    @Test
    void aRenameWaitsForTheReadOfANodeItReplacesAndReadsOfOtherNodesGoOn() throws Exception {
        CountDownLatch renamed = new CountDownLatch(1);
        Thread rename;
        try (NodeLocks.Held read = locks.shared(7)) {
            rename = new Thread(() -> {
                try (NodeLocks.Held held = locks.exclusive(1, 1, 7, 0)) {
                    renamed.countDown();
                }
            });
            rename.start();
            assertFalse(renamed.await(200, TimeUnit.MILLISECONDS), "the rename waits for the read of node 7");
            try (NodeLocks.Held other = locks.shared(8)) {
                assertTrue(true, "node 8 is not held");
            }
        }
        assertTrue(renamed.await(5, TimeUnit.SECONDS), "and goes on once the read is done");
        rename.join(5000);
    }

    @Test
    void twoRenamesNamingTheSameNodesInOtherOrdersDoNotDeadlock() throws Exception {
        Thread a = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                try (NodeLocks.Held h = locks.exclusive(3, 5, 70)) {
                    Thread.onSpinWait();
                }
            }
        });
        Thread b = new Thread(() -> {
            for (int i = 0; i < 20_000; i++) {
                try (NodeLocks.Held h = locks.exclusive(70, 5, 3)) {
                    Thread.onSpinWait();
                }
            }
        });
        a.start();
        b.start();
        a.join(20_000);
        b.join(20_000);
        assertFalse(a.isAlive() || b.isAlive(), "deadlocked");
    }
}
