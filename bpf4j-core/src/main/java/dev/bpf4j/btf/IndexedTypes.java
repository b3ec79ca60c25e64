package dev.bpf4j.btf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Types kept as raw records (kernel BTF: 100k+ types): the parser recorded where each starts,
 * a type is decoded the first time it is asked for and then kept. Names are found through an
 * open-addressing hash table of type ids keyed by the essential name (the name without its
 * {@code ___flavour} suffix), built on the first name lookup; it compares string-table bytes,
 * so no String is made for a type nobody asks about.
 */
final class IndexedTypes implements TypeTable {
    private static final BtfType VOID = new BtfType.Void();
    /** Up to this many types, a lookup by name and kind before the name index exists compares records instead. */
    private static final int SCAN_LIMIT = 4096;

    private final BtfParser parser;
    private final Btf base;
    private final int firstId;
    private final int[] offsets; // record start of firstId + i; one extra entry: the end
    private final BtfType[] decoded;
    private volatile int[] nameTable; // type id per slot, 0 = empty
    private volatile int[][] idsByKind; // ids by kind (ordinal), for an object's BTF

    IndexedTypes(BtfParser parser, Btf base, int firstId, int[] offsets) {
        this.parser = parser;
        this.base = base;
        this.firstId = firstId;
        this.offsets = offsets;
        this.decoded = new BtfType[offsets.length - 1];
    }

    @Override
    public int count() {
        return firstId + offsets.length - 1;
    }

    @Override
    public BtfType get(int id) {
        if (id < firstId) {
            return base == null ? VOID : base.type(id);
        }
        int i = id - firstId;
        BtfType t = decoded[i];
        if (t == null) {
            t = parser.decode(id, offsets[i]);
            decoded[i] = t; // records are immutable: a racing duplicate decode is harmless
        }
        return t;
    }

    @Override
    public BtfKind kind(int id) {
        return id < firstId ? TypeTable.super.kind(id) : parser.kindAt(offsets[id - firstId]);
    }

    @Override
    public BtfType.Linkage linkage(int id) {
        if (id < firstId) {
            return TypeTable.super.linkage(id);
        }
        int p = offsets[id - firstId];
        BtfKind k = parser.kindAt(p);
        return k == BtfKind.FUNC || k == BtfKind.VAR ? parser.linkageAt(p) : null;
    }

    /**
     * For an object's BTF (no base, at most {@value #SCAN_LIMIT} types), one pass over the records sorts
     * every id by kind the first time, and later questions about any kind read that: a loader asks for
     * DATASECs, VARs and FUNCs several times per load. Larger tables scan, keeping no index.
     */
    @Override
    public int[] idsOfKind(BtfKind kind) {
        if (base != null || offsets.length > SCAN_LIMIT) {
            return TypeTable.super.idsOfKind(kind);
        }
        int[][] byKind = idsByKind;
        if (byKind == null) {
            byKind = indexKinds();
            idsByKind = byKind; // immutable once built: a racing duplicate is harmless
        }
        return byKind[kind.ordinal()];
    }

    private int[][] indexKinds() {
        int kinds = BtfKind.values().length;
        int[] counts = new int[kinds];
        int[] kindOf = new int[offsets.length - 1];
        for (int i = 0; i < kindOf.length; i++) {
            kindOf[i] = parser.kindAt(offsets[i]).ordinal();
            counts[kindOf[i]]++;
        }
        int[][] byKind = new int[kinds][];
        for (int k = 0; k < kinds; k++) {
            byKind[k] = new int[counts[k]];
            counts[k] = 0;
        }
        for (int i = 0; i < kindOf.length; i++) { // without a base, firstId is 1: void has no record
            byKind[kindOf[i]][counts[kindOf[i]]++] = firstId + i;
        }
        return byKind;
    }

    /**
     * Without a name index yet and for a table of an object's size, the records of that kind are
     * compared: an object's BTF is searched for a few DATASECs, where the index would hash every name.
     */
    @Override
    public BtfType first(String name, BtfKind kind) {
        if (base != null || nameTable != null || offsets.length > SCAN_LIMIT) {
            return TypeTable.super.first(name, kind);
        }
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        BtfStrings strings = parser.strings();
        for (int id : idsOfKind(kind)) { // the kind index a loader builds anyway: no pass over every record
            if (strings.equalsAt(parser.nameOffset(offsets[id - firstId]), wanted)) {
                return get(id);
            }
        }
        return null;
    }

    @Override
    public List<BtfType> named(String name) {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        List<BtfType> result = new ArrayList<>(1);
        if (base != null) {
            result.addAll(base.typesByName(name));
        }
        for (int id : lookup(wanted, BtfStrings.essentialLength(wanted, 0, wanted.length))) {
            if (parser.strings().equalsAt(nameOffset(id), wanted)) {
                result.add(get(id));
            }
        }
        return result;
    }

    @Override
    public List<BtfType> essentiallyNamed(String essentialName) {
        byte[] wanted = essentialName.getBytes(StandardCharsets.UTF_8);
        List<BtfType> result = new ArrayList<>(1);
        if (base != null) {
            result.addAll(base.typesByEssentialName(essentialName));
        }
        for (int id : lookup(wanted, wanted.length)) {
            result.add(get(id));
        }
        return result;
    }

    /** Own ids whose essential name is {@code wanted[0, length)}, ascending. */
    private int[] lookup(byte[] wanted, int length) {
        int[] table = nameTable();
        int mask = table.length - 1;
        int[] found = new int[4];
        int n = 0;
        BtfStrings strings = parser.strings();
        for (int slot = BtfStrings.hash(wanted, 0, length) & mask; table[slot] != 0; slot = (slot + 1) & mask) {
            int id = table[slot];
            int off = nameOffset(id);
            if (strings.startsWith(off, wanted, length) && strings.essentialLength(off) == length) {
                if (n == found.length) {
                    found = java.util.Arrays.copyOf(found, n * 2);
                }
                found[n++] = id;
            }
        }
        int[] ids = java.util.Arrays.copyOf(found, n);
        java.util.Arrays.sort(ids);
        return ids;
    }

    private int nameOffset(int id) {
        return parser.nameOffset(offsets[id - firstId]);
    }

    private int[] nameTable() {
        int[] table = nameTable;
        if (table == null) {
            synchronized (this) {
                table = nameTable;
                if (table == null) {
                    table = buildNameTable();
                    nameTable = table;
                }
            }
        }
        return table;
    }

    private int[] buildNameTable() {
        BtfStrings strings = parser.strings();
        int own = offsets.length - 1;
        int size = Integer.highestOneBit(Math.max(own, 8) * 2 - 1) << 1; // at most half full
        int[] table = new int[size];
        int mask = size - 1;
        byte[] raw = strings.unsplitBytes();
        for (int i = 0; i < own; i++) {
            int off = parser.nameOffset(offsets[i]);
            if (off == 0) {
                continue;
            }
            int hash = raw != null ? BtfStrings.essentialHash(raw, off) : strings.hash(off, strings.essentialLength(off));
            int slot = hash & mask;
            while (table[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            table[slot] = firstId + i;
        }
        return table;
    }
}
