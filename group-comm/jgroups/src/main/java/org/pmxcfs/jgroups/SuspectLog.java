package org.pmxcfs.jgroups;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;
import org.pmxcfs.dfsm.MemberId;

/**
 * Remembers which members the failure detection suspected (a crash, a cut cable), so that a
 * member missing from the next view can be told as failed rather than left: a member that leaves
 * on purpose is never suspected. Sits just above the confirmation of suspicions and passes every
 * event on unchanged.
 */
final class SuspectLog extends Protocol {

    private final Function<Address, MemberId> members;
    private final Set<MemberId> suspected = ConcurrentHashMap.newKeySet();

    SuspectLog(Function<Address, MemberId> members) {
        this.members = members;
    }

    @Override
    public Object up(Event evt) {
        if (evt.getType() == Event.SUSPECT && evt.getArg() instanceof Collection<?> addresses) {
            for (Object a : addresses) {
                MemberId m = a instanceof Address addr ? members.apply(addr) : null;
                if (m != null) {
                    suspected.add(m);
                }
            }
        }
        return up_prot.up(evt);
    }

    /** Whether {@code m} was suspected since the last call for it (the answer clears it). */
    boolean takeSuspected(MemberId m) {
        return suspected.remove(m);
    }
}
