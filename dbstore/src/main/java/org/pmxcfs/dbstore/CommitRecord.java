package org.pmxcfs.dbstore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@link Store#commit} as a value: the rows deleted, the rows written, then the version row.
 * The unit of the {@link CommitLog}. Layout, little-endian: {@code u32 ndeleted, u64 inode × ndeleted,
 * u32 nwritten, entry × nwritten, entry (the version row)}; an entry is {@code u64 inode, u64 parent,
 * u64 version, u32 writer, u64 mtime, u8 type, u32 namelen (NUL included), name\0, i32 size (-1: no
 * data), data[size]}. Unlike the dcdb UPDATE ({@link InodeUpdate}) every column travels as stored:
 * the version row keeps its name, type 8 and the agreed version in {@code parent}.
 */
public record CommitRecord(List<Long> deleted, List<TreeEntry> written, TreeEntry versionRow) {

    private static final int ENTRY_FIXED_BYTES = 8 + 8 + 8 + 4 + 8 + 1 + 4 + 4;

    public CommitRecord {
        deleted = List.copyOf(deleted);
        written = List.copyOf(written);
    }

    /** A copy of one commit's arguments (the memdb reuses its collections after the call). */
    public static CommitRecord of(Collection<Long> deleted, Collection<TreeEntry> written, TreeEntry versionRow) {
        return new CommitRecord(List.copyOf(deleted), List.copyOf(written), versionRow);
    }

    /** Bytes this record keeps alive: its data and names, roughly. */
    public long bytes() {
        long n = 8L * deleted.size() + ENTRY_FIXED_BYTES;
        for (TreeEntry e : written) {
            n += ENTRY_FIXED_BYTES + e.size() + e.name().length();
        }
        return n;
    }

    /**
     * Applies this commit to {@code rows} (by inode) and records its deletions in {@code deleted}
     * (a row written again leaves it); the version row is not among the rows.
     */
    public void applyTo(Map<Long, TreeEntry> rows, Set<Long> deleted) {
        for (long inode : this.deleted) {
            rows.remove(inode);
            deleted.add(inode);
        }
        for (TreeEntry e : written) {
            rows.put(e.inode(), e);
            deleted.remove(e.inode());
        }
    }

    /**
     * Whether this commit, applied after {@code older}, leaves nothing of it: {@code older} deletes
     * nothing and every row it writes is written again here. Then the two merged are this one (a
     * file written in chunks commits its whole row with every chunk, and only the last one counts).
     */
    public boolean supersedes(CommitRecord older) {
        if (!older.deleted.isEmpty()) {
            return false;
        }
        Set<Long> mine = new HashSet<>();
        for (TreeEntry e : written) {
            mine.add(e.inode());
        }
        for (TreeEntry e : older.written) {
            if (!mine.contains(e.inode())) {
                return false;
            }
        }
        return true;
    }

    /** Several commits in order as one: the last state of every row they touch, the last version row. */
    public static CommitRecord merge(List<CommitRecord> records) {
        Map<Long, TreeEntry> rows = new LinkedHashMap<>();
        Set<Long> deleted = new LinkedHashSet<>();
        for (CommitRecord r : records) {
            r.applyTo(rows, deleted);
        }
        return new CommitRecord(List.copyOf(deleted), List.copyOf(rows.values()),
                records.get(records.size() - 1).versionRow());
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(encodedLength());
        encodeTo(b);
        return b.array();
    }

    /** The length of {@link #encode()}'s bytes. */
    public int encodedLength() {
        long length = 4 + 8L * deleted.size() + 4;
        for (int i = 0; i <= written.size(); i++) {
            TreeEntry e = i < written.size() ? written.get(i) : versionRow;
            length += ENTRY_FIXED_BYTES + e.name().getBytes(StandardCharsets.UTF_8).length + 1 + e.size();
        }
        return Math.toIntExact(length);
    }

    /**
     * Writes {@link #encode()}'s bytes at {@code b}'s position: the commit log frames a record in
     * place, without a copy of the whole record (a file written in chunks commits its whole row
     * with every chunk).
     */
    public void encodeTo(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(deleted.size());
        for (long inode : deleted) {
            b.putLong(inode);
        }
        b.putInt(written.size());
        for (int i = 0; i <= written.size(); i++) {
            TreeEntry e = i < written.size() ? written.get(i) : versionRow;
            put(b, e, e.name().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void put(ByteBuffer b, TreeEntry e, byte[] name) {
        b.putLong(e.inode()).putLong(e.parent()).putLong(e.version()).putInt(e.writer()).putLong(e.mtime())
                .put((byte) e.type()).putInt(name.length + 1).put(name).put((byte) 0);
        if (e.data() == null) {
            b.putInt(-1);
        } else {
            b.putInt(e.data().length).put(e.data());
        }
    }

    /** Decodes {@link #encode()}'s bytes; anything else is refused with the field that is wrong. */
    public static CommitRecord decode(byte[] bytes) throws WireFormatException {
        WireReader r = new WireReader(bytes, "commit record");
        long ndeleted = r.u32("ndeleted");
        if (ndeleted > r.remaining() / 8) {
            throw r.error(ndeleted + " deleted inodes do not fit in " + r.remaining() + " bytes");
        }
        Long[] deleted = new Long[(int) ndeleted];
        for (int i = 0; i < deleted.length; i++) {
            deleted[i] = r.u64("deleted inode");
        }
        long nwritten = r.u32("nwritten");
        if (nwritten > r.remaining() / ENTRY_FIXED_BYTES) {
            throw r.error(nwritten + " written rows do not fit in " + r.remaining() + " bytes");
        }
        TreeEntry[] written = new TreeEntry[(int) nwritten];
        for (int i = 0; i < written.length; i++) {
            written[i] = entry(r);
        }
        TreeEntry versionRow = entry(r);
        r.end();
        return new CommitRecord(List.of(deleted), List.of(written), versionRow);
    }

    private static TreeEntry entry(WireReader r) throws WireFormatException {
        long inode = r.u64("inode");
        long parent = r.u64("parent");
        long version = r.u64("version");
        int writer = r.i32("writer");
        long mtime = r.u64("mtime");
        int type = r.u8("type");
        String name = r.cString(r.u32("namelen"), "name");
        int size = r.i32("size");
        if (size < -1) {
            throw r.error("size " + size + " of inode " + inode);
        }
        byte[] data = size == -1 ? null : r.bytes(size, "data");
        return new TreeEntry(inode, parent, version, writer, mtime, type, name, data);
    }
}
