package dev.bpf4j.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * NUL-terminated strings in ELF and BTF string tables, which a parse turns into a few hundred
 * Strings: the search goes eight bytes at a time (BTF line info holds whole source lines), and
 * notes on the way whether the string is ASCII, which decodes as Latin-1 without UTF-8's checks.
 */
public final class CStrings {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private CStrings() {
    }

    /** The string (UTF-8) from {@code from} to the next NUL, or null when there is no NUL. */
    public static String at(byte[] bytes, int from) {
        long high = 0; // the high bits of every byte passed: zero for ASCII
        int i = from;
        for (; i <= bytes.length - 8; i += 8) {
            long v = (long) LONGS.get(bytes, i);
            long zeros = zeroBytes(v);
            if (zeros != 0) {
                int before = Long.numberOfTrailingZeros(zeros) / 8; // bytes of the string in this word
                high |= v & HIGHS & ((1L << (8 * before)) - 1);
                return decode(bytes, from, i + before, high);
            }
            high |= v & HIGHS;
        }
        for (; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                return decode(bytes, from, i, high);
            }
            high |= bytes[i] & 0x80;
        }
        return null;
    }

    private static String decode(byte[] bytes, int from, int end, long high) {
        // ASCII is the same in both; Latin-1 copies without UTF-8's scan for multi-byte sequences
        return new String(bytes, from, end - from, high == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
    }

    /**
     * The high bit set in each zero byte of {@code v}; a borrow only carries upwards, so the
     * lowest one flagged (the first in little-endian order) is a real zero.
     */
    private static long zeroBytes(long v) {
        return (v - ONES) & ~v & HIGHS;
    }
}
