package org.pmxcfs.joinapi;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * How many join API connections may be open at once, per source address and in total. A source
 * over its bound has its new connections closed at once; the bound per source is well above what
 * one honest client uses (one connection per request), so a host that holds many connections open
 * cannot take every slot of the others, and a legitimate client on the same address still gets in
 * as long as the other connections of that address stay below the bound.
 */
final class ConnectionLimits {

    private final int perSource;
    private final int total;
    private final Map<InetAddress, Integer> open = new HashMap<>();
    private int all;

    ConnectionLimits(int perSource, int total) {
        this.perSource = perSource;
        this.total = total;
    }

    /** Takes a slot for a new connection from {@code source}; false if it must be refused. */
    synchronized boolean tryAcquire(InetAddress source) {
        int mine = open.getOrDefault(source, 0);
        if (mine >= perSource || all >= total) {
            return false;
        }
        open.put(source, mine + 1);
        all++;
        return true;
    }

    /** Gives back the slot of a closed connection. */
    synchronized void release(InetAddress source) {
        int mine = open.getOrDefault(source, 0);
        if (mine <= 1) {
            open.remove(source);
        } else {
            open.put(source, mine - 1);
        }
        all--;
    }

    /** Open connections from {@code source}. */
    synchronized int open(InetAddress source) {
        return open.getOrDefault(source, 0);
    }

    int perSource() {
        return perSource;
    }

    int total() {
        return total;
    }
}
