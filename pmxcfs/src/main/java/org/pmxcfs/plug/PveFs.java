package org.pmxcfs.plug;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;
import org.pmxcfs.dbstore.MemDb;
import org.pmxcfs.dbstore.Operation;
import org.pmxcfs.dbstore.Paths;
import org.pmxcfs.dbstore.Result;
import org.pmxcfs.dbstore.TreeEntry;
import org.pmxcfs.fuse.FileAttr;
import org.pmxcfs.fuse.FsCore;
import org.pmxcfs.fuse.FsStat;
import org.pmxcfs.lock.LockTable;
import org.pmxcfs.status.StatusFiles;

/**
 * The {@code /etc/pve} view: the per-node symlinks and status files at the root, everything else
 * from the memdb, with the original's modes, owners and errnos. Reads go straight to the memdb;
 * mutations go through the {@link Applier} and are refused with EACCES without quorum.
 */
public final class PveFs implements FsCore {

    private static final int BLOCK_SIZE = 4096;
    private static final long MAX_INODES = 262_144;
    private static final Pattern OPENVZ_HOOK =
            Pattern.compile("(vps|\\d+)\\.(mount|umount|start|stop|premount|postumount)");

    private final MemDb db;
    private final Applier applier;
    private final StatusFiles status;
    private final LockTable locks;
    private final DebugSwitch debug;
    private final BooleanSupplier quorate;
    private final Clock clock;
    private final int wwwDataGid;
    private final Map<String, String> symlinks;
    private final Map<Long, byte[]> statusHandles = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    /** Changes of the quorum that modes were last computed with ({@link #attributesEpoch()}). */
    private final AtomicLong quorumFlips = new AtomicLong();
    private volatile boolean modesQuorate;

    public PveFs(String nodename, MemDb db, Applier applier, StatusFiles status, LockTable locks,
                 DebugSwitch debug, BooleanSupplier quorate, Clock clock, int wwwDataGid) {
        this.db = db;
        this.applier = applier;
        this.status = status;
        this.locks = locks;
        this.debug = debug;
        this.quorate = quorate;
        this.clock = clock;
        this.wwwDataGid = wwwDataGid;
        String local = "nodes/" + nodename;
        this.symlinks = Map.of("local", local, "qemu-server", local + "/qemu-server", "lxc", local + "/lxc",
                "openvz", local + "/openvz");
    }

    /** A root-level name this layer owns (symlink or status file), or null for memdb paths. */
    private String plugName(List<String> parts) {
        if (parts.size() == 1 && (symlinks.containsKey(parts.get(0)) || StatusFiles.isStatusFile(parts.get(0)))) {
            return parts.get(0);
        }
        return null;
    }

    private static boolean isPrivate(List<String> parts) {
        if (!parts.isEmpty() && parts.get(0).equals("priv")) {
            return true;
        }
        return parts.size() >= 3 && parts.get(0).equals("nodes") && parts.get(2).equals("priv");
    }

    /** A virtual entry (root, symlink): nothing stored behind it, nothing that changes by itself. */
    private FileAttr attr(List<String> parts, int rawMode, int nlink, long size, long mtime) {
        return attr(parts, rawMode, nlink, size, 0, mtime, false, FileAttr.NO_INODE);
    }

    private FileAttr attr(List<String> parts, int rawMode, int nlink, long size, long blocks, long mtime,
                          boolean dynamic, long inode) {
        int type = rawMode & 0170000;
        int mask;
        if (isPrivate(parts)) {
            mask = 0077;
        } else {
            mask = type == FileAttr.S_IFREG ? 0027 : 0022;
        }
        return new FileAttr(rawMode & ~mask, nlink, size, blocks, mtime, 0, wwwDataGid, dynamic, inode);
    }

    @Override
    public FileAttr getattr(String path) {
        List<String> parts = Paths.split(path);
        if (parts.isEmpty()) {
            return attr(parts, FileAttr.S_IFDIR | 0777, 2, 0, 0);
        }
        boolean q = quorateForModes();
        String plug = plugName(parts);
        if (plug != null) {
            String target = symlinks.get(plug);
            if (target != null) {
                return attr(parts, FileAttr.S_IFLNK | (q ? 0777 : 0555), 1, target.length(), 0);
            }
            int mode = plug.equals(".debug") ? 0640 : 0440;
            return attr(parts, FileAttr.S_IFREG | mode, 1, status.render(plug).length, 0, 0, true, FileAttr.NO_INODE);
        }
        TreeEntry e = db.lookup(path).orElseThrow(() -> new FsException(Errno.ENOENT));
        if (e.isDir()) {
            return attr(parts, FileAttr.S_IFDIR | (q ? 0777 : 0555), 2, 0, 0, e.mtime(), false, e.inode());
        }
        int mode = q ? 0666 : 0444;
        if (OPENVZ_HOOK.matcher(e.name()).matches()) {
            mode |= 0100;
        }
        return attr(parts, FileAttr.S_IFREG | mode, 1, e.size(), (e.size() + BLOCK_SIZE - 1) / BLOCK_SIZE, e.mtime(),
                false, e.inode());
    }

    @Override
    public Content content(String path) {
        if (plugName(Paths.split(path)) != null) {
            return null;
        }
        TreeEntry e = db.lookup(path).filter(x -> !x.isDir()).orElse(null);
        if (e == null) {
            return null;
        }
        byte[] data = e.data() == null ? new byte[0] : e.data();
        return new Content(new Slice(data, 0, data.length), e.inode(), e.version());
    }

    /**
     * The write bits of every entry follow quorum: counts the changes of quorum that attributes
     * were computed with. A count, not the current value, so that quorum lost and regained
     * between two looks of the kernel cache's keeper still drops what was handed out meanwhile.
     */
    @Override
    public long attributesEpoch() {
        quorateForModes();
        return quorumFlips.get();
    }

    private boolean quorateForModes() {
        boolean q = quorate.getAsBoolean();
        if (q != modesQuorate) {
            synchronized (quorumFlips) {
                if (q != modesQuorate) {
                    modesQuorate = q;
                    quorumFlips.incrementAndGet();
                }
            }
        }
        return q;
    }

    @Override
    public String readlink(String path) {
        String plug = plugName(Paths.split(path));
        String target = plug == null ? null : symlinks.get(plug);
        if (target == null) {
            throw new FsException(Errno.EINVAL);
        }
        return target;
    }

    @Override
    public List<String> readdir(String path) {
        List<String> parts = Paths.split(path);
        List<String> names = new ArrayList<>();
        for (TreeEntry e : db.list(path)) {
            names.add(e.name());
        }
        if (parts.isEmpty()) {
            TreeSet<String> all = new TreeSet<>(names);
            all.addAll(symlinks.keySet());
            all.addAll(StatusFiles.NAMES);
            return new ArrayList<>(all);
        }
        return names;
    }

    @Override
    public long open(String path, int flags) {
        List<String> parts = Paths.split(path);
        String plug = plugName(parts);
        if (plug != null && StatusFiles.isStatusFile(plug)) {
            long fh = nextHandle.getAndIncrement();
            statusHandles.put(fh, status.render(plug));
            return fh;
        }
        if (db.lookup(path).isEmpty()) {
            throw new FsException(Errno.ENOENT);
        }
        return 0;
    }

    @Override
    public long create(String path, int flags) {
        List<String> parts = Paths.split(path);
        if (plugName(parts) != null) {
            throw new FsException(Errno.EACCES);
        }
        mutate(new Operation.Create(path));
        return 0;
    }

    @Override
    public Slice read(String path, long fh, long offset, int size) {
        byte[] data;
        byte[] snapshot = fh == 0 ? null : statusHandles.get(fh);
        if (snapshot != null) {
            data = snapshot;
        } else {
            TreeEntry e = db.lookup(path).filter(x -> !x.isDir()).orElseThrow(() -> new FsException(Errno.ENOENT));
            data = e.data();
        }
        if (data == null || offset >= data.length) {
            return Slice.EMPTY;
        }
        return new Slice(data, (int) offset, (int) Math.min(size, data.length - offset));
    }

    @Override
    public int write(String path, long fh, long offset, byte[] data) {
        List<String> parts = Paths.split(path);
        String plug = plugName(parts);
        if (plug != null) {
            return writeStatus(plug, offset, data);
        }
        MemDb.checkExtent(offset, data.length);
        return (int) mutate(new Operation.Write(path, offset, data));
    }

    /** Only {@code .debug} takes writes: "0\n" or "1\n" at offset 0. */
    private int writeStatus(String plug, long offset, byte[] data) {
        if (plug.equals(".debug") && offset == 0 && data.length >= 2 && data[1] == '\n'
                && (data[0] == '0' || data[0] == '1')) {
            debug.set(data[0] == '1');
            return 2;
        }
        throw new FsException(Errno.EIO);
    }

    @Override
    public void truncate(String path, long size) {
        List<String> parts = Paths.split(path);
        String plug = plugName(parts);
        if (plug != null) {
            if (!plug.equals(".debug")) {
                throw new FsException(symlinks.containsKey(plug) ? Errno.EACCES : Errno.EIO);
            }
            return;
        }
        MemDb.checkExtent(size, 0);
        mutate(new Operation.Truncate(path, size));
    }

    @Override
    public void fsync(String path, long fh) {
        if (db.failed()) { // every write was committed when it was applied: only a failure is left to report
            throw new FsException(Errno.EIO);
        }
    }

    @Override
    public void release(String path, long fh) {
        if (fh != 0) {
            statusHandles.remove(fh);
        }
    }

    @Override
    public void mkdir(String path) {
        List<String> parts = Paths.split(path);
        if (plugName(parts) != null) {
            throw new FsException(Errno.EEXIST);
        }
        mutate(new Operation.Mkdir(path));
        db.lookup(path).filter(e -> MemDb.isLockDir(parts, e))
                .ifPresent(e -> locks.observe(Paths.normalize(path), e, clock.millis()));
    }

    @Override
    public void unlink(String path) {
        delete(path);
    }

    @Override
    public void rmdir(String path) {
        delete(path);
    }

    private void delete(String path) {
        if (plugName(Paths.split(path)) != null) {
            throw new FsException(Errno.EACCES);
        }
        mutate(new Operation.Delete(path));
    }

    @Override
    public void rename(String from, String to) {
        if (plugName(Paths.split(from)) != null || plugName(Paths.split(to)) != null) {
            throw new FsException(Errno.EACCES);
        }
        mutate(new Operation.Rename(from, to));
    }

    @Override
    public void utimens(String path, long mtime) {
        List<String> parts = Paths.split(path);
        if (plugName(parts) != null) {
            throw new FsException(Errno.EACCES);
        }
        requireQuorum();
        Optional<TreeEntry> lock = db.lookup(path).filter(e -> MemDb.isLockDir(parts, e));
        if (lock.isPresent() && mtime == 0) {
            expireLock(Paths.normalize(path), lock.get());
            return;
        }
        mutate(new Operation.SetMtime(path, mtime));
        db.lookup(path).filter(e -> MemDb.isLockDir(parts, e))
                .ifPresent(e -> locks.observe(Paths.normalize(path), e, clock.millis()));
    }

    /** utime(0, 0) on a lock: remove it if it has been unchanged for the whole lock lifetime. */
    private void expireLock(String path, TreeEntry lock) {
        Result r = applier.requestUnlock(path, lock);
        if (!r.isOk()) {
            throw new FsException(r.error());
        }
    }

    @Override
    public void chmod(String path, int mode) {
        int wanted = isPrivate(Paths.split(path)) ? 0600 : 0640;
        if ((mode & 07777) != wanted) {
            throw new FsException(Errno.EPERM);
        }
    }

    @Override
    public void chown(String path, long uid, long gid) {
        boolean uidOk = uid == 0 || uid == -1;
        boolean gidOk = gid == wwwDataGid || gid == -1;
        if (!uidOk || !gidOk) {
            throw new FsException(Errno.EPERM);
        }
    }

    @Override
    public FsStat statfs() {
        MemDb.Stats s = db.stats();
        long blocks = s.maxTotalBytes() / BLOCK_SIZE;
        long used = (s.totalBytes() + BLOCK_SIZE - 1) / BLOCK_SIZE;
        return new FsStat(BLOCK_SIZE, blocks, Math.max(0, blocks - used), MAX_INODES,
                Math.max(0, MAX_INODES - s.entries()), MemDb.MAX_NAME_BYTES);
    }

    private void requireQuorum() {
        if (!quorate.getAsBoolean()) {
            throw new FsException(Errno.EACCES);
        }
    }

    private long mutate(Operation op) {
        requireQuorum();
        Result r = applier.submit(op);
        if (!r.isOk()) {
            throw new FsException(r.error());
        }
        return r.value();
    }
}
