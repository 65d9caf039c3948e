package org.pmxcfs.daemon;

import picocli.CommandLine;

/** Entry point of {@code pmxcfs}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        FailStop.install();
        Options o = new Options();
        CommandLine cl = new CommandLine(o);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            System.err.println(e.getMessage());
            cl.usage(System.err);
            System.exit(255);
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(System.out);
            return;
        }
        if (cl.isVersionHelpRequested()) {
            System.out.println("pmxcfs-java");
            return;
        }
        if (!o.foreground) {
            System.exit(Daemonizer.spawn(o, args));
        }
        int rc = Pmxcfs.run(o, System.getenv(Daemonizer.CHILD_ENV) != null);
        if (rc != 0) {
            System.exit(rc);
        }
    }
}
