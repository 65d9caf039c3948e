/**
 * Deterministic simulation support: a virtual clock ({@link org.pmxcfs.dfsm.sim.SimClock}) and an
 * in-process group network ({@link org.pmxcfs.dfsm.sim.SimNetwork}) that implements
 * {@link org.pmxcfs.dfsm.Transport} for many nodes on one thread, driven by one seed. In main
 * scope so the dcdb and integration tests can run real callbacks on it.
 */
package org.pmxcfs.dfsm.sim;
