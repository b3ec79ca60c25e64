package dev.bpf4j.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** NUL-terminated strings in ELF and BTF string tables. */
public final class CStrings {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private CStrings() {
    }

    /**
     * The index of the first NUL in {@code bytes} at or after {@code from}, or -1. Tested eight
     * bytes at a time: source lines in BTF line info run to dozens of bytes, and a byte loop was
     * most of the cost of parsing .BTF.ext.
     */
    public static int nul(byte[] bytes, int from) {
        int i = from;
        for (; i <= bytes.length - 8; i += 8) {
            long v = (long) LONGS.get(bytes, i);
            // High bit set in each zero byte: a borrow only carries upwards, so the lowest one
            // flagged (first in little-endian order) is a real zero.
            long zeros = (v - ONES) & ~v & HIGHS;
            if (zeros != 0) {
                return i + Long.numberOfTrailingZeros(zeros) / 8;
            }
        }
        for (; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
