package org.pmxcfs.dbstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pmxcfs.dbstore.TestSupport.create;
import static org.pmxcfs.dbstore.TestSupport.delete;
import static org.pmxcfs.dbstore.TestSupport.dump;
import static org.pmxcfs.dbstore.TestSupport.fails;
import static org.pmxcfs.dbstore.TestSupport.mkdir;
import static org.pmxcfs.dbstore.TestSupport.mkdirs;
import static org.pmxcfs.dbstore.TestSupport.ok;
import static org.pmxcfs.dbstore.TestSupport.put;
import static org.pmxcfs.dbstore.TestSupport.ramDb;
import static org.pmxcfs.dbstore.TestSupport.rename;
import static org.pmxcfs.dbstore.TestSupport.sqliteDb;
import static org.pmxcfs.dbstore.TestSupport.text;
import static org.pmxcfs.dbstore.TestSupport.truncate;
import static org.pmxcfs.dbstore.TestSupport.write;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pmxcfs.dbstore.VmList.VmInfo;

/** Reference 3.6: VMID uniqueness enforced on create, write and rename; the .vmlist versions. */
class VmidTest {

    private static final String A_QEMU = "nodes/nodea/qemu-server";
    private static final String A_LXC = "nodes/nodea/lxc";
    private static final String B_QEMU = "nodes/nodeb/qemu-server";
    private static final String B_LXC = "nodes/nodeb/lxc";

    @TempDir
    Path tmp;

    private MemDb db;

    @BeforeEach
    void setUp() {
        db = ramDb();
        for (String d : List.of(A_QEMU, A_LXC, B_QEMU, B_LXC, "nodes/nodea/openvz")) {
            mkdirs(db, d);
        }
    }

    private VmInfo vm(long vmid) {
        return db.vmList().vms().get(vmid);
    }

    @Test
    void sampleLocalAfterTwoGuests() {
        // samples/local-after-2-guests/vmlist.txt: create+write 100.conf, then 200.conf
        MemDb local = ramDb();
        mkdirs(local, "nodes/pmxa-local/qemu-server");
        mkdirs(local, "nodes/pmxa-local/lxc");
        mkdirs(local, "nodes/other/qemu-server");
        assertEquals(0, local.vmList().version());
        put(local, "nodes/pmxa-local/qemu-server/100.conf", "x".repeat(52));
        put(local, "nodes/pmxa-local/lxc/200.conf", "y".repeat(40));
        fails(Errno.EEXIST, create(local, "nodes/other/qemu-server/100.conf"));
        VmList list = local.vmList();
        assertEquals(4, list.version());
        assertEquals(new VmInfo(100, "pmxa-local", "qemu", 2), list.vms().get(100L));
        assertEquals(new VmInfo(200, "pmxa-local", "lxc", 4), list.vms().get(200L));
        assertEquals(2, list.vms().size());
        assertTrue(local.lookup("nodes/other/qemu-server/100.conf").isEmpty());
    }

    @Test
    void createRegistersAndEveryWriteReRegisters() {
        ok(create(db, A_QEMU + "/100.conf"));
        assertEquals(new VmInfo(100, "nodea", "qemu", 1), vm(100));
        assertEquals(1, db.vmList().version());
        ok(1, write(db, A_QEMU + "/100.conf", 0, "a"));
        assertEquals(2, vm(100).version());
        ok(truncate(db, A_QEMU + "/100.conf", 0));
        assertEquals(3, vm(100).version());
        assertEquals(3, db.vmList().version());
    }

    @Test
    void createOnAnotherNodeOrTypeIsEexist() {
        put(db, A_QEMU + "/100.conf", "cfg");
        VmList before = db.vmList();
        fails(Errno.EEXIST, create(db, B_QEMU + "/100.conf"));
        fails(Errno.EEXIST, create(db, A_LXC + "/100.conf"));
        fails(Errno.EEXIST, create(db, "nodes/nodea/openvz/100.conf"));
        assertEquals(before, db.vmList());
        assertTrue(db.lookup(B_QEMU + "/100.conf").isEmpty());
        assertTrue(db.lookup(A_LXC + "/100.conf").isEmpty());
        // other VMIDs and non-guest names in the same directories are fine
        ok(create(db, B_QEMU + "/101.conf"));
        ok(create(db, B_QEMU + "/100.conf.tmp.4711"));
    }

    @Test
    void writeToAConflictingGuestPathIsEexistBeforeEnoent() {
        // the reference checks the VMID before it looks the file up
        put(db, A_QEMU + "/100.conf", "cfg");
        fails(Errno.EEXIST, write(db, B_QEMU + "/100.conf", 0, "x"));
        fails(Errno.EEXIST, truncate(db, B_LXC + "/100.conf", 0));
    }

    @Test
    void createOnAConflictingGuestPathThatIsADirectoryIsEexist() {
        put(db, A_QEMU + "/100.conf", "cfg");
        ok(mkdir(db, B_QEMU + "/100.conf"));
        fails(Errno.EEXIST, create(db, B_QEMU + "/100.conf"));
        ok(mkdir(db, B_QEMU + "/101.conf"));
        fails(Errno.ENOTDIR, create(db, B_QEMU + "/101.conf"));
    }

    @Test
    void directoriesAndNonGuestNamesDoNotRegister() {
        ok(mkdir(db, A_QEMU + "/300.conf"));
        ok(create(db, A_QEMU + "/0300.conf"));
        ok(create(db, A_QEMU + "/300.conf.tmp"));
        mkdirs(db, "nodes/-bad/qemu-server");
        ok(create(db, "nodes/-bad/qemu-server/300.conf"));
        mkdirs(db, "nodes/nodea/qemu-server/sub");
        ok(create(db, "nodes/nodea/qemu-server/sub/300.conf"));
        mkdirs(db, "other/nodea/qemu-server");
        ok(create(db, "other/nodea/qemu-server/300.conf"));
        assertTrue(db.vmList().vms().isEmpty());
        assertEquals(0, db.vmList().version());
        ok(create(db, B_LXC + "/300.conf"));
        assertEquals(new VmInfo(300, "nodeb", "lxc", 1), vm(300));
    }

    @Test
    void renameMovesAGuestBetweenNodesAndTypes() {
        put(db, A_QEMU + "/100.conf", "cfg");
        long listVersion = db.vmList().version();
        ok(rename(db, A_QEMU + "/100.conf", B_QEMU + "/100.conf"));
        assertEquals("nodeb", vm(100).node());
        assertEquals("qemu", vm(100).type());
        assertTrue(db.vmList().version() > listVersion);
        ok(rename(db, B_QEMU + "/100.conf", B_LXC + "/100.conf"));
        assertEquals(new VmInfo(100, "nodeb", "lxc", vm(100).version()), vm(100));
        // now the old places are the conflicting ones
        fails(Errno.EEXIST, create(db, A_QEMU + "/100.conf"));
        fails(Errno.EEXIST, create(db, B_QEMU + "/100.conf"));
        assertEquals("cfg", text(db, B_LXC + "/100.conf"));
    }

    @Test
    void renameOntoAGuestPathOwnedElsewhereIsEexistAndChangesNothing() {
        put(db, A_QEMU + "/100.conf", "a");
        put(db, A_QEMU + "/200.conf", "b");
        put(db, B_QEMU + "/tmp", "c");
        VmList vms = db.vmList();
        String before = dump(db);
        // a non-guest file onto a guest path registered on another node
        fails(Errno.EEXIST, rename(db, B_QEMU + "/tmp", B_QEMU + "/100.conf"));
        // a guest config with another VMID onto it
        fails(Errno.EEXIST, rename(db, A_QEMU + "/200.conf", B_LXC + "/100.conf"));
        // the VMID rule (step 3) comes before the target parent checks (step 5)
        fails(Errno.EEXIST, rename(db, B_QEMU + "/tmp", "nodes/nodec/qemu-server/100.conf"));
        assertEquals(before, dump(db));
        assertEquals(vms, db.vmList());
    }

    @Test
    void renameOfATempFileOverItsOwnConfigReRegisters() {
        // what PVE::File::file_set_contents does on every config update
        put(db, A_QEMU + "/100.conf", "old");
        long v = vm(100).version();
        put(db, A_QEMU + "/100.conf.tmp.99", "new");
        ok(rename(db, A_QEMU + "/100.conf.tmp.99", A_QEMU + "/100.conf"));
        assertEquals("nodea", vm(100).node());
        assertTrue(vm(100).version() > v);
        assertEquals("new", text(db, A_QEMU + "/100.conf"));
    }

    @Test
    void renameToANonGuestPathUnregisters() {
        put(db, A_QEMU + "/100.conf", "cfg");
        ok(rename(db, A_QEMU + "/100.conf", A_QEMU + "/100.conf.bak"));
        assertFalse(db.vmList().vms().containsKey(100L));
        ok(create(db, B_LXC + "/100.conf"));
        // moving the backup back would give the VMID two owners
        fails(Errno.EEXIST, rename(db, A_QEMU + "/100.conf.bak", A_QEMU + "/100.conf"));
    }

    @Test
    void directoryRenamedOntoAGuestConfigUnregistersIt() {
        put(db, A_QEMU + "/100.conf", "cfg");
        ok(mkdir(db, A_QEMU + "/emptydir"));
        ok(rename(db, A_QEMU + "/emptydir", A_QEMU + "/100.conf"));
        assertFalse(db.vmList().vms().containsKey(100L));
        ok(create(db, B_QEMU + "/100.conf"));
    }

    @Test
    void deleteUnregistersAndBumpsTheListVersion() {
        put(db, A_QEMU + "/100.conf", "cfg");
        long v = db.vmList().version();
        ok(delete(db, A_QEMU + "/100.conf"));
        assertTrue(db.vmList().vms().isEmpty());
        assertEquals(v + 1, db.vmList().version());
        ok(create(db, B_LXC + "/100.conf"));
        assertEquals("nodeb", vm(100).node());
    }

    @Test
    void listVersionAndPerVmVersionsOnlyGrow() {
        put(db, A_QEMU + "/100.conf", "a");
        long v100 = vm(100).version();
        put(db, A_QEMU + "/101.conf", "b");
        assertEquals(v100, vm(100).version(), "registering another VM leaves this one alone");
        assertTrue(vm(101).version() > v100);
        ok(delete(db, A_QEMU + "/101.conf"));
        put(db, A_QEMU + "/101.conf", "c");
        assertTrue(vm(101).version() > v100 + 1);
        List<Long> ids = db.vmList().sorted().stream().map(VmInfo::vmid).toList();
        assertEquals(List.of(100L, 101L), ids);
    }

    @Test
    void failedWritesDoNotRegister() {
        ok(create(db, A_QEMU + "/100.conf"));
        long v = db.vmList().version();
        fails(Errno.EFBIG, write(db, A_QEMU + "/100.conf", MemDb.MAX_FILE_SIZE, "x"));
        fails(Errno.EEXIST, create(db, A_QEMU + "/100.conf"));
        assertEquals(v, db.vmList().version());
    }

    @Test
    void vmListIsRebuiltOnLoad() throws Exception {
        Path file = tmp.resolve("config.db");
        MemDb disk = sqliteDb(file);
        mkdirs(disk, A_QEMU);
        mkdirs(disk, B_LXC);
        put(disk, A_QEMU + "/100.conf", "a");
        put(disk, B_LXC + "/4294967295.conf", "b");
        disk.close();
        MemDb reopened = sqliteDb(file);
        VmList list = reopened.vmList();
        assertEquals(2, list.vms().size());
        assertEquals("nodea", list.vms().get(100L).node());
        assertEquals("qemu", list.vms().get(100L).type());
        assertEquals("nodeb", list.vms().get(4294967295L).node());
        assertEquals("lxc", list.vms().get(4294967295L).type());
        fails(Errno.EEXIST, create(reopened, B_LXC + "/100.conf"));
        reopened.close();
    }

    @Test
    void snapshotsAreNotChangedByLaterOperations() {
        put(db, A_QEMU + "/100.conf", "a");
        VmList snap = db.vmList();
        ok(delete(db, A_QEMU + "/100.conf"));
        assertEquals(1, snap.vms().size());
        assertTrue(db.vmList().vms().isEmpty());
    }
}
