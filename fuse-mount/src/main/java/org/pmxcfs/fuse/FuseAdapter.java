package org.pmxcfs.fuse;

import java.util.function.IntSupplier;
import jnr.ffi.Pointer;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import org.pmxcfs.dbstore.Errno;
import org.pmxcfs.dbstore.FsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * Maps FUSE callbacks onto {@link FsCore}: argument marshalling and errno mapping only.
 * Operations left unimplemented here (symlink, link, xattrs, fallocate, mknod of special files)
 * get libfuse's ENOSYS, which the kernel reports as the original does.
 */
public final class FuseAdapter extends FuseStubFS {

    private static final Logger log = LoggerFactory.getLogger("fuse");
    private static final long UTIME_NOW = (1L << 30) - 1;
    private static final long UTIME_OMIT = (1L << 30) - 2;

    private final FsCore core;
    private final Runnable onInit;

    public FuseAdapter(FsCore core, Runnable onInit) {
        this.core = core;
        this.onInit = onInit;
    }

    /** The FUSE operation table, for {@link FuseLoop}. */
    ru.serce.jnrfuse.struct.FuseOperations operations() {
        return fuseOperations;
    }

    private static int call(String op, String path, IntSupplier body) {
        try {
            return body.getAsInt();
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

    @Override
    public Pointer init(Pointer conn) {
        onInit.run();
        return null;
    }

    @Override
    public int getattr(String path, FileStat stat) {
        return call("getattr", path, () -> {
            FileAttr a = core.getattr(path);
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

    @Override
    public int readlink(String path, Pointer buf, @size_t long size) {
        return call("readlink", path, () -> {
            byte[] target = core.readlink(path).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int n = (int) Math.min(target.length, size - 1);
            buf.put(0, target, 0, n);
            buf.putByte(n, (byte) 0);
            return 0;
        });
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filler, @off_t long offset, FuseFileInfo fi) {
        return call("readdir", path, () -> {
            filler.apply(buf, ".", null, 0);
            filler.apply(buf, "..", null, 0);
            for (String name : core.readdir(path)) {
                if (filler.apply(buf, name, null, 0) != 0) {
                    break;
                }
            }
            return 0;
        });
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        return call("open", path, () -> {
            fi.fh.set(core.open(path, fi.flags.get()));
            return 0;
        });
    }

    @Override
    public int create(String path, @mode_t long mode, FuseFileInfo fi) {
        return call("create", path, () -> {
            fi.fh.set(core.create(path, fi.flags.get()));
            return 0;
        });
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return call("read", path, () -> {
            FsCore.Slice s = core.read(path, fi.fh.get(), offset, (int) Math.min(size, Integer.MAX_VALUE));
            buf.put(0, s.array(), s.offset(), s.length());
            return s.length();
        });
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return call("write", path, () -> {
            byte[] data = new byte[(int) size];
            buf.get(0, data, 0, data.length);
            return core.write(path, fi.fh.get(), offset, data);
        });
    }

    @Override
    public int truncate(String path, @off_t long size) {
        return call("truncate", path, () -> {
            core.truncate(path, size);
            return 0;
        });
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return truncate(path, size);
    }

    @Override
    public int flush(String path, FuseFileInfo fi) {
        return call("flush", path, () -> {
            core.flush(path, fi.fh.get());
            return 0;
        });
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return call("fsync", path, () -> {
            core.fsync(path, fi.fh.get());
            return 0;
        });
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return call("release", path, () -> {
            core.release(path, fi.fh.get());
            return 0;
        });
    }

    @Override
    public int mkdir(String path, @mode_t long mode) {
        return call("mkdir", path, () -> {
            core.mkdir(path);
            return 0;
        });
    }

    @Override
    public int unlink(String path) {
        return call("unlink", path, () -> {
            core.unlink(path);
            return 0;
        });
    }

    @Override
    public int rmdir(String path) {
        return call("rmdir", path, () -> {
            core.rmdir(path);
            return 0;
        });
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return call("rename", oldpath, () -> {
            core.rename(oldpath, newpath);
            return 0;
        });
    }

    @Override
    public int utimens(String path, Timespec[] timespec) {
        return call("utimens", path, () -> {
            Timespec m = timespec[1];
            long nsec = m.tv_nsec.longValue();
            if (nsec == UTIME_OMIT) {
                return 0;
            }
            long mtime = nsec == UTIME_NOW ? System.currentTimeMillis() / 1000 : m.tv_sec.get();
            core.utimens(path, mtime);
            return 0;
        });
    }

    @Override
    public int chmod(String path, @mode_t long mode) {
        return call("chmod", path, () -> {
            core.chmod(path, (int) mode);
            return 0;
        });
    }

    @Override
    public int chown(String path, @uid_t long uid, @gid_t long gid) {
        return call("chown", path, () -> {
            core.chown(path, (int) uid, (int) gid);
            return 0;
        });
    }

    @Override
    public int statfs(String path, Statvfs st) {
        return call("statfs", path, () -> {
            FsStat s = core.statfs();
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
}
