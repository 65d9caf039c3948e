package org.pmxcfs.fuse;

import java.util.ArrayList;
import java.util.List;
import jnr.ffi.BaseStruct;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import jnr.ffi.annotations.Delegate;
import jnr.ffi.types.gid_t;
import jnr.ffi.types.mode_t;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.uid_t;
import ru.serce.jnrfuse.struct.FuseOperations;

/**
 * The libfuse 2 operation table, filled with closures whose path arguments are raw pointers.
 * jnr-fuse's own callbacks take paths as Strings decoded with the JVM's default charset, which
 * replaces malformed bytes with U+FFFD (and, under a non-UTF-8 locale, every non-ASCII byte);
 * only its struct layout is used here. One interface per native signature; the jnr type
 * annotations give the C widths of the integer arguments.
 */
final class FuseTable {

    /** {@code int (const char *path)}: unlink, rmdir. */
    public interface PathFn {
        @Delegate
        int call(Pointer path);
    }

    /** {@code int (const char *path, void *arg)}: getattr, open, flush, release, statfs, utimens, rename. */
    public interface PathPointerFn {
        @Delegate
        int call(Pointer path, Pointer arg);
    }

    /** {@code int (const char *path, mode_t mode)}: mkdir, chmod. */
    public interface PathModeFn {
        @Delegate
        int call(Pointer path, @mode_t long mode);
    }

    /** {@code int (const char *path, off_t size)}: truncate. */
    public interface PathOffsetFn {
        @Delegate
        int call(Pointer path, @off_t long size);
    }

    /** {@code int (const char *path, mode_t mode, struct fuse_file_info *fi)}: create. */
    public interface PathModeFileFn {
        @Delegate
        int call(Pointer path, @mode_t long mode, Pointer fi);
    }

    /** {@code int (const char *path, off_t size, struct fuse_file_info *fi)}: ftruncate. */
    public interface PathOffsetFileFn {
        @Delegate
        int call(Pointer path, @off_t long size, Pointer fi);
    }

    /** {@code int (const char *path, int datasync, struct fuse_file_info *fi)}: fsync. */
    public interface PathIntFileFn {
        @Delegate
        int call(Pointer path, int datasync, Pointer fi);
    }

    /** {@code int (const char *path, char *buf, size_t size)}: readlink. */
    public interface ReadlinkFn {
        @Delegate
        int call(Pointer path, Pointer buf, @size_t long size);
    }

    /** {@code int (const char *path, char *buf, size_t size, off_t offset, fi)}: read, write. */
    public interface IoFn {
        @Delegate
        int call(Pointer path, Pointer buf, @size_t long size, @off_t long offset, Pointer fi);
    }

    /** {@code int (const char *path, void *buf, fuse_fill_dir_t filler, off_t offset, fi)}: readdir. */
    public interface ReaddirFn {
        @Delegate
        int call(Pointer path, Pointer buf, Pointer filler, @off_t long offset, Pointer fi);
    }

    /** {@code int (const char *path, uid_t uid, gid_t gid)}: chown. */
    public interface ChownFn {
        @Delegate
        int call(Pointer path, @uid_t long uid, @gid_t long gid);
    }

    /** {@code void *(struct fuse_conn_info *conn)}: init. */
    public interface InitFn {
        @Delegate
        Pointer call(Pointer conn);
    }

    private final FuseOperations ops = new FuseOperations(Runtime.getSystemRuntime());
    /** jnr-ffi frees a closure once its Java object is collected; libfuse only has the pointers. */
    private final List<Object> closures = new ArrayList<>();

    FuseTable(FuseAdapter a) {
        put(ops.init, InitFn.class, a::init);
        put(ops.getattr, PathPointerFn.class, a::getattr);
        put(ops.readlink, ReadlinkFn.class, a::readlink);
        put(ops.readdir, ReaddirFn.class, a::readdir);
        put(ops.open, PathPointerFn.class, a::open);
        put(ops.create, PathModeFileFn.class, a::create);
        put(ops.read, IoFn.class, a::read);
        put(ops.write, IoFn.class, a::write);
        put(ops.truncate, PathOffsetFn.class, a::truncate);
        put(ops.ftruncate, PathOffsetFileFn.class, a::ftruncate);
        put(ops.flush, PathPointerFn.class, a::flush);
        put(ops.fsync, PathIntFileFn.class, a::fsync);
        put(ops.release, PathPointerFn.class, a::release);
        put(ops.mkdir, PathModeFn.class, a::mkdir);
        put(ops.unlink, PathFn.class, a::unlink);
        put(ops.rmdir, PathFn.class, a::rmdir);
        put(ops.rename, PathPointerFn.class, a::rename);
        put(ops.utimens, PathPointerFn.class, a::utimens);
        put(ops.chmod, PathModeFn.class, a::chmod);
        put(ops.chown, ChownFn.class, a::chown);
        put(ops.statfs, PathPointerFn.class, a::statfs);
    }

    private <T> void put(BaseStruct.Func<?> slot, Class<T> type, T closure) {
        closures.add(closure);
        Pointer fn = ops.getRuntime().getClosureManager().getClosurePointer(type, closure);
        Struct.getMemory(ops).putPointer(slot.offset(), fn);
    }

    FuseOperations operations() {
        return ops;
    }
}
