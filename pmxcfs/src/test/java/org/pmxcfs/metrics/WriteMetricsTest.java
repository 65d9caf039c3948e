package org.pmxcfs.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pmxcfs.dbstore.Errno;

class WriteMetricsTest {

    @Test
    void resultsAndACumulativeHistogramInTheTextFormat() {
        WriteMetrics m = new WriteMetrics();
        m.record(null, 200_000);          // 0.2 ms
        m.record(null, 3_000_000);        // 3 ms
        m.record(Errno.ENOSPC, 3_000_000);
        m.record(Errno.ETIMEDOUT, 31_000_000_000L); // beyond the last bucket
        PromText out = new PromText();
        m.render(out);
        String t = out.toString();
        assertTrue(t.contains("# TYPE pmxcfs_writes_total counter\n"), t);
        assertTrue(t.contains("pmxcfs_writes_total{result=\"ENOSPC\"} 1\n"), t);
        assertTrue(t.contains("pmxcfs_writes_total{result=\"ETIMEDOUT\"} 1\n"), t);
        assertTrue(t.contains("pmxcfs_writes_total{result=\"ok\"} 2\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_bucket{le=\"0.0005\"} 1\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_bucket{le=\"0.0025\"} 1\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_bucket{le=\"0.005\"} 3\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_bucket{le=\"30\"} 3\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_bucket{le=\"+Inf\"} 4\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_count 4\n"), t);
        assertTrue(t.contains("pmxcfs_write_duration_seconds_sum 31.0062\n"), t);
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\"b\\\\c\\nd", PromText.escape("a\"b\\c\nd"));
        assertEquals("x{node=\"a\\\"b\"} 1\n", new PromText().sample("x", 1, "node", "a\"b").toString());
    }
}
