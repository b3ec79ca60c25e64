package dev.bpf4j.btf;

import dev.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.function.Supplier;

/** Bounds-checked reads inside one BTF or BTF.ext blob; errors name where it came from and the file offset. */
final class BtfInput {
    private final MemorySegment data;
    /** Built only for an error: an object file names its section, a concatenation per parse otherwise. */
    private final Supplier<String> where;
    private final long fileOffset;
    /**
     * The whole file when it is at hand as an array (the blob is its bytes from {@code fileOffset}),
     * else null: an array view read checks one bound, a segment read also its session and base.
     */
    private final byte[] file;
    private final int base;
    private static final VarHandle LE16A = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE32A = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BE16A = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    // Constant layouts per byte order: a layout held in a field defeats the JIT's folding of the
    // access checks, which then dominate parsing.
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private boolean little = true;

    BtfInput(MemorySegment data, String where, long fileOffset) {
        this(data, (byte[]) null, () -> where, fileOffset);
    }

    private BtfInput(MemorySegment data, byte[] file, Supplier<String> where, long fileOffset) {
        this.data = data;
        this.file = file;
        this.base = file == null ? 0 : (int) fileOffset;
        this.where = where;
        this.fileOffset = fileOffset;
    }

    /** The blob of {@code length} bytes at {@code offset} in {@code file}, read straight from the array. */
    BtfInput(byte[] file, long offset, long length, Supplier<String> where) {
        this(MemorySegment.ofArray(file).asSlice(offset, length).asReadOnly(), file, where, offset);
    }

    /** Sets the byte order from a 16-bit magic stored at offset 0. */
    void orderFromMagic(int magic, String what) {
        if (size() < 2) {
            require(0, 2, what + " magic"); // throws
        }
        int le = Short.toUnsignedInt(data.get(LE16, 0));
        if (le == magic) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else if (Integer.reverseBytes(le << 16) == magic) {
            order = ByteOrder.BIG_ENDIAN;
        } else {
            throw error("bad " + what + " magic 0x" + Integer.toHexString(le), 0);
        }
        little = order == ByteOrder.LITTLE_ENDIAN;
    }

    ByteOrder order() {
        return order;
    }

    long size() {
        return data.byteSize();
    }

    MemorySegment data() {
        return data;
    }

    void require(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
            throw error(what + " (" + length + " bytes) runs past the end (" + size() + " bytes)", offset);
        }
    }

    int u8(long offset) {
        require(offset, 1, "byte");
        return Byte.toUnsignedInt(file != null ? file[base + (int) offset] : data.get(ValueLayout.JAVA_BYTE, offset));
    }

    int u16(long offset) {
        require(offset, 2, "u16");
        if (file != null) {
            int at = base + (int) offset;
            return Short.toUnsignedInt(little ? (short) LE16A.get(file, at) : (short) BE16A.get(file, at));
        }
        return Short.toUnsignedInt(little ? data.get(LE16, offset) : data.get(BE16, offset));
    }

    /** A u32 as a Java int (callers decide signedness). */
    int u32(long offset) {
        require(offset, 4, "u32");
        return rawU32(offset);
    }

    /**
     * A u32 at an offset the caller has already checked. Kept small (one array view, the segment
     * read apart) so that the JIT inlines it into the parse loops, which it did not at twice the size.
     */
    int rawU32(long offset) {
        if (file == null) {
            return segmentU32(offset);
        }
        int v = (int) LE32A.get(file, base + (int) offset);
        return little ? v : Integer.reverseBytes(v);
    }

    private int segmentU32(long offset) {
        return little ? data.get(LE32, offset) : data.get(BE32, offset);
    }

    /** A u32 that is used as a count, length or offset: must fit in an int. */
    int length(long offset, String what) {
        return length(offset, what, "");
    }

    /** A length named {@code what + field}, joined only for an error: this runs per BTF.ext subsection. */
    int length(long offset, String what, String field) {
        int v = u32(offset);
        if (v < 0) {
            throw error(what + field + " " + Integer.toUnsignedString(v) + " is too large", offset);
        }
        return v;
    }

    BpfFormatException error(String message, long offset) {
        return new BpfFormatException(where.get() + ": " + message + " at offset 0x" + Long.toHexString(fileOffset + offset));
    }
}
