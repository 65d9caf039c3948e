package org.pmxcfs.pvecm;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;

/** One pvecm invocation with captured output. */
record Run(int rc, String out, String err) {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2021-09-14T11:06:47Z"), ZoneId.of("UTC"));

    static Run of(String... args) {
        return as(0, args);
    }

    static Run as(int euid, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            rc = new Pvecm(o, e, CLOCK, () -> euid).execute(args);
        }
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
