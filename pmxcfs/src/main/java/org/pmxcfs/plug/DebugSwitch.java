package org.pmxcfs.plug;

/** The runtime debug-logging switch behind {@code .debug}. */
public interface DebugSwitch {
    boolean enabled();

    void set(boolean on);
}
