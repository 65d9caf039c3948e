package org.pmxcfs.corosync;

/**
 * A corosync.conf that cannot be read, or an edit that would make it invalid. The message names
 * the line ({@code "line 12: missing closing brace for section 'totem' ..."}) whenever the problem
 * has one, so an admin can go straight to it.
 */
public final class CorosyncConfException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final String problem;

    /**
     * @param line    1-based line the problem is on, or 0 when it is not tied to a line
     * @param problem what is wrong, without the line prefix
     */
    public CorosyncConfException(int line, String problem) {
        super(line > 0 ? "line " + line + ": " + problem : problem);
        this.line = line;
        this.problem = problem;
    }

    /** A problem of the whole file (no line, e.g. a missing section). */
    public CorosyncConfException(String problem) {
        this(0, problem);
    }

    /** 1-based line of the problem, 0 if none. */
    public int line() {
        return line;
    }

    /** The problem without the {@code "line N: "} prefix. */
    public String problem() {
        return problem;
    }
}
