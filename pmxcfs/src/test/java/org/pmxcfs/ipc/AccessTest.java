package org.pmxcfs.ipc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipalLookupService;
import org.junit.jupiter.api.Test;

class AccessTest {

    private static final int WWW = 33;

    @Test
    void rootWithGroupRootMayWrite() {
        assertEquals(Access.READ_WRITE, Access.decide(0, 0, WWW));
    }

    @Test
    void groupWwwDataMayOnlyRead() {
        assertEquals(Access.READ_ONLY, Access.decide(33, WWW, WWW));
        assertEquals(Access.READ_ONLY, Access.decide(1000, WWW, WWW), "any uid with primary group www-data");
        assertEquals(Access.READ_ONLY, Access.decide(0, WWW, WWW), "root with primary group www-data");
    }

    @Test
    void everyoneElseIsRejected() {
        assertEquals(Access.REJECTED, Access.decide(0, 1000, WWW), "root needs gid 0 for read-write");
        assertEquals(Access.REJECTED, Access.decide(1000, 0, WWW), "gid 0 alone is not enough");
        assertEquals(Access.REJECTED, Access.decide(1000, 1000, WWW));
        assertEquals(Access.REJECTED, Access.decide(33, 1000, WWW), "user www-data with another group");
        assertEquals(Access.REJECTED, Access.decide(-1, -1, WWW), "unknown credentials");
        assertEquals(Access.REJECTED, Access.decide(-1, WWW, WWW));
        assertEquals(Access.REJECTED, Access.decide(0, -1, -1), "no www-data group and unknown gid");
    }

    @Test
    void otherWwwDataGid() {
        assertEquals(Access.READ_ONLY, Access.decide(500, 500, 500));
        assertEquals(Access.REJECTED, Access.decide(500, 33, 500));
    }

    @Test
    void peerCarriesTheDecision() {
        assertEquals(Access.READ_WRITE, Peer.of(0, 0, WWW).access());
        assertEquals(Access.READ_ONLY, Peer.of(33, 33, WWW).access());
        assertEquals(Access.REJECTED, Peer.of(12345, 54321, WWW).access());
    }

    @Test
    void numericIdsOfPrincipals() throws Exception {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        assertEquals(0, IpcServer.numericId(lookup.lookupPrincipalByName("root"), lookup, false));
        assertEquals(0, IpcServer.numericId(lookup.lookupPrincipalByGroupName("root"), lookup, true));
        assertEquals(Fixture.wwwDataGid(), IpcServer.numericId(lookup.lookupPrincipalByGroupName("www-data"), lookup, true));
        // ids without a name come back as numbers
        assertEquals(54321, IpcServer.numericId(lookup.lookupPrincipalByGroupName("54321"), lookup, true));
        assertEquals(12345, IpcServer.numericId(lookup.lookupPrincipalByName("12345"), lookup, false));
        // a principal that is not the JDK's: its id cannot be confirmed
        assertEquals(-1, IpcServer.numericId(() -> "root", lookup, false));
        assertEquals(-1, IpcServer.numericId(() -> "99999999999", lookup, false));
    }
}
