/**
 * The distributed finite state machine of pmxcfs (the original's {@code dfsm.c}), independent of
 * any group-communication library: {@link org.pmxcfs.dfsm.Dfsm} runs the sync protocol and the
 * write path on a {@link org.pmxcfs.dfsm.Transport} and drives an application through
 * {@link org.pmxcfs.dfsm.DfsmCallbacks}. Messages are {@link org.pmxcfs.dfsm.DfsmMessage}
 * records, encoded by {@link org.pmxcfs.dfsm.DfsmCodec} in the original's byte layout. The
 * simulated network for deterministic tests is in {@code org.pmxcfs.dfsm.sim}.
 */
package org.pmxcfs.dfsm;
