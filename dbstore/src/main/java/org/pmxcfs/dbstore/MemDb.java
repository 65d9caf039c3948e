package org.pmxcfs.dbstore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.pmxcfs.dbstore.Operation.Create;
import org.pmxcfs.dbstore.Operation.Delete;
import org.pmxcfs.dbstore.Operation.Mkdir;
import org.pmxcfs.dbstore.Operation.Rename;
import org.pmxcfs.dbstore.Operation.SetMtime;
import org.pmxcfs.dbstore.Operation.Truncate;
import org.pmxcfs.dbstore.Operation.Unlock;
import org.pmxcfs.dbstore.Operation.Write;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-RAM tree and the deterministic state machine on it. {@link #apply} takes an operation
 * plus the writer's node id and the sender's time, and gives the same tree and the same result
 * on every node: it never reads a clock. One read-write lock guards everything: readers share it,
 * mutations hold it exclusively.
 *
 * <p>Persistence: every operation is committed before {@link #apply} returns, as the original
 * commits every write: a write is durable before it is acknowledged, so close(2) needs no round
 * trip of its own. With the {@link LoggedStore} a commit is one append to its log.
 */
public final class MemDb implements AutoCloseable {

    /** Largest file: exactly 1 MiB is allowed. */
    public static final int MAX_FILE_SIZE = 1 << 20;
    /** Longest entry name in bytes, the kernel's NAME_MAX. */
    public static final int MAX_NAME_BYTES = 255;
    /** Default cap on the sum of all file sizes (the design's RAM budget). */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 30L << 20;

    private static final Logger log = LoggerFactory.getLogger("database");
    static final String RECOVERY_HINT = " - the database file was not modified; fix or remove the row"
            + " (sqlite3), or restore config.db from a backup or from a healthy cluster node";

    /** Told about every path an applied operation changed, and about whole-tree reloads. */
    public interface ChangeListener {
        void changed(String path);

        default void reloaded() {}
    }

    private final Store store;
    private final long maxTotalBytes;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Long, TreeEntry> entries = new HashMap<>();
    private final Map<Long, TreeMap<String, Long>> children = new HashMap<>();
    private final VmRegistry vms = new VmRegistry();
    private final Map<Long, TreeEntry> dirty = new LinkedHashMap<>();
    private final LinkedHashSet<Long> removed = new LinkedHashSet<>();
    private TreeEntry root;
    /**
     * The version of the last quorate sync round this tree's cluster is known to have completed
     * on every member (see {@link #raiseVersion(long, long)}); 0: none. Stored in the
     * {@code parent} column of the {@code __version__} row, which the original writes as 0 and
     * never reads. Written under the write lock; volatile for readers without it.
     */
    private volatile long agreedVersion;
    /** True while the version row is uncommitted (written under the write lock only). */
    private boolean rootDirty;
    private long totalBytes;
    private volatile boolean failed;
    private volatile ChangeListener listener = path -> {};

    private MemDb(Store store, long maxTotalBytes) {
        this.store = store;
        this.maxTotalBytes = maxTotalBytes;
    }

    /**
     * Loads and verifies the stored tree. A new (empty) store gets version 1. Nothing is written
     * when the stored tree is refused.
     */
    public static MemDb open(Store store, long maxTotalBytes, long now) throws LoadException {
        try {
            return load(store, maxTotalBytes, now);
        } catch (LoadException | RuntimeException e) {
            store.close(); // nothing half-open left behind (a SQLite WAL, a log writer thread)
            throw e;
        }
    }

    private static MemDb load(Store store, long maxTotalBytes, long now) throws LoadException {
        MemDb db = new MemDb(store, maxTotalBytes);
        List<TreeEntry> rows;
        try {
            rows = store.load();
        } catch (StoreException e) {
            throw new LoadException(e.getMessage() + " - the database file is unreadable; restore config.db"
                    + " from a backup or from a healthy cluster node", e);
        }
        db.build(rows, RECOVERY_HINT);
        try {
            store.prepareWrites();
        } catch (StoreException e) {
            throw new LoadException(e.getMessage(), e);
        }
        if (db.root.version() == 0) {
            db.root = new TreeEntry(0, 0, 1, 0, now, TreeEntry.TYPE_DIR, "", null);
            db.rootDirty = true;
            if (!db.commitLocked()) {
                throw new LoadException("unable to initialise the new database");
            }
        }
        return db;
    }

    /**
     * Rebuilds the tree from stored rows, checking everything the original checks on load.
     * {@code hint} ends every refusal message: what the reader should do about it.
     */
    private void build(List<TreeEntry> rows, String hint) throws LoadException {
        root = new TreeEntry(0, 0, 0, 0, 0, TreeEntry.TYPE_DIR, "", null);
        long maxVersion = 0;
        // in inode (rowid) order, as the reference reads them: the messages name the same rows on every run
        List<TreeEntry> sorted = new ArrayList<>(rows);
        sorted.sort(java.util.Comparator.comparingLong(TreeEntry::inode));
        for (TreeEntry r : sorted) {
            if (r.type() != TreeEntry.TYPE_DIR && r.type() != TreeEntry.TYPE_FILE) {
                // the reference checks every row, the version row included (it accepts 4 and 8 there)
                throw new LoadException("inode " + r.inode() + " ('" + r.name() + "') has unknown type " + r.type()
                        + hint);
            }
            if (r.inode() == 0) {
                if (!Store.VERSION_ROW_NAME.equals(r.name())) {
                    throw new LoadException("root inode has unexpected name '" + r.name() + "'" + hint);
                }
                root = new TreeEntry(0, 0, r.version(), r.writer(), r.mtime(), TreeEntry.TYPE_DIR, "", null);
                agreedVersion = r.parent();
                continue;
            }
            if (r.name() == null || r.name().isEmpty()) {
                throw new LoadException("inode " + r.inode() + " has no name" + hint);
            }
            if (!validName(r.name())) {
                // such a row would load, and then listing its directory would fail with EIO
                throw new LoadException("inode " + r.inode() + " has the invalid name '"
                        + r.name().replace("\0", "\\0") + "' (a name is not '.' or '..' and has no '/'"
                        + " and no NUL byte)" + hint);
            }
            if (r.isDir() && r.data() != null) {
                throw new LoadException("directory inode " + r.inode() + " ('" + r.name() + "') contains data"
                        + hint);
            }
            entries.put(r.inode(), r);
            maxVersion = Math.max(maxVersion, Math.max(r.version(), r.inode()));
            totalBytes += r.size();
        }
        if (maxVersion > root.version()) {
            // never hand out an inode number that is already taken
            root = new TreeEntry(0, 0, maxVersion, root.writer(), root.mtime(), TreeEntry.TYPE_DIR, "", null);
        }
        entries.put(0L, root);
        children.put(0L, new TreeMap<>());
        for (TreeEntry e : entries.values()) {
            if (e.isDir()) {
                children.putIfAbsent(e.inode(), new TreeMap<>());
            }
        }
        for (TreeEntry r : sorted) {
            if (r.inode() == 0) {
                continue;
            }
            TreeEntry e = entries.get(r.inode());
            TreeEntry parent = entries.get(e.parent());
            if (parent == null) {
                throw new LoadException("missing directory inode " + e.parent() + " (parent of inode " + e.inode()
                        + " '" + e.name() + "')" + hint);
            }
            if (!parent.isDir()) {
                throw new LoadException("parent inode " + e.parent() + " of inode " + e.inode() + " ('" + e.name()
                        + "') is not a directory" + hint);
            }
            Long other = children.get(e.parent()).putIfAbsent(e.name(), e.inode());
            if (other != null) {
                throw new LoadException("found entry with duplicate name '" + e.name() + "' in directory inode "
                        + e.parent() + " (inodes " + other + " and " + e.inode() + ")" + hint);
            }
        }
        verifyReachable(sorted, hint);
        Map<Long, String> guestPaths = new HashMap<>();
        for (TreeEntry r : sorted) {
            TreeEntry e = entries.get(r.inode());
            if (e.isDir()) {
                continue;
            }
            String path = pathOf(e);
            Optional<GuestPath> g = GuestPath.parse(path);
            if (g.isPresent()) {
                String first = guestPaths.putIfAbsent(g.get().vmid(), path);
                if (first != null) {
                    throw new LoadException("detected duplicate VMID " + g.get().vmid() + ": '" + first + "' and '"
                            + path + "' (inode " + e.inode() + ")" + hint);
                }
                vms.register(g.get());
            }
        }
    }

    private static boolean validName(String name) {
        return !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0 && name.indexOf('\0') < 0;
    }

    private void verifyReachable(List<TreeEntry> sorted, String hint) throws LoadException {
        ArrayDeque<Long> todo = new ArrayDeque<>(List.of(0L));
        int reached = 0;
        java.util.Set<Long> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            long inode = todo.pop();
            if (!seen.add(inode)) {
                continue;
            }
            reached++;
            TreeMap<String, Long> kids = children.get(inode);
            if (kids != null) {
                todo.addAll(kids.values());
            }
        }
        if (reached != entries.size()) {
            for (TreeEntry e : sorted) {
                if (!seen.contains(e.inode())) {
                    throw new LoadException("inode " + e.inode() + " ('" + e.name() + "') is not reachable from the"
                            + " root (its parent chain loops)" + hint);
                }
            }
        }
    }

    private String pathOf(TreeEntry e) {
        StringBuilder sb = new StringBuilder(e.name());
        TreeEntry cur = e;
        while (cur.parent() != 0) {
            cur = entries.get(cur.parent());
            sb.insert(0, cur.name() + "/");
        }
        return sb.toString();
    }

    public void setListener(ChangeListener listener) {
        this.listener = listener;
    }

    // ---------------------------------------------------------------- reads

    /** The entry at {@code path} ({@code ""} is the root), if any. */
    public Optional<TreeEntry> lookup(String path) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(lookupLocked(Paths.split(path)));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The children of the directory at {@code path}, sorted by name. */
    public List<TreeEntry> list(String path) {
        lock.readLock().lock();
        try {
            TreeEntry dir = lookupLocked(Paths.split(path));
            if (dir == null) {
                throw new FsException(Errno.ENOENT);
            }
            if (!dir.isDir()) {
                throw new FsException(Errno.ENOTDIR);
            }
            List<TreeEntry> out = new ArrayList<>();
            for (long inode : children.get(dir.inode()).values()) {
                out.add(entries.get(inode));
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Figures for statfs and the benchmark. */
    public record Stats(long version, long entries, long totalBytes, long maxTotalBytes) {}

    public Stats stats() {
        lock.readLock().lock();
        try {
            return new Stats(root.version(), entries.size(), totalBytes, maxTotalBytes);
        } finally {
            lock.readLock().unlock();
        }
    }

    public VmList vmList() {
        lock.readLock().lock();
        try {
            return vms.snapshot();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** True after a store failure: every mutation is refused until restart. */
    public boolean failed() {
        lock.readLock().lock();
        try {
            return failed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The entry with {@code inode} ({@code 0} is the root, named "" and typed as a directory). */
    public Optional<TreeEntry> entry(long inode) {
        lock.readLock().lock();
        try {
            return Optional.ofNullable(entries.get(inode));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The index of the current tree: the dcdb state this node reports in a sync (memdb_encode_index). */
    public Index index() {
        lock.readLock().lock();
        try {
            return Index.of(root, entries.values());
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The verify checksum (memdb_compute_checksum): SHA-256 over every entry in inode order, each
     * as inode, version, writer, mtime, size, type, parent, name and file data.
     */
    public byte[] checksum() {
        lock.readLock().lock();
        try {
            MessageDigest md = EntryDigest.sha256();
            for (TreeEntry e : new TreeMap<>(entries).values()) {
                EntryDigest.feed(md, e, true);
            }
            return md.digest();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The paths of local entries that a state transfer to {@code leader}'s index would delete or
     * overwrite (their inode is missing there or has another digest), sorted; the root is left
     * out. Entries only the leader has cannot be named before their updates arrive.
     */
    public List<String> differingPaths(Index leader) {
        lock.readLock().lock();
        try {
            List<String> out = new ArrayList<>();
            for (TreeEntry e : entries.values()) {
                if (e.inode() == 0) {
                    continue;
                }
                Optional<Index.Entry> theirs = leader.find(e.inode());
                if (theirs.isEmpty() || !Arrays.equals(theirs.get().digest(), EntryDigest.indexDigest(e))) {
                    out.add(pathOf(e));
                }
            }
            out.sort(null);
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Writes the whole current tree as SQL text, the shape {@code sqlite3 config.db .dump} gives:
     * what the daemon keeps as a backup before a state transfer replaces local changes. The tree
     * is copied under the lock and written after releasing it, so a slow {@code out} does not
     * hold up the filesystem.
     */
    public void dumpSql(Appendable out) throws IOException {
        List<TreeEntry> rows;
        lock.readLock().lock();
        try {
            rows = new ArrayList<>(new TreeMap<>(entries).values());
            rows.set(0, versionRow());
        } finally {
            lock.readLock().unlock();
        }
        SqlDump.write(rows, out);
    }

    private TreeEntry lookupLocked(List<String> parts) {
        TreeEntry cur = root;
        for (String p : parts) {
            TreeMap<String, Long> kids = children.get(cur.inode());
            Long next = kids == null ? null : kids.get(p);
            if (next == null) {
                return null;
            }
            cur = entries.get(next);
        }
        return cur;
    }

    // ---------------------------------------------------------------- mutations

    /** Applies {@code op} as written by node {@code writer} at time {@code mtime} (seconds). */
    public Result apply(Operation op, int writer, long mtime) {
        lock.writeLock().lock();
        try {
            if (failed) {
                return Result.fail(Errno.EIO);
            }
            Result r;
            try {
                r = dispatch(op, writer, mtime);
            } catch (FsException e) {
                return Result.fail(e.errno());
            }
            if (!commitLocked()) {
                return Result.fail(Errno.EIO);
            }
            return r;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private Result dispatch(Operation op, int writer, long mtime) {
        if (op instanceof Mkdir m) {
            return mkdir(m, writer, mtime);
        } else if (op instanceof Create c) {
            return create(c, writer, mtime);
        } else if (op instanceof Write w) {
            return write(w.path(), w.offset(), w.data(), false, writer, mtime);
        } else if (op instanceof Truncate t) {
            return write(t.path(), t.length(), new byte[0], true, writer, mtime);
        } else if (op instanceof Delete d) {
            return delete(d, writer, mtime);
        } else if (op instanceof Rename rn) {
            return rename(rn, writer, mtime);
        } else if (op instanceof SetMtime st) {
            return setMtime(st, writer, mtime);
        } else if (op instanceof Unlock u) {
            return unlock(u, writer, mtime);
        }
        throw new IllegalArgumentException("unknown operation " + op);
    }

    private record Target(TreeEntry parent, String name, List<String> parts) {}

    /** Resolves the parent directory of a path to be created or replaced. */
    private Target target(String path) {
        List<String> parts = Paths.split(path);
        if (parts.isEmpty()) {
            throw new FsException(Errno.EACCES);
        }
        TreeEntry parent = lookupLocked(parts.subList(0, parts.size() - 1));
        if (parent == null) {
            throw new FsException(Errno.ENOENT);
        }
        if (!parent.isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        String name = parts.get(parts.size() - 1);
        if (name.equals(".") || name.equals("..")) {
            throw new FsException(Errno.EACCES);
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            // FUSE passes names up to 1024 bytes; keep the tree restorable onto any Linux filesystem
            throw new FsException(Errno.ENAMETOOLONG);
        }
        return new Target(parent, name, parts);
    }

    private TreeEntry child(TreeEntry dir, String name) {
        Long inode = children.get(dir.inode()).get(name);
        return inode == null ? null : entries.get(inode);
    }

    private Result mkdir(Mkdir m, int writer, long mtime) {
        Target t = target(m.path());
        if (child(t.parent(), t.name()) != null) {
            throw new FsException(Errno.EEXIST);
        }
        long v = bump(writer, mtime);
        put(new TreeEntry(v, t.parent().inode(), v, writer, mtime, TreeEntry.TYPE_DIR, t.name(), null));
        listener.changed(String.join("/", t.parts()));
        return Result.ok();
    }

    private Result create(Create c, int writer, long mtime) {
        Target t = target(c.path());
        // the VMID rule comes before the existence check, as in the reference (same errno everywhere)
        Optional<GuestPath> g = GuestPath.parse(String.join("/", t.parts()));
        if (g.isPresent() && vms.conflicts(g.get())) {
            throw new FsException(Errno.EEXIST);
        }
        TreeEntry existing = child(t.parent(), t.name());
        if (existing != null) {
            throw new FsException(existing.isDir() ? Errno.ENOTDIR : Errno.EEXIST);
        }
        long v = bump(writer, mtime);
        put(new TreeEntry(v, t.parent().inode(), v, writer, mtime, TreeEntry.TYPE_FILE, t.name(), null));
        g.ifPresent(vms::register);
        listener.changed(String.join("/", t.parts()));
        return Result.ok();
    }

    /**
     * The size rule of a write of {@code length} bytes at {@code offset} (or a truncate to
     * {@code offset}, length 0): EINVAL if negative, EFBIG past {@link #MAX_FILE_SIZE}. Callers
     * check it before sending, so an offset the cluster message could not carry fails the same
     * way in both modes.
     */
    public static void checkExtent(long offset, long length) {
        if (offset < 0) {
            throw new FsException(Errno.EINVAL);
        }
        // written so that a huge offset from a replicated message cannot wrap around
        if (length > MAX_FILE_SIZE || offset > MAX_FILE_SIZE - length) {
            throw new FsException(Errno.EFBIG);
        }
    }

    private Result write(String path, long offset, byte[] buf, boolean truncate, int writer, long mtime) {
        checkExtent(offset, buf.length);
        Target t = target(path);
        String norm = String.join("/", t.parts());
        Optional<GuestPath> g = GuestPath.parse(norm);
        if (g.isPresent() && vms.conflicts(g.get())) {
            throw new FsException(Errno.EEXIST);
        }
        TreeEntry e = child(t.parent(), t.name());
        if (e == null) {
            throw new FsException(Errno.ENOENT);
        }
        if (e.isDir()) {
            throw new FsException(Errno.ENOTDIR);
        }
        int oldSize = e.size();
        int newSize = truncate ? (int) offset : Math.max(oldSize, (int) offset + buf.length);
        if (totalBytes - oldSize + newSize > maxTotalBytes && newSize > oldSize) {
            log.error("refusing to grow '{}' to {} bytes: the filesystem would exceed its total size cap of {} bytes"
                    + " (--max-total-size); delete files or raise the cap", norm, newSize, maxTotalBytes);
            throw new FsException(Errno.ENOSPC);
        }
        byte[] data = Arrays.copyOf(e.data() == null ? new byte[0] : e.data(), newSize);
        if (!truncate) {
            System.arraycopy(buf, 0, data, (int) offset, buf.length);
        }
        long v = bump(writer, mtime);
        put(e.modified(v, writer, mtime, data));
        g.ifPresent(vms::register);
        listener.changed(norm);
        return Result.ok(truncate ? 0 : buf.length);
    }

    private Result delete(Delete d, int writer, long mtime) {
        List<String> parts = Paths.split(d.path());
        if (parts.isEmpty()) {
            throw new FsException(Errno.EACCES);
        }
        TreeEntry e = lookupLocked(parts);
        if (e == null) {
            throw new FsException(Errno.ENOENT);
        }
        if (e.isDir() && !children.get(e.inode()).isEmpty()) {
            throw new FsException(Errno.ENOTEMPTY);
        }
        bump(writer, mtime);
        remove(e);
        String norm = String.join("/", parts);
        if (!e.isDir()) {
            GuestPath.parse(norm).ifPresent(vms::unregister);
        }
        listener.changed(norm);
        return Result.ok();
    }

    private Result rename(Rename rn, int writer, long mtime) {
        List<String> fromParts = Paths.split(rn.path());
        TreeEntry src = lookupLocked(fromParts);
        if (src == null) {
            throw new FsException(Errno.ENOENT);
        }
        if (fromParts.isEmpty()) {
            throw new FsException(Errno.EACCES);
        }
        List<String> toParts = Paths.split(rn.to());
        if (toParts.equals(fromParts)) {
            // [ref-bug] 1.4: the reference goes into the permanent error state; the kernel makes it a no-op
            return Result.ok();
        }
        String from = String.join("/", fromParts);
        String to = String.join("/", toParts);
        // checked in the order of reference 1.4: VMID, lock, then the target
        Optional<GuestPath> srcGuest = src.isDir() ? Optional.empty() : GuestPath.parse(from);
        Optional<GuestPath> dstGuest = src.isDir() ? Optional.empty() : GuestPath.parse(to);
        if (dstGuest.isPresent() && vms.conflicts(dstGuest.get())
                && !(srcGuest.isPresent() && srcGuest.get().vmid() == dstGuest.get().vmid())) {
            throw new FsException(Errno.EEXIST);
        }
        if (isLockDir(fromParts, src)) {
            throw new FsException(Errno.EACCES);
        }
        Target t = target(rn.to());
        if (src.isDir() && isInside(t.parent(), src)) {
            // a directory moved below itself would become its own ancestor: cut off from the root here
            // and refused by the next load (the kernel gives EINVAL, a replicated message might not)
            throw new FsException(Errno.EINVAL);
        }
        TreeEntry dst = child(t.parent(), t.name());
        if (dst != null && dst.isDir() && !children.get(dst.inode()).isEmpty()) {
            throw new FsException(Errno.ENOTEMPTY);
        }
        if (src.isDir() && !children.get(src.inode()).isEmpty()) {
            throw new FsException(Errno.ENOTEMPTY);
        }
        // everything is checked: from here on nothing can fail
        long v = bump(writer, mtime);
        if (dst != null) {
            remove(dst);
            if (!dst.isDir()) {
                GuestPath.parse(to).ifPresent(vms::unregister);
            }
        }
        children.get(src.parent()).remove(src.name());
        put(src.moved(t.parent().inode(), t.name(), v, writer, mtime));
        srcGuest.ifPresent(vms::unregister);
        dstGuest.ifPresent(vms::register);
        listener.changed(from);
        listener.changed(to);
        return Result.ok();
    }

    /** True if {@code e} is {@code dir} or lies below it. */
    private boolean isInside(TreeEntry e, TreeEntry dir) {
        for (TreeEntry cur = e; ; cur = entries.get(cur.parent())) {
            if (cur.inode() == dir.inode()) {
                return true;
            }
            if (cur.inode() == 0) {
                return false;
            }
        }
    }

    private Result setMtime(SetMtime s, int writer, long mtime) {
        List<String> parts = Paths.split(s.path());
        TreeEntry e = lookupLocked(parts);
        if (e == null) {
            throw new FsException(Errno.ENOENT);
        }
        if (parts.isEmpty()) {
            throw new FsException(Errno.EACCES);
        }
        if (isLockDir(parts, e) && (s.mtime() < e.mtime() || writer != e.writer())) {
            throw new FsException(Errno.EACCES);
        }
        // utimens stores the requested time, on the entry and on the root (the reference does both)
        long v = bump(writer, s.mtime());
        put(e.modified(v, writer, s.mtime(), e.data()));
        listener.changed(String.join("/", parts));
        return Result.ok();
    }

    private Result unlock(Unlock u, int writer, long mtime) {
        List<String> parts = Paths.split(u.path());
        TreeEntry e = lookupLocked(parts);
        if (e == null || !isLockDir(parts, e) || !Arrays.equals(e.metaDigest(), u.digest())
                || !children.get(e.inode()).isEmpty()) {
            throw new FsException(Errno.EACCES);
        }
        bump(writer, mtime);
        remove(e);
        listener.changed(String.join("/", parts));
        return Result.ok();
    }

    /** True for a directory directly below {@code priv/lock}: a cluster lock. */
    public static boolean isLockDir(List<String> parts, TreeEntry e) {
        return e.isDir() && parts.size() == 3 && parts.get(0).equals("priv") && parts.get(1).equals("lock");
    }

    private long bump(int writer, long mtime) {
        root = new TreeEntry(0, 0, root.version() + 1, writer, mtime, TreeEntry.TYPE_DIR, "", null);
        entries.put(0L, root);
        rootDirty = true;
        return root.version();
    }

    private void put(TreeEntry e) {
        TreeEntry old = entries.put(e.inode(), e);
        totalBytes += e.size() - (old == null ? 0 : old.size());
        children.get(e.parent()).put(e.name(), e.inode());
        if (e.isDir()) {
            children.putIfAbsent(e.inode(), new TreeMap<>());
        }
        dirty.put(e.inode(), e);
        removed.remove(e.inode());
    }

    private void remove(TreeEntry e) {
        entries.remove(e.inode());
        children.get(e.parent()).remove(e.name());
        children.remove(e.inode());
        totalBytes -= e.size();
        dirty.remove(e.inode());
        removed.add(e.inode());
    }

    private boolean commitLocked() {
        if (!rootDirty && dirty.isEmpty() && removed.isEmpty()) {
            return true;
        }
        try {
            store.commit(removed, dirty.values(), versionRow());
        } catch (StoreException e) {
            failed = true;
            log.error("{} - all further changes fail with EIO; check the disk and restart pmxcfs", e.getMessage());
            return false;
        }
        dirty.clear();
        removed.clear();
        rootDirty = false;
        return true;
    }

    /** The root as stored after a local mutation: the original writes it with type 8. */
    private TreeEntry versionRow() {
        return new TreeEntry(0, agreedVersion, root.version(), root.writer(), root.mtime(), TreeEntry.TYPE_FILE,
                Store.VERSION_ROW_NAME, null);
    }

    // ---------------------------------------------------------------- cluster sync

    /**
     * Raises the tree's version to {@code version} and its agreed version to {@code agreed}
     * (nothing else changes; a value that is not higher stays) and commits at once. The cluster
     * sync does this at the end of a quorate round, so that the majority's tree outranks whatever
     * a member cut off before it applied on its own, and once every member of the round has
     * completed it (see {@code Dcdb}).
     *
     * @return false if the store failed (the sticky error state is set)
     */
    public boolean raiseVersion(long version, long agreed) {
        lock.writeLock().lock();
        try {
            if (failed) {
                return false;
            }
            boolean higher = Long.compareUnsigned(version, root.version()) > 0;
            if (!higher && Long.compareUnsigned(agreed, agreedVersion) <= 0) {
                return true;
            }
            if (higher) {
                root = new TreeEntry(0, 0, version, root.writer(), root.mtime(), TreeEntry.TYPE_DIR, "", null);
                entries.put(0L, root);
            }
            agreedVersion = Long.compareUnsigned(agreed, agreedVersion) > 0 ? agreed : agreedVersion;
            rootDirty = true;
            return commitLocked();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The agreed version (see {@link #raiseVersion(long, long)}); 0 if none. */
    public long agreedVersion() {
        return agreedVersion;
    }

    /**
     * Commits a state transfer on a non-leader (bdb_backend_commit_update): deletes every local
     * inode that {@code leader} lacks and replaces every {@code received} entry (inode 0 becomes
     * the {@code __version__} row), in one store transaction. Before anything is written, the
     * resulting tree is built and checked as a load would check it, and its index must be
     * byte-identical to {@code leader}. Then the RAM tree is swapped, the VMID registry rebuilt,
     * and the listener told {@link ChangeListener#reloaded()}.
     *
     * <p>On failure nothing changes, in RAM or in the store, and the sticky error state is not
     * set: the caller decides (the original sets it). Nothing local is pending: every operation
     * commits when it is applied.
     */
    public void commitSync(Index leader, Collection<TreeEntry> received) throws SyncCommitException {
        lock.writeLock().lock();
        try {
            if (failed) {
                throw new SyncCommitException("the database is in the error state after an earlier write failure");
            }
            List<TreeEntry> local = entries.values().stream().filter(e -> e.inode() != 0).toList();
            SyncPlan plan = SyncPlan.of(local, root, agreedVersion, leader, received);
            MemDb next = new MemDb(store, maxTotalBytes);
            try {
                next.build(plan.rows(), "");
            } catch (LoadException e) {
                throw new SyncCommitException("the transferred tree is inconsistent: " + e.getMessage(), e);
            }
            // the original re-reads the rows inside its transaction; these are the same rows, and
            // checking before writing leaves nothing to roll back
            Index built = Index.of(next.root, next.entries.values());
            if (!Arrays.equals(built.encode(), leader.encode())) {
                throw new SyncCommitException("the transferred tree does not match the leader's index: "
                        + mismatch(leader, built));
            }
            try {
                store.commit(plan.deleted(), plan.written(), plan.versionRow());
            } catch (StoreException e) {
                throw new SyncCommitException("unable to store the transferred tree: " + e.getMessage(), e);
            }
            adopt(next);
            listener.reloaded();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * A node joining a cluster starts from scratch, as the original does by deleting config.db:
     * in one transaction the tree becomes what a new database holding only the imported
     * {@code corosync.conf} contains (version 3, writer 0), so its small version loses the
     * leader election and the node receives the cluster's tree.
     */
    public void resetForJoin(byte[] corosyncConf, long now) throws SyncCommitException {
        lock.writeLock().lock();
        try {
            if (failed) {
                throw new SyncCommitException("the database is in the error state after an earlier write failure");
            }
            // the same inode and versions a new database gets from create + write of corosync.conf
            TreeEntry conf = new TreeEntry(2, 0, 3, 0, now, TreeEntry.TYPE_FILE, "corosync.conf", corosyncConf);
            TreeEntry versionRow = new TreeEntry(0, 0, 3, 0, now, TreeEntry.TYPE_FILE, Store.VERSION_ROW_NAME, null);
            MemDb next = new MemDb(store, maxTotalBytes);
            try {
                next.build(List.of(versionRow, conf), "");
            } catch (LoadException e) {
                throw new SyncCommitException("cannot build the reset tree: " + e.getMessage(), e);
            }
            List<Long> deleted = entries.keySet().stream().filter(i -> i != 0).toList();
            try {
                store.commit(deleted, List.of(conf), versionRow);
            } catch (StoreException e) {
                throw new SyncCommitException("unable to store the reset tree: " + e.getMessage(), e);
            }
            adopt(next);
            listener.reloaded();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Names what differs between two indexes, for the log. */
    private static String mismatch(Index leader, Index built) {
        IndexDiff d = IndexDiff.between(leader, built);
        List<Long> inodes = new ArrayList<>(d.send());
        inodes.addAll(d.delete());
        inodes.sort(null);
        return "header " + built + " vs leader " + leader + "; differing inodes "
                + (inodes.size() > 10 ? inodes.subList(0, 10) + " and " + (inodes.size() - 10) + " more" : inodes);
    }

    /** Replaces this tree by {@code next}, a verified tree whose rows are already stored. */
    private void adopt(MemDb next) {
        entries.clear();
        entries.putAll(next.entries);
        children.clear();
        children.putAll(next.children);
        root = next.root;
        agreedVersion = next.agreedVersion;
        totalBytes = next.totalBytes;
        vms.reloadFrom(next.vms);
        dirty.clear();
        removed.clear();
        rootDirty = false;
    }

    @Override
    public void close() {
        store.close();
    }
}
