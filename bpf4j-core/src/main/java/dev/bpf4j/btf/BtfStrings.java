package dev.bpf4j.btf;

import dev.bpf4j.internal.CStrings;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The BTF string table: NUL-terminated strings addressed by byte offset; offset 0 is "". The
 * table of split BTF (a kernel module's) continues its base's: offsets below the base table's
 * size address the base.
 */
public final class BtfStrings {
    private final byte[] bytes;
    private final BtfStrings base;
    private final int baseSize;
    // offset -> decoded string, open addressing (key offset + 1, 0 = free): no boxing or lambda per lookup
    // allocated on first use: the parser decodes without the cache, and many tables never need it
    private int[] cacheKeys;
    private String[] cacheValues;
    private int cached;
    private int[] starts; // offset + 1 of each string, open addressing by content hash; built on first offsetOf

    BtfStrings(byte[] bytes) {
        this(bytes, null);
    }

    BtfStrings(byte[] bytes, BtfStrings base) {
        this.bytes = bytes;
        this.base = base;
        this.baseSize = base == null ? 0 : base.size();
    }

    /** The string starting at {@code offset}, or null if the offset is outside the table. */
    public String get(int offset) {
        if (base != null && offset >= 0 && offset < baseSize) {
            return base.get(offset);
        }
        return own(offset - baseSize);
    }

    /**
     * Like {@link #get}, but a new String each time, without the cache and its lock: for the
     * parser, which asks for each offset about once (a type's name is decoded once per type).
     */
    String decode(int offset) {
        if (offset == 0) {
            return ""; // anonymous types and members: most common, and not worth a lookup
        }
        if (base != null && offset >= 0 && offset < baseSize) {
            return base.get(offset);
        }
        int own = offset - baseSize;
        if (own < 0 || own >= bytes.length) {
            return null;
        }
        return CStrings.at(bytes, own); // not null: the table is checked to end in NUL
    }

    private synchronized String own(int offset) {
        if (offset < 0 || offset >= bytes.length) {
            return null;
        }
        if (cacheKeys == null) {
            cacheKeys = new int[64];
            cacheValues = new String[64];
        }
        int slot = slotOf(cacheKeys, offset);
        if (cacheKeys[slot] != 0) {
            return cacheValues[slot];
        }
        String s = CStrings.at(bytes, offset); // not null: the table is checked to end in NUL
        cacheKeys[slot] = offset + 1;
        cacheValues[slot] = s;
        if (++cached * 2 > cacheKeys.length) {
            growCache();
        }
        return s;
    }

    /** The slot holding {@code offset}, or the free slot where it belongs. */
    private static int slotOf(int[] keys, int offset) {
        int mask = keys.length - 1;
        int i = (offset * 0x9E3779B9 >>> 7) & mask;
        while (keys[i] != 0 && keys[i] != offset + 1) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void growCache() {
        int[] keys = new int[cacheKeys.length * 2];
        String[] values = new String[keys.length];
        for (int i = 0; i < cacheKeys.length; i++) {
            if (cacheKeys[i] != 0) {
                int slot = slotOf(keys, cacheKeys[i] - 1);
                keys[slot] = cacheKeys[i];
                values[slot] = cacheValues[i];
            }
        }
        cacheKeys = keys;
        cacheValues = values;
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
        if (base != null) {
            int inBase = base.offsetOf(s);
            if (inBase >= 0) {
                return inBase;
            }
        }
        if (starts == null) {
            starts = indexStarts(bytes);
        }
        int own = find(s);
        return own < 0 ? -1 : baseSize + own;
    }

    /**
     * Every string's offset in a table keyed by the hash of its bytes. With linear probing and no
     * removals, equal strings lie along one probe sequence in insertion order, so a lookup meets the
     * first occurrence first.
     */
    private static int[] indexStarts(byte[] bytes) {
        int count = 0;
        for (byte b : bytes) {
            count += b == 0 ? 1 : 0;
        }
        int[] table = new int[Integer.highestOneBit(Math.max(count, 4) * 2 + 1) << 1];
        int mask = table.length - 1;
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                int slot = hash(bytes, start, i - start) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = start + 1;
                start = i + 1;
            }
        }
        return table;
    }

    /** The own offset of the first whole string equal to {@code s}, or -1. */
    private int find(String s) {
        byte[] want = ascii(s) ? null : s.getBytes(StandardCharsets.UTF_8);
        int length = want == null ? s.length() : want.length;
        int h = 0x811c9dc5;
        for (int i = 0; i < length; i++) {
            h = (h ^ (want == null ? (byte) s.charAt(i) : want[i])) * 0x01000193;
        }
        int mask = starts.length - 1;
        for (int slot = (h ^ (h >>> 16)) & mask; starts[slot] != 0; slot = (slot + 1) & mask) {
            int at = starts[slot] - 1;
            if (matches(at, s, want, length)) {
                return at;
            }
        }
        if (want != null && s.indexOf('\uFFFD') >= 0) {
            return findDecoded(s); // bytes that are not UTF-8 decode to U+FFFD: compare as decoded
        }
        return -1;
    }

    private boolean matches(int at, String s, byte[] want, int length) {
        if (at + length >= bytes.length || bytes[at + length] != 0) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[at + i] != (want == null ? (byte) s.charAt(i) : want[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private int findDecoded(String s) {
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                if (new String(bytes, start, i - start, StandardCharsets.UTF_8).equals(s)) {
                    return start;
                }
                start = i + 1;
            }
        }
        return -1;
    }

    /** The own table without copying, for hot loops in this package; null for split BTF (offsets differ). */
    byte[] unsplitBytes() {
        return base == null ? bytes : null;
    }

    /**
     * {@link #hash(int, int)} of the essential name at {@code offset} in one forward pass: the
     * hash is remembered where each {@code x___y} separator starts and the last one wins.
     */
    static int essentialHash(byte[] b, int offset) {
        int h = 0x811c9dc5;
        int h1 = h;
        int h2 = h;
        int h3 = h; // hashes of the name up to 1, 2, 3 bytes before p
        int essential = 0;
        boolean flavoured = false;
        for (int p = offset; b[p] != 0; p++) {
            if (b[p] != '_' && p - 4 >= offset && b[p - 1] == '_' && b[p - 2] == '_' && b[p - 3] == '_'
                    && b[p - 4] != '_') {
                essential = h3;
                flavoured = true;
            }
            h3 = h2;
            h2 = h1;
            h1 = h;
            h = (h ^ b[p]) * 0x01000193;
        }
        int result = flavoured ? essential : h;
        return result ^ (result >>> 16);
    }

    /** The table's size in bytes (including the base table's for split BTF). */
    public int size() {
        return baseSize + bytes.length;
    }

    /** A copy of the raw table (this table's own part for split BTF). */
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Length of the name at {@code offset} without its {@code ___flavour} suffix: the name is cut
     * before the last {@code ___} that has no underscore on either side ({@code task_struct___old}
     * gives {@code task_struct}). Offsets must be valid.
     */
    int essentialLength(int offset) {
        if (base != null && offset < baseSize) {
            return base.essentialLength(offset);
        }
        int start = offset - baseSize;
        int end = start;
        while (bytes[end] != 0) {
            end++;
        }
        return essentialLength(bytes, start, end - start);
    }

    /** {@link #essentialLength(int)} for a name held in {@code name[start, start + length)}. */
    static int essentialLength(byte[] name, int start, int length) {
        for (int i = length - 5; i >= 0; i--) {
            int p = start + i;
            if (name[p] != '_' && name[p + 1] == '_' && name[p + 2] == '_' && name[p + 3] == '_'
                    && name[p + 4] != '_') {
                return i + 1;
            }
        }
        return length;
    }

    /** A hash of the first {@code length} bytes of the string at {@code offset}. */
    int hash(int offset, int length) {
        if (base != null && offset < baseSize) {
            return base.hash(offset, length);
        }
        return hash(bytes, offset - baseSize, length);
    }

    static int hash(byte[] b, int start, int length) {
        int h = 0x811c9dc5;
        for (int i = start; i < start + length; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    /** True if the string at {@code offset} starts with {@code name[0, length)}. */
    boolean startsWith(int offset, byte[] name, int length) {
        if (base != null && offset < baseSize) {
            return base.startsWith(offset, name, length);
        }
        int start = offset - baseSize;
        return start + length <= bytes.length
                && Arrays.equals(bytes, start, start + length, name, 0, length);
    }

    /** True if the string at {@code offset} is exactly {@code name}. */
    boolean equalsAt(int offset, byte[] name) {
        if (base != null && offset < baseSize) {
            return base.equalsAt(offset, name);
        }
        int end = offset - baseSize + name.length;
        return startsWith(offset, name, name.length) && bytes[end] == 0;
    }

    static BtfStrings checked(byte[] bytes, BtfInput in, long at) {
        if (bytes.length == 0 || bytes[0] != 0 || bytes[bytes.length - 1] != 0) {
            throw in.error("string table must start and end with NUL", at);
        }
        return new BtfStrings(bytes);
    }

    /** A split BTF's own table: may be empty, else must end with NUL. */
    static BtfStrings checkedSplit(byte[] bytes, BtfStrings base, BtfInput in, long at) {
        if (bytes.length > 0 && bytes[bytes.length - 1] != 0) {
            throw in.error("string table must end with NUL", at);
        }
        return new BtfStrings(bytes, base);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BtfStrings other && Arrays.equals(bytes, other.bytes)
                && java.util.Objects.equals(base, other.base);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
