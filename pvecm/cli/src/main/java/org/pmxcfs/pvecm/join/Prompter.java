package org.pmxcfs.pvecm.join;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Questions to the user: a password without echo on a terminal ({@link System#console()}), or a
 * line from standard input when there is no terminal (scripts pipe the password in).
 */
public interface Prompter {

    /** Shows {@code prompt} and reads a password; null at end of input. */
    char[] password(String prompt) throws IOException;

    /** Shows {@code prompt} and reads a line; null at end of input. */
    String line(String prompt) throws IOException;

    /** The process's terminal, or its standard input; prompts go to {@code out}. */
    static Prompter system(PrintStream out) {
        return new Prompter() {
            private BufferedReader stdin;

            @Override
            public char[] password(String prompt) throws IOException {
                Console c = System.console();
                if (c != null) {
                    out.flush();
                    return c.readPassword("%s", prompt);
                }
                String l = line(prompt);
                return l == null ? null : l.toCharArray();
            }

            @Override
            public String line(String prompt) throws IOException {
                out.print(prompt);
                out.flush();
                Console c = System.console();
                if (c != null) {
                    return c.readLine();
                }
                if (stdin == null) {
                    stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                }
                return stdin.readLine();
            }
        };
    }
}
