package dev.bpf4j.btf;

import java.io.PrintWriter;

/**
 * BTF as a list of types, one per line with members indented, in the layout of
 * {@code bpftool btf dump ... format raw} so the two can be compared line by line.
 */
public final class BtfRawDump {
    private BtfRawDump() {
    }

    /** Writes every type of {@code btf} (its own types, for split BTF). */
    public static void write(Btf btf, PrintWriter out) {
        for (int id = btf.firstOwnId(); id < btf.typeCount(); id++) {
            out.println(line(btf, btf.type(id)));
        }
    }

    /** One type: {@code [id] KIND 'name' fields}, members on following tab-indented lines. */
    public static String line(Btf btf, BtfType t) {
        StringBuilder s = new StringBuilder();
        s.append('[').append(t.id()).append("] ").append(t.kind()).append(' ').append(quoted(t.name()));
        switch (t) {
            case BtfType.Int i -> s.append(" size=").append(i.size()).append(" bits_offset=").append(i.bitOffset())
                    .append(" nr_bits=").append(i.bits()).append(" encoding=").append(encoding(i.encoding()));
            case BtfType.Ptr p -> s.append(" type_id=").append(p.type());
            case BtfType.Qualifier q -> s.append(" type_id=").append(q.type());
            case BtfType.Typedef d -> s.append(" type_id=").append(d.type());
            case BtfType.TypeTag g -> s.append(" type_id=").append(g.type());
            case BtfType.Array a -> s.append(" type_id=").append(a.elementType()).append(" index_type_id=")
                    .append(a.indexType()).append(" nr_elems=").append(a.length());
            case BtfType.Struct st -> {
                s.append(" size=").append(st.size()).append(" vlen=").append(st.members().size());
                for (BtfType.Member m : st.members()) {
                    s.append("\n\t").append(quoted(m.name())).append(" type_id=").append(m.type())
                            .append(" bits_offset=").append(m.bitOffset());
                    if (st.bitfields() && m.bitfieldSize() != 0) {
                        s.append(" bitfield_size=").append(m.bitfieldSize());
                    }
                }
            }
            case BtfType.Enum e -> {
                s.append(" encoding=").append(e.signed() ? "SIGNED" : "UNSIGNED").append(" size=").append(e.size())
                        .append(" vlen=").append(e.values().size());
                for (BtfType.EnumValue v : e.values()) {
                    s.append("\n\t").append(quoted(v.name())).append(" val=");
                    if (e.wide()) {
                        s.append(e.signed() ? Long.toString(v.value()) + "LL" : Long.toUnsignedString(v.value()) + "ULL");
                    } else {
                        s.append(e.signed() ? Integer.toString((int) v.value()) : Integer.toUnsignedString((int) v.value()));
                    }
                }
            }
            case BtfType.Fwd f -> s.append(" fwd_kind=").append(f.union() ? "union" : "struct");
            case BtfType.Func f -> s.append(" type_id=").append(f.type()).append(" linkage=").append(linkage(f.linkage()));
            case BtfType.FuncProto p -> {
                s.append(" ret_type_id=").append(p.returnType()).append(" vlen=").append(p.params().size());
                for (BtfType.Param x : p.params()) {
                    s.append("\n\t").append(quoted(x.name())).append(" type_id=").append(x.type());
                }
            }
            case BtfType.Var v -> s.append(" type_id=").append(v.type()).append(", linkage=").append(linkage(v.linkage()));
            case BtfType.Datasec d -> {
                s.append(" size=").append(d.size()).append(" vlen=").append(d.vars().size());
                for (BtfType.SecInfo v : d.vars()) {
                    BtfType vt = v.type() > 0 && v.type() < btf.typeCount() ? btf.type(v.type()) : null;
                    s.append("\n\ttype_id=").append(v.type()).append(" offset=").append(v.offset()).append(" size=")
                            .append(v.size());
                    if (vt != null) {
                        s.append(" (").append(vt.kind()).append(' ').append(quoted(vt.name())).append(')');
                    }
                }
            }
            case BtfType.Float f -> s.append(" size=").append(f.size());
            case BtfType.DeclTag d -> s.append(" type_id=").append(d.type()).append(" component_idx=")
                    .append(d.componentIndex());
            case BtfType.Void v -> { }
        }
        return s.toString();
    }

    private static String quoted(String name) {
        return "'" + (name.isEmpty() ? "(anon)" : name) + "'";
    }

    private static String encoding(int e) {
        return switch (e) {
            case 0 -> "(none)";
            case BtfType.Int.SIGNED -> "SIGNED";
            case BtfType.Int.CHAR -> "CHAR";
            case BtfType.Int.BOOL -> "BOOL";
            default -> "UNKN";
        };
    }

    private static String linkage(BtfType.Linkage l) {
        return l == null ? "(unknown)" : l.name().toLowerCase(java.util.Locale.ROOT);
    }
}
