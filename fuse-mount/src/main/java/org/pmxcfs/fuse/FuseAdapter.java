package org.pmxcfs.fuse;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import jnr.ffi.provider.jffi.ClosureHelper;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * Maps FUSE callbacks onto {@link FsCore}: argument marshalling and errno mapping only. Paths
 * arrive as the kernel's bytes and are decoded by {@link FusePaths} (strict UTF-8, name length),
 * not by jnr-fuse, whose lenient default-charset decoding merged different names into one.
 * Operations left out of {@link FuseTable} (symlink, link, xattrs, fallocate, mknod of special
 * files) get libfuse's ENOSYS, which the kernel reports as the original does.
 */
public final class FuseAdapter {

    private static final Logger log = LoggerFactory.getLogger("fuse");
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private final FsCore core;
    private final Runnable onInit;
    private final FuseTable table;

    public FuseAdapter(FsCore core, Runnable onInit) {
        this.core = core;
        this.onInit = onInit;
        this.table = new FuseTable(this);
    }

    /** The FUSE operation table, for {@link FuseLoop}. */
    ru.serce.jnrfuse.struct.FuseOperations operations() {
        return table.operations();
    }

    @FunctionalInterface
    private interface Body {
        int run(String path);
    }

    private static int call(String op, Pointer rawPath, Body body) {
        String path = null;
        try {
            path = FusePaths.decode(rawPath);
            return body.run(path);
        } catch (FsException e) {
            return -e.errno().code;
        } catch (RuntimeException e) {
            log.error("{} '{}' failed: {}", op, path, e.toString(), e);
            return -Errno.EIO.code;
        } catch (Error e) {
            // thrown back into libfuse it would be lost or kill the worker quietly: the daemon's
            // uncaught-exception handler decides (pmxcfs stops), and until it does the caller gets EIO
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
            return -Errno.EIO.code;
        }
    }

    Pointer init(Pointer conn) {
        onInit.run();
        return null;
    }

    int getattr(Pointer rawPath, Pointer statBuf) {
        return call("getattr", rawPath, path -> {
            FileAttr a = core.getattr(path);
            FileStat stat = FileStat.of(statBuf);
            stat.st_mode.set(a.mode());
            stat.st_nlink.set(a.nlink());
            stat.st_uid.set(a.uid());
            stat.st_gid.set(a.gid());
            stat.st_size.set(a.size());
            stat.st_blocks.set(a.blocks());
            stat.st_atim.tv_sec.set(a.mtime());
            stat.st_mtim.tv_sec.set(a.mtime());
            stat.st_ctim.tv_sec.set(a.mtime());
            return 0;
        });
    }

    int readlink(Pointer rawPath, Pointer buf, long size) {
        return call("readlink", rawPath, path -> {
            byte[] target = core.readlink(path).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    int readdir(Pointer rawPath, Pointer buf, Pointer fillerPtr, long offset, Pointer fi) {
        return call("readdir", rawPath, path -> {
            ClosureHelper closures = ClosureHelper.getInstance();
            FuseFillDir filler = (FuseFillDir) closures.getNativeConveter(FuseFillDir.class)
                    .fromNative(fillerPtr, closures.getFromNativeContext());
            filler.apply(buf, ByteBuffer.wrap(FusePaths.cString(".")), null, 0);
            filler.apply(buf, ByteBuffer.wrap(FusePaths.cString("..")), null, 0);
            for (String name : core.readdir(path)) {
                if (filler.apply(buf, ByteBuffer.wrap(FusePaths.cString(name)), null, 0) != 0) {
                    break;
                }
            }
            return 0;
        });
    }

    int open(Pointer rawPath, Pointer fiPtr) {
        return call("open", rawPath, path -> {
            FuseFileInfo fi = FuseFileInfo.of(fiPtr);
            fi.fh.set(core.open(path, fi.flags.get()));
            return 0;
        });
    }

    int create(Pointer rawPath, long mode, Pointer fiPtr) {
        return call("create", rawPath, path -> {
            FuseFileInfo fi = FuseFileInfo.of(fiPtr);
            fi.fh.set(core.create(path, fi.flags.get()));
            return 0;
        });
    }

    int read(Pointer rawPath, Pointer buf, long size, long offset, Pointer fi) {
        return call("read", rawPath, path -> {
            FsCore.Slice s = core.read(path, fh(fi), offset, (int) Math.min(size, Integer.MAX_VALUE));
            buf.put(0, s.array(), s.offset(), s.length());
            return s.length();
        });
    }

    int write(Pointer rawPath, Pointer buf, long size, long offset, Pointer fi) {
        return call("write", rawPath, path -> {
            byte[] data = new byte[(int) size];
            buf.get(0, data, 0, data.length);
            return core.write(path, fh(fi), offset, data);
        });
    }

    int truncate(Pointer rawPath, long size) {
        return call("truncate", rawPath, path -> {
            core.truncate(path, size);
            return 0;
        });
    }

    int ftruncate(Pointer rawPath, long size, Pointer fi) {
        return truncate(rawPath, size);
    }

    int flush(Pointer rawPath, Pointer fi) {
        return call("flush", rawPath, path -> {
            core.flush(path, fh(fi));
            return 0;
        });
    }

    int fsync(Pointer rawPath, int isdatasync, Pointer fi) {
        return call("fsync", rawPath, path -> {
            core.fsync(path, fh(fi));
            return 0;
        });
    }

    int release(Pointer rawPath, Pointer fi) {
        return call("release", rawPath, path -> {
            core.release(path, fh(fi));
            return 0;
        });
    }

    int mkdir(Pointer rawPath, long mode) {
        return call("mkdir", rawPath, path -> {
            core.mkdir(path);
            return 0;
        });
    }

    int unlink(Pointer rawPath) {
        return call("unlink", rawPath, path -> {
            core.unlink(path);
            return 0;
        });
    }

    int rmdir(Pointer rawPath) {
        return call("rmdir", rawPath, path -> {
            core.rmdir(path);
            return 0;
        });
    }

    int rename(Pointer rawFrom, Pointer rawTo) {
        return call("rename", rawFrom, from -> {
            core.rename(from, FusePaths.decode(rawTo));
            return 0;
        });
    }

    int utimens(Pointer rawPath, Pointer times) {
        return call("utimens", rawPath, path -> {
            // times[0] is atime, times[1] mtime
            Timespec atime = Timespec.of(times);
            Timespec m = Timespec.of(times.slice(Struct.size(atime)));
            long nsec = m.tv_nsec.longValue();
            if (nsec == UTIME_OMIT) {
                return 0;
            }
            long mtime = nsec == UTIME_NOW ? System.currentTimeMillis() / 1000 : m.tv_sec.get();
            core.utimens(path, mtime);
            return 0;
        });
    }

    int chmod(Pointer rawPath, long mode) {
        return call("chmod", rawPath, path -> {
            core.chmod(path, (int) mode);
            return 0;
        });
    }

    int chown(Pointer rawPath, long uid, long gid) {
        return call("chown", rawPath, path -> {
            core.chown(path, (int) uid, (int) gid);
            return 0;
        });
    }

    int statfs(Pointer rawPath, Pointer buf) {
        return call("statfs", rawPath, path -> {
            FsStat s = core.statfs();
            Statvfs st = Statvfs.of(buf);
            st.f_bsize.set(s.blockSize());
            st.f_frsize.set(s.blockSize());
            st.f_blocks.set(s.blocks());
            st.f_bfree.set(s.freeBlocks());
            st.f_bavail.set(s.freeBlocks());
            st.f_files.set(s.files());
            st.f_ffree.set(s.freeFiles());
            st.f_namemax.set(s.nameMax());
            return 0;
        });
    }

    private static long fh(Pointer fi) {
        return FuseFileInfo.of(fi).fh.get();
    }
}
