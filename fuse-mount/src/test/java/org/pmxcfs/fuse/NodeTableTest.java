package org.pmxcfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeTableTest {

    private final NodeTable t = new NodeTable();

    @Test
    void aNameLookedUpAgainKeepsItsNodeAndCountsReferences() {
        long nodes = t.lookedUp(NodeTable.ROOT, "nodes", TestAttrs.stored(0));
        assertEquals(nodes, t.lookedUp(NodeTable.ROOT, "nodes", TestAttrs.stored(0)));
        assertEquals("/nodes", t.path(nodes));
        t.forget(nodes, 1);
        assertEquals("/nodes", t.path(nodes), "one reference left");
        t.forget(nodes, 1);
        assertNull(t.path(nodes));
        long again = t.lookedUp(NodeTable.ROOT, "nodes", TestAttrs.stored(0));
        assertNotEquals(nodes, again, "ids are never reused");
        assertEquals("/", t.path(NodeTable.ROOT));
        assertEquals("/nodes", t.path(again));
    }

    @Test
    void renamingADirectoryMovesEverythingBelowIt() {
        long a = t.lookedUp(NodeTable.ROOT, "a", TestAttrs.stored(0));
        long f = t.lookedUp(a, "f.conf", TestAttrs.stored(0));
        long b = t.lookedUp(NodeTable.ROOT, "b", TestAttrs.stored(0));
        t.renamed(NodeTable.ROOT, "a", b, "c");
        assertEquals("/b/c/f.conf", t.path(f));
        assertEquals(a, t.lookedUp(b, "c", TestAttrs.stored(0)));
        assertEquals(new NodeTable.Known(f, a, "f.conf"), t.at("b/c/f.conf"));
        assertEquals(new NodeTable.Known(0, a, "new.conf"), t.at("b/c/new.conf"), "a name the kernel does not hold");
        assertEquals(new NodeTable.Known(NodeTable.ROOT, 0, ""), t.at(""));
    }

    @Test
    void aRemovedOrReplacedNodeHasNoPathButStaysUntilForgotten() {
        long d = t.lookedUp(NodeTable.ROOT, "d", TestAttrs.stored(0));
        long x = t.lookedUp(d, "x", TestAttrs.stored(0));
        long tmp = t.lookedUp(d, "x.tmp", TestAttrs.stored(0));
        t.renamed(d, "x.tmp", d, "x");
        assertNull(t.path(x), "replaced by the rename");
        assertEquals("/d/x", t.path(tmp));
        t.removed(NodeTable.ROOT, "d");
        assertNull(t.path(tmp), "below a removed directory");
        assertEquals(null, t.at("d/x"), "nothing below a removed directory");
        t.forget(x, 1);
        t.forget(tmp, 1);
        t.forget(d, 1);
        assertEquals(1, t.size(), "only the root is left");
    }

    @Test
    void dynamicIsWhatTheLastLookupSaid() {
        long v = t.lookedUp(NodeTable.ROOT, ".vmlist", TestAttrs.dynamic());
        assertTrue(t.dynamic(v));
        t.lookedUp(NodeTable.ROOT, ".vmlist", TestAttrs.stored(0));
        assertEquals(false, t.dynamic(v));
        t.lookedUp(NodeTable.ROOT, ".vmlist", TestAttrs.stored(44));
        assertEquals(44, t.inode(v), "the entry behind the name, as last looked up");
        assertEquals(null, t.at("nope/deeper"));
    }
}
