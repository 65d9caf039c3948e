package org.pmxcfs.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short command run to its end: stdin from /dev/null, output and error together, bounded in time. */
final class Command {

    /** The output and exit code of one command. */
    record Result(int code, String out) {}

    private Command() {}

    static Result run(List<String> cmd, long timeoutMs) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        StringBuilder out = new StringBuilder();
        Thread pump = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the command is gone
            }
        });
        pump.start();
        if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish within " + timeoutMs / 1000 + " s");
        }
        pump.join(5000);
        return new Result(p.exitValue(), out.toString());
    }
}
