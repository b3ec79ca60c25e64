package dev.bpf4j.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Writes a {@link Btf} back to the .BTF layout: header, type records, then strings. */
final class BtfWriter {
    private final Btf btf;
    private final ByteOrder order;
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private final Map<String, Integer> added = new HashMap<>();
    private ByteBuffer out;

    BtfWriter(Btf btf, ByteOrder order) {
        this.btf = btf;
        this.order = order;
        strings.writeBytes(btf.strings().bytes());
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
        u32(name(t.name()));
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
                    u32(name(m.name()));
                    u32(m.type());
                    u32(s.bitfields() ? (m.bitfieldSize() << 24) | m.bitOffset() : m.bitOffset());
                }
            }
            case BtfType.Enum e -> {
                header(t, e.values().size(), e.signed(), e.size());
                for (BtfType.EnumValue v : e.values()) {
                    u32(name(v.name()));
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
                    u32(name(p.name()));
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
