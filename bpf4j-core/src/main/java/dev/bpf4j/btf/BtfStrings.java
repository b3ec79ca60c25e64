package dev.bpf4j.btf;


import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** The BTF string table: NUL-terminated strings addressed by byte offset; offset 0 is "". */
public final class BtfStrings {
    private final byte[] bytes;
    private final Map<Integer, String> cache = new HashMap<>();
    private Map<String, Integer> offsets;

    BtfStrings(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The string starting at {@code offset}, or null if the offset is outside the table. */
    public synchronized String get(int offset) {
        if (offset < 0 || offset >= bytes.length) {
            return null;
        }
        return cache.computeIfAbsent(offset, o -> {
            int end = o;
            while (bytes[end] != 0) {
                end++; // the table is checked to end in NUL
            }
            return new String(bytes, o, end - o, StandardCharsets.UTF_8);
        });
    }

    /** Like {@link #get} but an offset outside the table is a format error. */
    String require(int offset, BtfInput in, long at, String what) {
        String s = get(offset);
        if (s == null) {
            throw in.error(what + " name offset " + Integer.toUnsignedString(offset)
                    + " outside the string table (" + bytes.length + " bytes)", at);
        }
        return s;
    }

    /** The offset of the first occurrence of {@code s} as a whole string, or -1. */
    public synchronized int offsetOf(String s) {
        if (offsets == null) {
            offsets = new HashMap<>();
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    offsets.putIfAbsent(new String(bytes, start, i - start, StandardCharsets.UTF_8), start);
                    start = i + 1;
                }
            }
        }
        return offsets.getOrDefault(s, -1);
    }

    /** The table's size in bytes. */
    public int size() {
        return bytes.length;
    }

    /** A copy of the raw table. */
    public byte[] bytes() {
        return bytes.clone();
    }

    static BtfStrings checked(byte[] bytes, BtfInput in, long at) {
        if (bytes.length == 0 || bytes[0] != 0 || bytes[bytes.length - 1] != 0) {
            throw in.error("string table must start and end with NUL", at);
        }
        return new BtfStrings(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BtfStrings other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
