package dev.bpf4j.elf;

import dev.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Bounds-checked reads from the whole file; every failure names the file and the offset. */
final class ElfInput {
    private final String fileName;
    private final MemorySegment data;
    /**
     * The file's bytes when it was given as an array, else null: a read through an array view
     * checks one bound, a read through a segment also its session, base and layout, which was a
     * fifth of parsing.
     */
    private final byte[] array;
    private static final VarHandle LE16A = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE32A = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE64A = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    // Constant layouts per byte order: a layout held in a field defeats the JIT's folding of the
    // access checks, which then dominate parsing.
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private boolean little = true;

    /** {@code array}, if not null, holds the same bytes as {@code data}. */
    ElfInput(String fileName, MemorySegment data, byte[] array) {
        this.fileName = fileName;
        this.data = data;
        this.array = array;
    }

    void order(ByteOrder order) {
        this.order = order;
        this.little = order == ByteOrder.LITTLE_ENDIAN;
    }

    ByteOrder order() {
        return order;
    }

    String fileName() {
        return fileName;
    }

    MemorySegment data() {
        return data;
    }

    long size() {
        return data.byteSize();
    }

    /** True when [offset, offset + length) lies inside the file. */
    boolean fits(long offset, long length) {
        return offset >= 0 && length >= 0 && offset <= size() && length <= size() - offset;
    }

    /** Fails unless [offset, offset + length) lies inside the file. */
    void require(String where, long offset, long length, String what) {
        if (!fits(offset, length)) {
            throw error(where, what + " (" + length + " bytes) lies past the end of the file ("
                    + size() + " bytes)", offset);
        }
    }

    int u8(String where, long offset) {
        require(where, offset, 1, "byte");
        return rawU8(offset);
    }

    int u16(String where, long offset) {
        require(where, offset, 2, "u16");
        return rawU16(offset);
    }

    long u32(String where, long offset) {
        require(where, offset, 4, "u32");
        return rawU32(offset);
    }

    long u64(String where, long offset) {
        require(where, offset, 8, "u64");
        return rawU64(offset);
    }

    // Reads inside a range the caller has checked with require or fits (the header table, a
    // section's contents): no check of their own, where one per field cost more than the read.
    // The array view and the segment still refuse an access outside the file. Each is kept small
    // (one array view, the segment read apart) so that the JIT inlines it into the parse loops.

    int rawU8(long offset) {
        return array != null ? Byte.toUnsignedInt(array[(int) offset]) : Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, offset));
    }

    int rawU16(long offset) {
        if (array == null) {
            return segmentU16(offset);
        }
        short v = (short) LE16A.get(array, (int) offset);
        return Short.toUnsignedInt(little ? v : Short.reverseBytes(v));
    }

    long rawU32(long offset) {
        if (array == null) {
            return segmentU32(offset);
        }
        int v = (int) LE32A.get(array, (int) offset);
        return Integer.toUnsignedLong(little ? v : Integer.reverseBytes(v));
    }

    long rawU64(long offset) {
        if (array == null) {
            return segmentU64(offset);
        }
        long v = (long) LE64A.get(array, (int) offset);
        return little ? v : Long.reverseBytes(v);
    }

    private int segmentU16(long offset) {
        return Short.toUnsignedInt(little ? data.get(LE16, offset) : data.get(BE16, offset));
    }

    private long segmentU32(long offset) {
        return Integer.toUnsignedLong(little ? data.get(LE32, offset) : data.get(BE32, offset));
    }

    private long segmentU64(long offset) {
        return little ? data.get(LE64, offset) : data.get(BE64, offset);
    }

    /** A NUL-terminated string that must end before {@code limit}. */
    String cString(String where, long offset, long limit) {
        String s = cStringOrNull(offset, limit);
        if (s == null) {
            throw error(where, "string is not NUL-terminated", offset);
        }
        return s;
    }

    /** Like {@link #cString}, but null when there is no NUL before {@code limit}: callers name the place. */
    String cStringOrNull(long offset, long limit) {
        long end = Math.min(limit, size());
        for (long p = offset; p < end; p++) {
            if (data.get(ValueLayout.JAVA_BYTE, p) == 0) {
                byte[] bytes = new byte[(int) (p - offset)];
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, bytes, 0, bytes.length);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    BpfFormatException error(String where, String message, long offset) {
        return new BpfFormatException(fileName + ": " + (where.isEmpty() ? "" : where + ": ")
                + message + " at offset 0x" + Long.toHexString(offset));
    }
}
