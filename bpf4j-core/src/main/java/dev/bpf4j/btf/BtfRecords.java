package dev.bpf4j.btf;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A copy of the blob an object's BTF was parsed from, in which a loader rewrites a few words of
 * DATASEC and VAR records in place: a section's size, its variables' offsets and order, a
 * variable's linkage. The kernel then gets the object's own bytes with those words changed; no type
 * is decoded into objects or encoded again, and every string offset stays as it was. For loaders:
 * it checks kinds and indexes, not what the kernel will make of the words.
 */
public final class BtfRecords {
    private static final int HEADER = 12;  // name_off, info, size or type
    private static final int SECINFO = 12; // a DATASEC entry: type, offset, size
    private static final VarHandle LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final Btf btf;
    private final TypeTable table;
    private final int[] offsets; // record start of id at [id - 1]
    private final byte[] bytes;
    private final boolean little;

    private BtfRecords(Btf btf, Btf.Source source) {
        this.btf = btf;
        this.table = source.parsed();
        this.offsets = source.recordOffsets();
        this.bytes = source.blob().toArray(ValueLayout.JAVA_BYTE);
        this.little = btf.order() == ByteOrder.LITTLE_ENDIAN;
    }

    /** A copy of the blob {@code btf} was parsed from; {@code btf} must be that parse, not a changed copy or split BTF. */
    public static BtfRecords copyOf(Btf btf) {
        Btf.Source source = btf.source();
        if (source == null || btf.table() != source.parsed()) {
            throw new IllegalArgumentException("BTF records can be patched only in BTF parsed from a blob, unchanged");
        }
        return new BtfRecords(btf, source);
    }

    /** The ids of the types of this kind, in id order. */
    public int[] idsOfKind(BtfKind kind) {
        return table.idsOfKind(kind).clone();
    }

    /** The kind of type {@code id} (VOID for 0); an id outside the table is a format error, as in {@link Btf#type}. */
    public BtfKind kind(int id) {
        btf.requireId(id);
        return table.kind(id);
    }

    public String name(int id) {
        return btf.strings().get(u32(at(id)));
    }

    /** A DATASEC's size in bytes. */
    public int size(int datasec) {
        return u32(at(datasec, BtfKind.DATASEC) + 8);
    }

    public void setSize(int datasec, int size) {
        put(at(datasec, BtfKind.DATASEC) + 8, size);
    }

    /** How many variables a DATASEC lists. */
    public int varCount(int datasec) {
        return u32(at(datasec, BtfKind.DATASEC) + 4) & 0xffff;
    }

    /** The type id of a DATASEC's {@code i}-th entry (a VAR, or a FUNC for an extern function). */
    public int varType(int datasec, int i) {
        return u32(entry(datasec, i));
    }

    public void setVarOffset(int datasec, int i, int offset) {
        put(entry(datasec, i) + 4, offset);
    }

    /** Orders a DATASEC's entries by offset, as the kernel wants them; entries of equal offset keep their order. */
    public void sortVars(int datasec) {
        int first = at(datasec, BtfKind.DATASEC) + HEADER;
        int n = varCount(datasec);
        for (int i = 1; i < n; i++) { // insertion sort: a section lists a handful of variables, mostly in order
            int type = u32(first + i * SECINFO);
            int offset = u32(first + i * SECINFO + 4);
            int size = u32(first + i * SECINFO + 8);
            int j = i - 1;
            while (j >= 0 && u32(first + j * SECINFO + 4) > offset) {
                System.arraycopy(bytes, first + j * SECINFO, bytes, first + (j + 1) * SECINFO, SECINFO);
                j--;
            }
            int to = first + (j + 1) * SECINFO;
            put(to, type);
            put(to + 4, offset);
            put(to + 8, size);
        }
    }

    /** A VAR's linkage. */
    public BtfType.Linkage linkage(int var) {
        return BtfType.Linkage.of(u32(at(var, BtfKind.VAR) + HEADER));
    }

    public void setLinkage(int var, BtfType.Linkage linkage) {
        put(at(var, BtfKind.VAR) + HEADER, linkage.ordinal());
    }

    /** The blob with the changes made, in the BTF's own byte order: this copy's array itself, not another copy. */
    public byte[] bytes() {
        return bytes;
    }

    private int at(int id) {
        if (kind(id) == BtfKind.VOID) {
            throw new IllegalArgumentException("BTF type #0, void, has no record");
        }
        return offsets[id - 1];
    }

    private int at(int id, BtfKind kind) {
        if (kind(id) != kind) {
            throw new IllegalArgumentException("BTF type #" + id + " is a " + kind(id) + ", not a " + kind);
        }
        return offsets[id - 1];
    }

    private int entry(int datasec, int i) {
        if (i < 0 || i >= varCount(datasec)) {
            throw new IndexOutOfBoundsException("DATASEC #" + datasec + " has no entry " + i);
        }
        return at(datasec, BtfKind.DATASEC) + HEADER + i * SECINFO;
    }

    private int u32(int p) {
        return little ? (int) LE.get(bytes, p) : (int) BE.get(bytes, p);
    }

    private void put(int p, int v) {
        if (little) {
            LE.set(bytes, p, v);
        } else {
            BE.set(bytes, p, v);
        }
    }
}
