package org.pmxcfs.fuse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel's node ids and the names they stand for, as libfuse's high-level layer keeps them:
 * every successful lookup (and create, mkdir) hands the kernel a node id and counts one
 * reference, FORGET gives references back, and a node is dropped when it has none left. A node
 * is (parent node, name), so renaming a directory moves everything below it at once; the path
 * of a node is built from its parents for every request. Ids are never reused while the mount
 * lives, so the kernel never confuses an old node with a new one.
 *
 * <p>Thread-safe: one monitor, held only for map operations.
 */
final class NodeTable {

    static final long ROOT = 1;

    private static final class Node {
        final long id;
        long parent;
        String name;
        long lookups;
        /** Unlinked or replaced: the kernel may still hold it (an open file), but no path leads to it. */
        boolean detached;
        /** Content that changes without a change notice (status files): never cached. */
        boolean dynamic;
        /** The stored entry the kernel was last told this node is ({@link FileAttr#inode()}). */
        long inode = FileAttr.NO_INODE;

        Node(long id, long parent, String name) {
            this.id = id;
            this.parent = parent;
            this.name = name;
        }
    }

    private record Key(long parent, String name) {}

    /** A node the kernel knows (0: none), for invalidation: its directory (0 for the root) and name. */
    record Known(long id, long parent, String name) {}

    private final Map<Long, Node> byId = new HashMap<>();
    private final Map<Key, Node> byName = new HashMap<>();
    private long nextId = ROOT + 1;

    NodeTable() {
        Node root = new Node(ROOT, 0, "");
        root.lookups = 1;
        byId.put(ROOT, root);
    }

    /** The absolute path of {@code id} ("/" for the root), or null if no path leads to it. */
    synchronized String path(long id) {
        if (id == ROOT) {
            return "/";
        }
        List<String> names = new ArrayList<>(8);
        Node n = byId.get(id);
        while (n != null && !n.detached && n.id != ROOT) {
            names.add(n.name);
            n = byId.get(n.parent);
        }
        if (n == null || n.detached) {
            return null; // removed, or below a removed directory
        }
        StringBuilder sb = new StringBuilder();
        for (int i = names.size() - 1; i >= 0; i--) {
            sb.append('/').append(names.get(i));
        }
        return sb.toString();
    }

    /** The kernel got {@code name} in {@code parent} as a node with {@code attr}: its id, with one more reference. */
    synchronized long lookedUp(long parent, String name, FileAttr attr) {
        Key k = new Key(parent, name);
        Node n = byName.get(k);
        if (n == null) {
            n = new Node(nextId++, parent, name);
            byId.put(n.id, n);
            byName.put(k, n);
        }
        n.lookups++;
        n.dynamic = attr.dynamic();
        n.inode = attr.inode();
        return n.id;
    }

    /** The node of {@code name} in {@code parent}, or 0 if the kernel holds none. */
    synchronized long find(long parent, String name) {
        Node n = byName.get(new Key(parent, name));
        return n == null ? 0 : n.id;
    }

    /** Whether the node's content changes without a change notice. */
    synchronized boolean dynamic(long id) {
        Node n = byId.get(id);
        return n != null && n.dynamic;
    }

    /** The stored entry behind {@code id} as the kernel knows it, or {@link FileAttr#NO_INODE}. */
    synchronized long inode(long id) {
        Node n = byId.get(id);
        return n == null ? FileAttr.NO_INODE : n.inode;
    }

    /** The kernel dropped {@code count} references to {@code id}. */
    synchronized void forget(long id, long count) {
        Node n = byId.get(id);
        if (n == null || id == ROOT) {
            return;
        }
        n.lookups -= count;
        if (n.lookups <= 0) {
            byId.remove(id);
            if (!n.detached) {
                byName.remove(new Key(n.parent, n.name));
            }
        }
    }

    /** {@code name} in {@code parent} was removed: its node (if any) no longer has a path. */
    synchronized void removed(long parent, String name) {
        Node n = byName.remove(new Key(parent, name));
        if (n != null) {
            n.detached = true;
        }
    }

    /** A rename: the node moves; one that was at the target is replaced. */
    synchronized void renamed(long parent, String name, long newParent, String newName) {
        removed(newParent, newName);
        Node n = byName.remove(new Key(parent, name));
        if (n != null) {
            n.parent = newParent;
            n.name = newName;
            byName.put(new Key(newParent, newName), n);
        }
    }

    /**
     * What the kernel holds of {@code path} ("a/b/c", relative to the root; "" is the root): the
     * node there with its directory and name, or, if it holds the directory but not the node,
     * {@code id} 0 with that directory; null if it does not hold the directory either.
     */
    synchronized Known at(String path) {
        if (path.isEmpty()) {
            return new Known(ROOT, 0, "");
        }
        String[] names = path.split("/");
        long dir = ROOT;
        for (int i = 0; i < names.length - 1; i++) {
            Node n = byName.get(new Key(dir, names[i]));
            if (n == null) {
                return null;
            }
            dir = n.id;
        }
        String name = names[names.length - 1];
        Node n = byName.get(new Key(dir, name));
        return new Known(n == null ? 0 : n.id, dir, name);
    }

    /** Every node the kernel knows that has a path. */
    synchronized List<Known> all() {
        List<Known> out = new ArrayList<>(byId.size());
        for (Node n : byId.values()) {
            if (!n.detached) {
                out.add(new Known(n.id, n.parent, n.name));
            }
        }
        return out;
    }

    synchronized int size() {
        return byId.size();
    }
}
