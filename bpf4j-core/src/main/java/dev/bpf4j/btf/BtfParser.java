package dev.bpf4j.btf;

import dev.bpf4j.btf.BtfType.Linkage;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** Reads the .BTF layout (header, type records, string table) into {@link BtfType}s, checking every bound. */
final class BtfParser {
    static final int MAGIC = 0xeb9f;
    static final int HEADER_SIZE = 24;
    private static final int MAX_VLEN = 0xffff;

    private final BtfInput in;
    /** Where the record of type id starts, at [id - 1], and then where the type section ends (as {@link Btf.Source} keeps them). */
    private int[] recordOffsets;
    private BtfStrings strings;

    BtfParser(BtfInput in) {
        this.in = in;
    }

    Btf parse() {
        long[] sections = header();
        byte[] str = in.data().asSlice(sections[2], sections[3]).toArray(ValueLayout.JAVA_BYTE);
        strings = BtfStrings.checked(str, in, sections[2]);
        List<BtfType> types = readTypes(sections[0], sections[0] + sections[1]);
        checkReferences(types);
        EagerTypes table = EagerTypes.owning(types);
        Btf.Source source = new Btf.Source(in.data(), java.util.Arrays.copyOf(recordOffsets, types.size()), table);
        return new Btf(table, strings, in.order(), source);
    }

    /**
     * Checks the whole blob like {@link #parse} but only records where each type starts; types
     * are decoded when asked for. With a {@code base}, the blob is split BTF continuing it; without,
     * it keeps its blob for {@link BtfWriter#patch} like {@link #parse} (an object's BTF: parsing the
     * object reads a few types, its map definitions; a load reads them all).
     */
    Btf parseIndexed(Btf base) {
        long[] sections = header();
        byte[] str = in.data().asSlice(sections[2], sections[3]).toArray(ValueLayout.JAVA_BYTE);
        strings = base == null ? BtfStrings.checked(str, in, sections[2])
                : BtfStrings.checkedSplit(str, base.strings(), in, sections[2]);
        int firstId = base == null ? 1 : base.typeCount();
        int[] offsets = scan(sections[0], sections[0] + sections[1], firstId);
        IndexedTypes types = new IndexedTypes(this, base, firstId, offsets);
        Btf.Source source = base == null ? new Btf.Source(in.data(), offsets, types) : null;
        return new Btf(types, strings, in.order(), base, source);
    }

    /** Reads and checks the header; returns type start, type length, string start, string length. */
    private long[] header() {
        in.orderFromMagic(MAGIC, "BTF");
        int version = in.u8(2);
        if (version != 1) {
            throw in.error("unsupported BTF version " + version, 2);
        }
        int hdrLen = in.length(4, "header length");
        if (hdrLen < HEADER_SIZE) {
            throw in.error("header length " + hdrLen + " is shorter than " + HEADER_SIZE, 4);
        }
        in.require(0, hdrLen, "BTF header");
        int typeOff = in.length(8, "type section offset");
        int typeLen = in.length(12, "type section length");
        int strOff = in.length(16, "string section offset");
        int strLen = in.length(20, "string section length");
        long typeStart = (long) hdrLen + typeOff;
        long strStart = (long) hdrLen + strOff;
        in.require(typeStart, typeLen, "type section");
        in.require(strStart, strLen, "string section");
        if (typeOff % 4 != 0) {
            throw in.error("type section offset " + typeOff + " is not 4-byte aligned", 8);
        }
        if (typeStart < strStart + strLen && strStart < typeStart + typeLen) {
            throw in.error("type and string sections overlap", 8);
        }
        return new long[] {typeStart, typeLen, strStart, strLen};
    }

    /**
     * One pass over the type records: their start offsets (plus the end at the last index), with
     * every check the eager parse makes except that a type id mentioned must exist, which is
     * checked at the end against the largest id seen.
     */
    private int[] scan(long start, long end, int firstId) {
        int[] offsets = new int[Math.max(16, (int) ((end - start) / 32))];
        int n = 0;
        long p = start;
        int maxRef = 0;
        int stringsSize = strings.size();
        while (p < end) {
            int id = firstId + n;
            Header h = header(p, end, id);
            int nameOff = in.rawU32(p);
            int sizeOrType = in.rawU32(p + 8);
            BtfKind kind = h.kind();
            long body = p + 12;
            long bodyLen = h.bodyLength();
            if (Integer.compareUnsigned(nameOff, stringsSize) >= 0) {
                strings.require(nameOff, in, p, "type #" + id);
            }
            switch (kind) {
                case PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC, VAR, DECL_TAG ->
                        maxRef = maxUnsigned(maxRef, sizeOrType);
                case ARRAY -> maxRef = maxUnsigned(maxRef, maxUnsigned(in.rawU32(body), in.rawU32(body + 4)));
                case STRUCT, UNION -> {
                    for (long m = body; m < body + bodyLen; m += 12) {
                        if (Integer.compareUnsigned(in.rawU32(m), stringsSize) >= 0) {
                            strings.require(in.rawU32(m), in, m, "type #" + id + " member " + (m - body) / 12);
                        }
                        maxRef = maxUnsigned(maxRef, in.rawU32(m + 4));
                    }
                }
                case FUNC_PROTO -> {
                    maxRef = maxUnsigned(maxRef, sizeOrType);
                    for (long q = body; q < body + bodyLen; q += 8) {
                        if (Integer.compareUnsigned(in.rawU32(q), stringsSize) >= 0) {
                            strings.require(in.rawU32(q), in, q, "type #" + id + " param " + (q - body) / 8);
                        }
                        maxRef = maxUnsigned(maxRef, in.rawU32(q + 4));
                    }
                }
                case DATASEC -> {
                    for (long v = body; v < body + bodyLen; v += 12) {
                        maxRef = maxUnsigned(maxRef, in.rawU32(v));
                    }
                }
                case ENUM, ENUM64 -> {
                    long step = kind == BtfKind.ENUM ? 8 : 12;
                    for (long e = body; e < body + bodyLen; e += step) {
                        if (Integer.compareUnsigned(in.rawU32(e), stringsSize) >= 0) {
                            strings.require(in.rawU32(e), in, e, "type #" + id + " value " + (e - body) / step);
                        }
                    }
                }
                default -> {
                }
            }
            boolean needsCheck = switch (kind) {
                case INT -> true;
                case FUNC -> h.vlen() > 2;
                case VAR -> Integer.compareUnsigned(in.rawU32(body), 2) > 0;
                default -> false;
            };
            if (needsCheck) {
                readType(id, "", kind, h.vlen(), h.flag(), sizeOrType, body, p); // throws on bad size or linkage
            }
            if (n + 1 >= offsets.length) {
                offsets = java.util.Arrays.copyOf(offsets, offsets.length * 2);
            }
            offsets[n++] = (int) p;
            p = body + bodyLen;
        }
        offsets[n] = (int) p;
        int count = firstId + n;
        if (Integer.compareUnsigned(maxRef, count) >= 0) {
            for (int i = 0; i < n; i++) {
                BtfType t = decode(firstId + i, offsets[i]);
                for (int ref : Btf.references(t)) {
                    if (ref < 0 || ref >= count) {
                        throw in.error("type #" + t.id() + " (" + t.kind() + " '" + t.name() + "') refers to type "
                                + Integer.toUnsignedString(ref) + ", past the last type " + (count - 1), offsets[i]);
                    }
                }
            }
        }
        return java.util.Arrays.copyOf(offsets, n + 1);
    }

    private static int maxUnsigned(int a, int b) {
        return Integer.compareUnsigned(a, b) >= 0 ? a : b;
    }

    /** Decodes the type record at {@code p} (already checked by {@link #scan}). */
    BtfType decode(int id, long p) {
        String name = name(in.rawU32(p), p, id, null, 0);
        int info = in.rawU32(p + 4);
        BtfKind kind = BtfKind.ofValue((info >>> 24) & 0x1f);
        return readType(id, name, kind, info & MAX_VLEN, (info >>> 31) != 0, in.rawU32(p + 8), p + 12, p);
    }

    /** The kind of the record at {@code p} (checked by {@link #scan}). */
    BtfKind kindAt(long p) {
        return BtfKind.ofValue((in.rawU32(p + 4) >>> 24) & 0x1f);
    }

    /** The name offset of the record at {@code p}. */
    int nameOffset(long p) {
        return in.rawU32(p);
    }

    /** The linkage of the FUNC or VAR record at {@code p}: a FUNC's vlen, a VAR's first word (both checked by the scan). */
    Linkage linkageAt(long p) {
        return Linkage.of(kindAt(p) == BtfKind.FUNC ? in.rawU32(p + 4) & 0xffff : in.rawU32(p + 12));
    }

    BtfStrings strings() {
        return strings;
    }

    private List<BtfType> readTypes(long start, long end) {
        // clang's records average well over 16 bytes: room for all without regrowing, rarely much more
        int capacity = (int) Math.min((end - start) / 16 + 1, 1 << 20);
        List<BtfType> types = new ArrayList<>(capacity);
        recordOffsets = new int[capacity];
        types.add(new BtfType.Void());
        long p = start;
        while (p < end) {
            int id = types.size();
            Header h = header(p, end, id);
            String name = name(in.rawU32(p), p, id, null, 0); // header() checked the 12 bytes
            int sizeOrType = in.rawU32(p + 8);
            long body = p + 12;
            long bodyLen = h.bodyLength();
            types.add(readType(id, name, h.kind(), h.vlen(), h.flag(), sizeOrType, body, p));
            if (id >= recordOffsets.length) { // room for this record and the end
                recordOffsets = java.util.Arrays.copyOf(recordOffsets, id * 2);
            }
            recordOffsets[id - 1] = (int) p;
            p = body + bodyLen;
        }
        recordOffsets[types.size() - 1] = (int) p; // the end: capacity exceeds the record count
        return types;
    }

    /** A type record's info word, decoded. */
    private record Header(BtfKind kind, int vlen, boolean flag, long bodyLength) {
    }

    /**
     * Checks and decodes the 12-byte header of the record at {@code p}: a known kind, and a body
     * that fits before {@code end}.
     */
    private Header header(long p, long end, int id) {
        if (end - p < 12) {
            throw in.error("truncated type record (" + (end - p) + " bytes left)", p);
        }
        int info = in.rawU32(p + 4);
        int vlen = info & MAX_VLEN;
        int kindValue = (info >>> 24) & 0x1f;
        BtfKind kind = BtfKind.ofValue(kindValue);
        if (kind == null || kind == BtfKind.VOID) {
            throw in.error("type #" + id + " has unknown kind " + kindValue, p + 4);
        }
        long bodyLen = bodyLength(kind, vlen);
        if (bodyLen > end - (p + 12)) {
            throw in.error("type #" + id + " (" + kind + ", vlen " + vlen + ") needs " + bodyLen
                    + " bytes past its header, only " + (end - p - 12) + " left in the type section", p);
        }
        return new Header(kind, vlen, (info >>> 31) != 0, bodyLen);
    }

    private static long bodyLength(BtfKind kind, int vlen) {
        return switch (kind) {
            case INT, VAR, DECL_TAG -> 4;
            case ARRAY -> 12;
            case STRUCT, UNION, DATASEC, ENUM64 -> 12L * vlen;
            case ENUM, FUNC_PROTO -> 8L * vlen;
            default -> 0;
        };
    }

    /**
     * Decodes one record whose header and body have been checked to lie inside the type section
     * (by {@link #header}), so its fields are read without a second bounds check.
     */
    private BtfType readType(int id, String name, BtfKind kind, int vlen, boolean flag, int sizeOrType,
                             long body, long at) {
        return switch (kind) {
            case INT -> {
                int data = in.rawU32(body);
                int bits = data & 0xff;
                int bitOffset = (data >>> 16) & 0xff;
                int encoding = (data >>> 24) & 0x0f;
                if (sizeOrType < 1 || sizeOrType > 16 || bits > sizeOrType * 8 || bitOffset + bits > 128) {
                    throw in.error("type #" + id + " INT has size " + sizeOrType + " and " + bits + " bits", at);
                }
                yield new BtfType.Int(id, name, sizeOrType, encoding, bitOffset, bits);
            }
            case PTR -> new BtfType.Ptr(id, name, sizeOrType);
            case ARRAY -> new BtfType.Array(id, name, in.rawU32(body), in.rawU32(body + 4), in.rawU32(body + 8));
            case STRUCT, UNION -> {
                BtfType.Member[] members = new BtfType.Member[vlen]; // List.of(array): the record keeps it uncopied
                for (int i = 0; i < vlen; i++) {
                    long m = body + 12L * i;
                    String memberName = name(in.rawU32(m), m, id, "member", i);
                    int offset = in.rawU32(m + 8);
                    int bitOffset = flag ? offset & 0xffffff : offset;
                    int bitfieldSize = flag ? offset >>> 24 : 0;
                    members[i] = new BtfType.Member(memberName, in.rawU32(m + 4), bitOffset, bitfieldSize);
                }
                yield new BtfType.Struct(id, name, kind == BtfKind.UNION, sizeOrType, flag, List.of(members));
            }
            case ENUM, ENUM64 -> {
                boolean wide = kind == BtfKind.ENUM64;
                BtfType.EnumValue[] values = new BtfType.EnumValue[vlen];
                for (int i = 0; i < vlen; i++) {
                    long e = body + (wide ? 12L : 8L) * i;
                    String valueName = name(in.rawU32(e), e, id, "value", i);
                    long value = wide
                            ? (Integer.toUnsignedLong(in.rawU32(e + 4)) | ((long) in.rawU32(e + 8) << 32))
                            : (flag ? in.rawU32(e + 4) : Integer.toUnsignedLong(in.rawU32(e + 4)));
                    values[i] = new BtfType.EnumValue(valueName, value);
                }
                yield new BtfType.Enum(id, name, wide, sizeOrType, flag, List.of(values));
            }
            case FWD -> new BtfType.Fwd(id, name, flag);
            case TYPEDEF -> new BtfType.Typedef(id, name, sizeOrType);
            case VOLATILE, CONST, RESTRICT -> new BtfType.Qualifier(id, name, kind, sizeOrType);
            case TYPE_TAG -> new BtfType.TypeTag(id, name, sizeOrType, flag);
            case FUNC -> new BtfType.Func(id, name, sizeOrType, linkage(vlen, id, at + 4));
            case FUNC_PROTO -> {
                BtfType.Param[] params = new BtfType.Param[vlen];
                for (int i = 0; i < vlen; i++) {
                    long q = body + 8L * i;
                    params[i] = new BtfType.Param(name(in.rawU32(q), q, id, "param", i), in.rawU32(q + 4));
                }
                yield new BtfType.FuncProto(id, name, sizeOrType, List.of(params));
            }
            case VAR -> new BtfType.Var(id, name, sizeOrType, linkage(in.rawU32(body), id, body));
            case DATASEC -> {
                BtfType.SecInfo[] vars = new BtfType.SecInfo[vlen];
                for (int i = 0; i < vlen; i++) {
                    long v = body + 12L * i;
                    vars[i] = new BtfType.SecInfo(in.rawU32(v), in.rawU32(v + 4), in.rawU32(v + 8));
                }
                yield new BtfType.Datasec(id, name, sizeOrType, List.of(vars));
            }
            case FLOAT -> new BtfType.Float(id, name, sizeOrType);
            case DECL_TAG -> new BtfType.DeclTag(id, name, sizeOrType, in.rawU32(body), flag);
            case VOID -> throw new AssertionError();
        };
    }

    /** A name from the string table; the error message is built only when the offset is bad. */
    private String name(int offset, long at, int id, String part, int index) {
        String s = strings.decode(offset);
        if (s == null) {
            strings.require(offset, in, at, "type #" + id + (part == null ? "" : " " + part + " " + index)); // throws
        }
        return s;
    }

    private Linkage linkage(int value, int id, long at) {
        Linkage l = Linkage.of(value);
        if (l == null) {
            throw in.error("type #" + id + " has unknown linkage " + value, at);
        }
        return l;
    }

    /** Every type id a record mentions must exist, so that lookups on the model never fail. */
    private void checkReferences(List<BtfType> types) {
        int count = types.size();
        for (BtfType t : types) {
            long ref = Btf.firstReferenceNotBelow(t, count);
            if (ref >= 0) {
                throw in.error("type #" + t.id() + " (" + t.kind() + " '" + t.name() + "') refers to type "
                        + ref + ", past the last type " + (count - 1), recordOffsets[t.id() - 1]);
            }
        }
    }
}
