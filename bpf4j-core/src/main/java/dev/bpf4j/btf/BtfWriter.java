package dev.bpf4j.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/** Writes a {@link Btf} back to the .BTF layout: header, type records, then strings. */
final class BtfWriter {
    private final Btf btf;
    private final ByteOrder order;
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> added = new HashMap<>();
    private final ToIntFunction<String> names; // a name's string offset
    private ByteBuffer out;

    BtfWriter(Btf btf, ByteOrder order) {
        this.btf = btf;
        this.order = order;
        this.names = this::name;
        strings.writeBytes(btf.strings().bytes());
    }

    /** Writes single records into {@code out}, every name at {@code nameOffset} (see {@link #patch}). */
    private BtfWriter(ByteBuffer out, int nameOffset) {
        this.btf = null;
        this.order = out.order();
        this.names = name -> nameOffset;
        this.out = out;
    }

    /**
     * {@code types} encoded by patching the blob they were parsed from, or null if that cannot be
     * done. Preparing an object's externs, or sanitising its BTF, changes a few records (VAR and FUNC
     * linkage, an extern section's layout): those are written again in place, with their original name offsets, and the
     * rest of the blob is copied, which is much cheaper than encoding every type and looking up
     * every name. It applies to BTF parsed from a blob or copied from such BTF ({@link Btf#withTypes}
     * keeps the string table and byte order), encoded in its own order, when each changed type keeps
     * its kind, name and record length, and has no name but its own (members have names).
     */
    static byte[] patch(Btf btf, ByteOrder order) {
        Btf.Source source = btf.source();
        if (source == null || order != btf.order()) {
            return null;
        }
        TypeTable parsed = source.parsed();
        int[] changed = changedIds(btf, parsed);
        if (changed == null) {
            return null;
        }
        int[] offsets = source.recordOffsets();
        byte[] blob = source.blob().toArray(ValueLayout.JAVA_BYTE);
        for (int id : changed) {
            BtfType now = btf.type(id);
            if (!patchable(parsed.get(id), now)) {
                return null;
            }
            int at = offsets[id - 1];
            ByteBuffer record = ByteBuffer.wrap(blob).order(order).position(at);
            int nameOffset = record.getInt(at);
            BtfWriter writer = new BtfWriter(record, nameOffset);
            writer.writeType(now);
            int next = offsets[id];
            if (writer.out != record || record.position() != next) {
                return null; // another length after all: encode in full
            }
        }
        return blob;
    }

    /** The ids whose type differs from the parsed one, or null if types were added or removed. */
    private static int[] changedIds(Btf btf, TypeTable parsed) {
        List<BtfType> types = btf.types();
        if (types.size() != parsed.count()) {
            return null;
        }
        int[] changed = new int[8];
        int n = 0;
        for (int id = 1; id < types.size(); id++) {
            if (types.get(id) != parsed.get(id)) {
                if (n == changed.length) {
                    changed = java.util.Arrays.copyOf(changed, n * 2);
                }
                changed[n++] = id;
            }
        }
        return java.util.Arrays.copyOf(changed, n);
    }

    private static boolean patchable(BtfType was, BtfType now) {
        if (was.kind() != now.kind() || !was.name().equals(now.name())) {
            return false;
        }
        return switch (now) {
            case BtfType.Datasec d -> d.vars().size() == ((BtfType.Datasec) was).vars().size();
            case BtfType.Struct s -> false; // member names
            case BtfType.Enum e -> false;   // value names
            case BtfType.FuncProto f -> false; // parameter names
            default -> true;                // only the record's own name, and a fixed length
        };
    }

    byte[] write() {
        out = ByteBuffer.allocate(64).order(order);
        for (BtfType t : btf.types()) {
            writeType(t);
        }
        int typeLen = out.position();
        byte[] typeBytes = new byte[typeLen];
        out.flip().get(typeBytes);
        byte[] str = strings.toByteArray();
        ByteBuffer result = ByteBuffer.allocate(BtfParser.HEADER_SIZE + typeLen + str.length).order(order);
        result.putShort((short) BtfParser.MAGIC).put((byte) 1).put((byte) 0).putInt(BtfParser.HEADER_SIZE);
        result.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        result.put(typeBytes).put(str);
        return result.array();
    }

    private int name(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        int off = btf.strings().offsetOf(s);
        if (off >= 0) {
            return off;
        }
        return added.computeIfAbsent(s, k -> {
            int at = strings.size();
            strings.writeBytes(k.getBytes(StandardCharsets.UTF_8));
            strings.write(0);
            return at;
        });
    }

    private void header(BtfType t, int vlen, boolean flag, int sizeOrType) {
        u32(names.applyAsInt(t.name()));
        u32((t.kind().value() << 24) | vlen | (flag ? 1 << 31 : 0));
        u32(sizeOrType);
    }

    private void writeType(BtfType t) {
        switch (t) {
            case BtfType.Void v -> {
                // implicit: not written
            }
            case BtfType.Int i -> {
                header(t, 0, false, i.size());
                u32((i.encoding() << 24) | (i.bitOffset() << 16) | i.bits());
            }
            case BtfType.Ptr p -> header(t, 0, false, p.type());
            case BtfType.Array a -> {
                header(t, 0, false, 0);
                u32(a.elementType());
                u32(a.indexType());
                u32(a.length());
            }
            case BtfType.Struct s -> {
                header(t, s.members().size(), s.bitfields(), s.size());
                for (BtfType.Member m : s.members()) {
                    u32(names.applyAsInt(m.name()));
                    u32(m.type());
                    u32(s.bitfields() ? (m.bitfieldSize() << 24) | m.bitOffset() : m.bitOffset());
                }
            }
            case BtfType.Enum e -> {
                header(t, e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    u32(names.applyAsInt(v.name()));
                    u32((int) v.value());
                    if (e.wide()) {
                        u32((int) (v.value() >>> 32));
                    }
                }
            }
            case BtfType.Fwd f -> header(t, 0, f.union(), 0);
            case BtfType.Typedef d -> header(t, 0, false, d.type());
            case BtfType.Qualifier q -> header(t, 0, false, q.type());
            case BtfType.TypeTag g -> header(t, 0, g.attribute(), g.type());
            case BtfType.Func f -> header(t, f.linkage().ordinal(), false, f.type());
            case BtfType.FuncProto f -> {
                header(t, f.params().size(), false, f.returnType());
                for (BtfType.Param p : f.params()) {
                    u32(names.applyAsInt(p.name()));
                    u32(p.type());
                }
            }
            case BtfType.Var v -> {
                header(t, 0, false, v.type());
                u32(v.linkage().ordinal());
            }
            case BtfType.Datasec d -> {
                header(t, d.vars().size(), false, d.size());
                for (BtfType.SecInfo s : d.vars()) {
                    u32(s.type());
                    u32(s.offset());
                    u32(s.size());
                }
            }
            case BtfType.Float f -> header(t, 0, false, f.size());
            case BtfType.DeclTag d -> {
                header(t, 0, d.attribute(), d.type());
                u32(d.componentIndex());
            }
        }
    }

    private void u32(int v) {
        if (out.remaining() < 4) {
            out = ByteBuffer.allocate(out.capacity() * 2).order(order).put(out.flip());
        }
        out.putInt(v);
    }
}
