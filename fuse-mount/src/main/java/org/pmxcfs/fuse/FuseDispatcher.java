package org.pmxcfs.fuse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns kernel requests into {@link FsCore} calls and their results into replies: node ids to
 * paths, errors to errnos, and how long the kernel may cache what it is told. Names and
 * attributes of tree entries are cached for {@link #CACHE_SECONDS} ({@link CacheInvalidator}
 * drops them when something else changes them); status files (dynamic) are never cached and are
 * read with direct I/O; private entries are never cached, so that every walk below them is
 * checked. Requests of callers other than root are checked as the kernel would with
 * {@code default_permissions}, which the mount does not use ({@link Permissions}). No open needs
 * a FLUSH (every change is durable when its request is answered), so the kernel is told to skip
 * it. Operations not handled here (symlink, link, xattrs, special files) get ENOSYS, as from
 * libfuse without the operation.
 */
final class FuseDispatcher {

    private static final Logger log = LoggerFactory.getLogger("fuse");
    /** How long the kernel keeps names and attributes of tree entries; every change drops them sooner. */
    static final long CACHE_SECONDS = 3600;
    private static final long ROOT_SECONDS = 1;
    private static final int O_ACCMODE = 3;
    private static final int S_IFMT = 0170000;

    private final FsCore core;
    private final NodeTable nodes;
    private final NodeLocks locks = new NodeLocks();
    private final CacheInvalidator invalidator;
    private final Runnable onInit;
    private final int maxWrite;
    private final Map<Long, List<byte[]>> dirs = new ConcurrentHashMap<>();
    private final AtomicLong nextDir = new AtomicLong(1);

    FuseDispatcher(FsCore core, NodeTable nodes, CacheInvalidator invalidator, int maxWrite, Runnable onInit) {
        this.core = core;
        this.nodes = nodes;
        this.invalidator = invalidator;
        this.maxWrite = maxWrite;
        this.onInit = onInit;
    }

    /** Handles {@code rq}; returns the length of the reply built in {@code out}, or 0 if none is due. */
    int handle(FuseRequest rq, FuseReply out) {
        int op = rq.opcode();
        long unique = rq.unique();
        String path = null;
        try {
            switch (op) {
                case FuseAbi.FORGET -> {
                    nodes.forget(rq.nodeId(), rq.u64(FuseRequest.body()));
                    return 0;
                }
                case FuseAbi.BATCH_FORGET -> {
                    int count = rq.u32(FuseRequest.body());
                    int at = FuseRequest.body() + 8;
                    for (int i = 0; i < count; i++, at += FuseAbi.FORGET_ONE) {
                        nodes.forget(rq.u64(at), rq.u64(at + 8));
                    }
                    return 0;
                }
                case FuseAbi.INTERRUPT -> {
                    return 0; // requests are not interruptible; the kernel waits for the reply
                }
                case FuseAbi.INIT -> {
                    return init(rq, out);
                }
                case FuseAbi.DESTROY -> {
                    return out.ok(unique).length();
                }
                default -> {
                    // every other request is about a node with a path
                }
            }
            long node = rq.nodeId();
            Names names = names(op, rq);
            try (NodeLocks.Held held = lockFor(op, node, names)) {
                path = nodes.path(node);
                if (path == null) {
                    return out.error(unique, Errno.ENOENT.code).length();
                }
                return dispatch(op, rq, out, node, path, names);
            }
        } catch (FsException e) {
            return out.error(unique, e.errno().code).length();
        } catch (RuntimeException e) {
            log.error("{} '{}' failed: {}", op, path, e.toString(), e);
            return out.error(unique, Errno.EIO.code).length();
        } catch (Error e) {
            // the daemon's uncaught-exception handler decides (pmxcfs stops); until then the caller gets EIO
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
            return out.error(unique, Errno.EIO.code).length();
        }
    }

    /**
     * The names a request carries, decoded once: the entry in the request's directory node, and
     * for a rename the target directory and name. Null for requests without names.
     */
    private record Names(String name, long newDir, String newName) {}

    private static Names names(int op, FuseRequest rq) {
        int body = FuseRequest.body();
        int at = switch (op) {
            case FuseAbi.LOOKUP, FuseAbi.UNLINK, FuseAbi.RMDIR -> body;
            case FuseAbi.MKNOD -> body + FuseAbi.MKNOD_IN;
            case FuseAbi.MKDIR -> body + FuseAbi.MKDIR_IN;
            case FuseAbi.CREATE -> body + FuseAbi.CREATE_IN;
            case FuseAbi.RENAME -> body + FuseAbi.RENAME_IN;
            default -> -1;
        };
        if (at < 0) {
            return null;
        }
        byte[] name = rq.name(at);
        if (op != FuseAbi.RENAME) {
            return new Names(FusePaths.decode(name), 0, null);
        }
        return new Names(FusePaths.decode(name), rq.u64(body), FusePaths.decode(rq.name(at + name.length + 1)));
    }

    /**
     * Unlink and rmdir hold the directory and the node they remove, rename both directories and
     * both nodes; everything else holds the node it names (a lookup or create: its directory).
     */
    private NodeLocks.Held lockFor(int op, long node, Names names) {
        return switch (op) {
            case FuseAbi.UNLINK, FuseAbi.RMDIR -> locks.exclusive(node, nodes.find(node, names.name()));
            case FuseAbi.RENAME -> locks.exclusive(node, names.newDir(), nodes.find(node, names.name()),
                    nodes.find(names.newDir(), names.newName()));
            default -> locks.shared(node);
        };
    }

    /** The path of {@code name} in the directory at {@code dir}. */
    private static String join(String dir, String name) {
        return dir.length() == 1 ? "/" + name : dir + "/" + name;
    }

    private int dispatch(int op, FuseRequest rq, FuseReply out, long node, String path, Names names) {
        long unique = rq.unique();
        int body = FuseRequest.body();
        String child = names == null ? null : join(path, names.name());
        if (rq.uid() != 0) {
            checkPermission(op, rq, rq.caller(), path, child, names);
        }
        switch (op) {
            case FuseAbi.LOOKUP -> {
                return entry(out, unique, node, names.name(), core.getattr(child));
            }
            case FuseAbi.GETATTR -> {
                FileAttr a = core.getattr(path);
                // the root's a second, as libfuse's default: a crashed daemon's mount point then
                // answers stat with ENOTCONN within a second, which is how its death is noticed
                long ttl = node == NodeTable.ROOT ? ROOT_SECONDS : ttl(a);
                return out.ok(unique).attrOut(node, a, ttl).length();
            }
            case FuseAbi.SETATTR -> {
                return setattr(rq, out, node, path);
            }
            case FuseAbi.READLINK -> {
                byte[] target = core.readlink(path).getBytes(StandardCharsets.UTF_8);
                return out.ok(unique).data(target, 0, target.length).length();
            }
            case FuseAbi.MKNOD -> {
                if ((rq.u32(body) & S_IFMT) != FileAttr.S_IFREG) {
                    throw new FsException(Errno.ENOSYS);
                }
                own(child, () -> core.release(child, core.create(child, 1 /* O_WRONLY */)));
                return entry(out, unique, node, names.name(), core.getattr(child));
            }
            case FuseAbi.MKDIR -> {
                own(child, () -> core.mkdir(child));
                return entry(out, unique, node, names.name(), core.getattr(child));
            }
            case FuseAbi.UNLINK, FuseAbi.RMDIR -> {
                own(child, () -> {
                    if (op == FuseAbi.UNLINK) {
                        core.unlink(child);
                    } else {
                        core.rmdir(child);
                    }
                });
                nodes.removed(node, names.name());
                return out.ok(unique).length();
            }
            case FuseAbi.RENAME -> {
                String dir = nodes.path(names.newDir());
                if (dir == null) {
                    throw new FsException(Errno.ENOENT);
                }
                String to = join(dir, names.newName());
                invalidator.asOwnChange(new String[] {child, to}, () -> core.rename(child, to));
                nodes.renamed(node, names.name(), names.newDir(), names.newName());
                return out.ok(unique).length();
            }
            case FuseAbi.OPEN -> {
                int flags = rq.u32(body);
                long fh = core.open(path, flags);
                return out.ok(unique).open(fh, openFlags(node)).length();
            }
            case FuseAbi.CREATE -> {
                int flags = rq.u32(body);
                long[] fh = new long[1];
                own(child, () -> fh[0] = core.create(child, flags));
                long id = putEntry(out, unique, node, names.name(), core.getattr(child));
                return out.open(fh[0], openFlags(id)).length();
            }
            case FuseAbi.READ -> {
                long fh = rq.u64(body);
                long offset = rq.u64(body + 8);
                int size = Math.min(rq.u32(body + 16), out.capacity());
                FsCore.Slice s = core.read(path, fh, offset, size);
                return out.ok(unique).data(s.array(), s.offset(), s.length()).length();
            }
            case FuseAbi.WRITE -> {
                long fh = rq.u64(body);
                long offset = rq.u64(body + 8);
                int size = rq.u32(body + 16);
                byte[] data = rq.bytes(body + FuseAbi.IO_IN, size);
                int[] n = new int[1];
                own(path, () -> n[0] = core.write(path, fh, offset, data));
                return out.ok(unique).written(n[0]).length();
            }
            case FuseAbi.STATFS -> {
                return out.ok(unique).statfs(core.statfs()).length();
            }
            case FuseAbi.FLUSH -> { // every open is FOPEN_NOFLUSH; a kernel that sends one anyway
                return out.ok(unique).length();
            }
            case FuseAbi.FSYNC -> {
                core.fsync(path, rq.u64(body));
                return out.ok(unique).length();
            }
            case FuseAbi.RELEASE -> {
                core.release(path, rq.u64(body));
                if ((rq.u32(body + 8) & O_ACCMODE) != 0 && !nodes.dynamic(node)) {
                    invalidator.stored(node); // the kernel keeps only pages a write covered whole
                }
                return out.ok(unique).length();
            }
            case FuseAbi.OPENDIR -> {
                List<String> entries = core.readdir(path);
                List<byte[]> listing = new ArrayList<>(entries.size() + 2);
                listing.add(new byte[] {'.'});
                listing.add(new byte[] {'.', '.'});
                for (String n : entries) {
                    listing.add(n.getBytes(StandardCharsets.UTF_8));
                }
                long fh = nextDir.getAndIncrement();
                dirs.put(fh, listing);
                return out.ok(unique).open(fh, 0).length();
            }
            case FuseAbi.READDIR -> {
                return readdir(rq, out);
            }
            case FuseAbi.RELEASEDIR -> {
                dirs.remove(rq.u64(body));
                return out.ok(unique).length();
            }
            case FuseAbi.ACCESS -> {
                access(rq.caller(), path, rq.u32(body));
                return out.ok(unique).length();
            }
            default -> {
                return out.error(unique, Errno.ENOSYS.code).length();
            }
        }
    }

    /**
     * What the kernel checks itself with {@code default_permissions}, for a caller other than
     * root. Root owns every entry, and what the owner bits refuse it (writes without quorum,
     * writes to status files) the tree refuses itself, so root's requests are not checked here.
     * Fd-based requests (read, write, release) were checked when the file was opened.
     */
    private void checkPermission(int op, FuseRequest rq, Caller c, String path, String child, Names names) {
        int body = FuseRequest.body();
        switch (op) {
            case FuseAbi.LOOKUP -> Permissions.require(c, core.getattr(path), Permissions.X);
            case FuseAbi.MKNOD, FuseAbi.MKDIR, FuseAbi.CREATE, FuseAbi.UNLINK, FuseAbi.RMDIR ->
                    Permissions.require(c, core.getattr(path), Permissions.W | Permissions.X);
            case FuseAbi.RENAME -> {
                Permissions.require(c, core.getattr(path), Permissions.W | Permissions.X);
                String dir = nodes.path(names.newDir());
                if (dir != null && !dir.equals(path)) {
                    Permissions.require(c, core.getattr(dir), Permissions.W | Permissions.X);
                    FileAttr moved = core.getattr(child);
                    if ((moved.mode() & S_IFMT) == FileAttr.S_IFDIR) {
                        Permissions.require(c, moved, Permissions.W); // its ".." changes
                    }
                }
            }
            case FuseAbi.OPEN, FuseAbi.OPENDIR -> {
                int acc = rq.u32(body) & O_ACCMODE;
                int mask = acc == 0 ? Permissions.R : acc == 1 ? Permissions.W : Permissions.R | Permissions.W;
                Permissions.require(c, core.getattr(path), mask);
            }
            case FuseAbi.SETATTR -> {
                int valid = rq.u32(body);
                FileAttr a = core.getattr(path);
                if ((valid & FuseAbi.FATTR_MODE) != 0) {
                    Permissions.requireOwner(c, a);
                }
                if ((valid & (FuseAbi.FATTR_UID | FuseAbi.FATTR_GID)) != 0) {
                    Permissions.requireChown(c, a,
                            (valid & FuseAbi.FATTR_UID) != 0 ? rq.u32(body + 76) & 0xffffffffL : -1,
                            (valid & FuseAbi.FATTR_GID) != 0 ? rq.u32(body + 80) & 0xffffffffL : -1);
                }
                if ((valid & FuseAbi.FATTR_SIZE) != 0) {
                    // also when the kernel names an open file: it does not say whether that was opened
                    // for writing (open(O_RDONLY | O_TRUNC) truncates through it)
                    Permissions.require(c, a, Permissions.W);
                }
                int times = valid & (FuseAbi.FATTR_ATIME | FuseAbi.FATTR_MTIME);
                if (times != 0) {
                    boolean now = ((valid & FuseAbi.FATTR_ATIME) == 0 || (valid & FuseAbi.FATTR_ATIME_NOW) != 0)
                            && ((valid & FuseAbi.FATTR_MTIME) == 0 || (valid & FuseAbi.FATTR_MTIME_NOW) != 0);
                    if (now) {
                        Permissions.requireTouch(c, a);
                    } else {
                        Permissions.requireOwner(c, a);
                    }
                }
            }
            default -> {
                // getattr, readlink, statfs, access and the fd-based requests: nothing to check
            }
        }
    }

    /**
     * access(2) (and chdir, which the kernel asks the same way): checked with the caller's real
     * ids, under which a caller other than root has no capabilities. The kernel walked the path
     * with those ids too, but the lookups of that walk reached the daemon as ordinary ones (with
     * capabilities), so the directories above are checked again here.
     */
    private void access(Caller c, String path, int mask) {
        if (c.uid != 0) {
            for (int slash = path.indexOf('/', 1); slash > 0; slash = path.indexOf('/', slash + 1)) {
                if (!Permissions.permits(c, core.getattr(path.substring(0, slash)), Permissions.X, true)) {
                    throw new FsException(Errno.EACCES);
                }
            }
        }
        int m = mask & (Permissions.R | Permissions.W | Permissions.X);
        if (m != 0 && !Permissions.permits(c, core.getattr(path), m, true)) {
            throw new FsException(Errno.EACCES);
        }
    }

    private int init(FuseRequest rq, FuseReply out) {
        int body = FuseRequest.body();
        int major = rq.u32(body);
        int minor = rq.u32(body + 4);
        int readahead = rq.u32(body + 8);
        int offered = rq.u32(body + 12);
        if (major != FuseAbi.KERNEL_VERSION || minor < FuseAbi.MIN_MINOR) {
            log.error("kernel FUSE protocol {}.{} is too old - need {}.{} or later (Linux 5.4+)", major, minor,
                    FuseAbi.KERNEL_VERSION, FuseAbi.MIN_MINOR);
            return out.error(rq.unique(), Errno.EPROTO.code).length();
        }
        int wanted = FuseAbi.ASYNC_READ | FuseAbi.BIG_WRITES | FuseAbi.AUTO_INVAL_DATA | FuseAbi.PARALLEL_DIROPS
                | FuseAbi.MAX_PAGES | FuseAbi.CACHE_SYMLINKS;
        int pages = maxWrite / 4096;
        out.ok(rq.unique()).init(Math.min(minor, FuseAbi.MAX_MINOR), readahead, offered & wanted, maxWrite, pages);
        int n = out.length();
        onInit.run();
        return n;
    }

    private int setattr(FuseRequest rq, FuseReply out, long node, String path) {
        int body = FuseRequest.body();
        int valid = rq.u32(body);
        // libfuse's order: mode, owner, size, times; the first failure ends it
        if ((valid & FuseAbi.FATTR_MODE) != 0) {
            core.chmod(path, rq.u32(body + 68));
        }
        if ((valid & (FuseAbi.FATTR_UID | FuseAbi.FATTR_GID)) != 0) {
            long uid = (valid & FuseAbi.FATTR_UID) != 0 ? rq.u32(body + 76) & 0xffffffffL : -1;
            long gid = (valid & FuseAbi.FATTR_GID) != 0 ? rq.u32(body + 80) & 0xffffffffL : -1;
            core.chown(path, uid, gid);
        }
        if ((valid & FuseAbi.FATTR_SIZE) != 0) {
            long size = rq.u64(body + 16);
            own(path, () -> core.truncate(path, size));
        }
        if ((valid & FuseAbi.FATTR_MTIME) != 0) {
            // not an own change: utime(0, 0) on a lock directory may remove it
            long mtime = (valid & FuseAbi.FATTR_MTIME_NOW) != 0 ? System.currentTimeMillis() / 1000
                    : rq.u64(body + 40);
            core.utimens(path, mtime);
            // it may have removed a lock directory: the caller's next look must not find it cached
            invalidator.awaitSent(1000);
        }
        FileAttr a = core.getattr(path);
        return out.ok(rq.unique()).attrOut(node, a, ttl(a)).length();
    }

    private int readdir(FuseRequest rq, FuseReply out) {
        int body = FuseRequest.body();
        List<byte[]> listing = dirs.get(rq.u64(body));
        if (listing == null) {
            return out.error(rq.unique(), Errno.EBADF.code).length();
        }
        long offset = rq.u64(body + 8);
        int limit = Math.min(rq.u32(body + 16), out.capacity());
        out.ok(rq.unique());
        for (int i = (int) Math.max(0, offset); i < listing.size(); i++) {
            if (!out.dirent(listing.get(i), i + 1, limit)) {
                break;
            }
        }
        return out.length();
    }

    private int entry(FuseReply out, long unique, long parent, String name, FileAttr a) {
        putEntry(out, unique, parent, name, a);
        return out.length();
    }

    /** Starts a reply with the entry of {@code name} in {@code parent}, which the kernel now holds once more. */
    private long putEntry(FuseReply out, long unique, long parent, String name, FileAttr a) {
        long id = nodes.lookedUp(parent, name, a);
        out.ok(unique).entry(id, a, ttl(a));
        return id;
    }

    /**
     * Status files change without notice; private entries (no bits for group and others) are
     * looked up again on every path walk, so that the daemon sees who walks below a directory
     * not everyone may search (without {@code default_permissions} the kernel does not check a
     * cached name). A private directory's entries are private, and every other directory may be
     * searched by everyone, so caching every other name gives no one a way around a check.
     */
    private static long ttl(FileAttr a) {
        return a.dynamic() || (a.mode() & 077) == 0 ? 0 : CACHE_SECONDS;
    }

    private int openFlags(long node) {
        if (nodes.dynamic(node)) {
            return FuseAbi.FOPEN_DIRECT_IO | FuseAbi.FOPEN_NOFLUSH;
        }
        return FuseAbi.FOPEN_KEEP_CACHE | FuseAbi.FOPEN_NOFLUSH;
    }

    private void own(String path, Runnable body) {
        invalidator.asOwnChange(new String[] {path}, body);
    }
}
