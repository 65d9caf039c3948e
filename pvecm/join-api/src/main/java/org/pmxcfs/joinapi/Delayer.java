package org.pmxcfs.joinapi;

/** Runs a task later without holding a thread meanwhile; tests run it at once and note the delay. */
@FunctionalInterface
public interface Delayer {
    void after(long millis, Runnable task);
}
