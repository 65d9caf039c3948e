package org.pmxcfs.jgroups;

import org.jgroups.Event;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.SEQUENCER;

/**
 * {@link SEQUENCER} that switches to the new view's coordinator before the view travels up.
 *
 * <p>SEQUENCER passes a new view up first and only then turns to the new coordinator. In between,
 * the layers above already stamp messages with the new view, and SEQUENCER still hands them to
 * the old coordinator, which may order them in its own stream of the old view. After a merge
 * whose coordinator is a member of the other half, such a message reached only the old
 * coordinator's half: the others of the new view never saw it (a STATE of the sync round, so the
 * merged member failed the round with "unexpected state message UPDATE while waiting for states"
 * and left the group). Switching first makes every send after the view wait for SEQUENCER's
 * flush and then go to the new coordinator, so each message of a view is ordered by that view's
 * coordinator only.
 */
public final class ViewFirstSequencer extends SEQUENCER {

    public ViewFirstSequencer() {
        // headers are looked up by protocol id: the subclass speaks as SEQUENCER
        setId(ClassConfigurator.getProtocolId(SEQUENCER.class));
    }

    @Override
    public Object up(Event evt) {
        if (evt.getType() == Event.VIEW_CHANGE) {
            handleViewChange((View) evt.getArg());
            return up_prot.up(evt);
        }
        return super.up(evt);
    }
}
