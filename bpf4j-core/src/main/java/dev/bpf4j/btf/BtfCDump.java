package dev.bpf4j.btf;

import dev.bpf4j.BpfFormatException;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * BTF as a C header that compiles to the same layouts (what BPF programs include as
 * {@code vmlinux.h}). Types are emitted in dependency order: whatever a definition embeds by
 * value is defined before it; what it reaches only through pointers or function prototypes gets
 * a forward declaration. Anonymous types are written inline where they are used (unless nothing
 * uses them). Gaps the compiler would not leave by itself become unnamed bitfields
 * ({@code long: 64;}), and structs the compiler could not lay out naturally are marked
 * {@code packed}. Duplicate names (BTF may hold two different {@code struct foo}) get a
 * {@code ___2} suffix. Functions, variables and data sections are not types and are left out.
 */
public final class BtfCDump {
    private static final int[] PAD_BITS = {64, 32, 16, 8};
    private static final String[] PAD_TYPES = {"long", "int", "short", "char"};

    private final Btf btf;
    private final Map<Integer, String> names = new HashMap<>();
    private final Set<Integer> referenced = new HashSet<>();
    private final Map<Integer, Boolean> packed = new HashMap<>();
    private final Map<Integer, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    private final List<Integer> queue = new ArrayList<>();
    private final Set<String> declared = new HashSet<>();        // "struct foo" forward-declared or defined
    private final StringBuilder out = new StringBuilder();

    private BtfCDump(Btf btf) {
        this.btf = btf;
    }

    /** Writes the whole header, guarded by {@code guard} ({@code __VMLINUX_H__} for the kernel). */
    public static void write(Btf btf, String guard, PrintWriter w) {
        BtfCDump d = new BtfCDump(btf);
        d.prepare();
        w.println("#ifndef " + guard);
        w.println("#define " + guard);
        w.println();
        w.println("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX");
        w.println("#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)");
        w.println("#endif");
        w.println();
        d.emitAll();
        w.print(d.out);
        w.println("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX");
        w.println("#pragma clang attribute pop");
        w.println("#endif");
        w.println();
        w.println("#endif /* " + guard + " */");
        w.flush();
    }

    // ---- names and references ----

    private void prepare() {
        Map<String, Integer> tags = new HashMap<>();
        Map<String, Integer> idents = new HashMap<>();
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            switch (t) {
                case BtfType.Struct s -> {
                    unique(id, s.name(), tags);
                    s.members().forEach(m -> referenced.add(m.type()));
                }
                case BtfType.Enum e -> unique(id, e.name(), tags);
                case BtfType.Fwd f -> names.put(id, f.name());
                case BtfType.Typedef td -> {
                    unique(id, td.name(), idents);
                    referenced.add(td.type());
                }
                case BtfType.Ptr p -> referenced.add(p.type());
                case BtfType.Array a -> referenced.add(a.elementType());
                case BtfType.Qualifier q -> referenced.add(q.type());
                case BtfType.TypeTag g -> referenced.add(g.type());
                case BtfType.FuncProto p -> {
                    referenced.add(p.returnType());
                    p.params().forEach(x -> referenced.add(x.type()));
                }
                default -> { }
            }
        }
        for (int id = 1; id < btf.typeCount(); id++) {
            if (btf.type(id) instanceof BtfType.Enum e) {
                for (int i = 0; i < e.values().size(); i++) {
                    String n = e.values().get(i).name();
                    int count = idents.merge(n, 1, Integer::sum);
                    names.put(enumeratorKey(id, i), count == 1 ? n : n + "___" + count);
                }
            }
        }
    }

    private void unique(int id, String name, Map<String, Integer> seen) {
        if (name.isEmpty()) {
            return;
        }
        int count = seen.merge(name, 1, Integer::sum);
        names.put(id, count == 1 ? name : name + "___" + count);
    }

    /** Enumerator names live in the same map, under keys no type id uses. */
    private static int enumeratorKey(int id, int index) {
        return -(id * 65536 + index + 1);
    }

    private String name(int id) {
        return names.getOrDefault(id, "");
    }

    // ---- order ----

    private void emitAll() {
        for (int id = 1; id < btf.typeCount(); id++) {
            BtfType t = btf.type(id);
            if (t instanceof BtfType.Struct || t instanceof BtfType.Enum || t instanceof BtfType.Fwd
                    || t instanceof BtfType.Typedef) {
                order(id, false);
            }
        }
        for (int id : queue) {
            emit(id);
        }
    }

    /**
     * Queues {@code id} after what it needs. Reached through a pointer ({@code viaPointer}), a
     * named struct needs only a forward declaration, so it is left for later.
     */
    private void order(int id, boolean viaPointer) {
        BtfType t = btf.type(id);
        switch (t) {
            case BtfType.Struct s -> {
                boolean named = !s.name().isEmpty();
                if (viaPointer && named) {
                    return;
                }
                int st = state.getOrDefault(id, 0);
                if (st == 2) {
                    return;
                }
                if (st == 1) {
                    throw new BpfFormatException("BTF: " + btf.describe(id) + " contains itself by value");
                }
                state.put(id, 1);
                for (BtfType.Member m : s.members()) {
                    order(m.type(), false);
                }
                state.put(id, 2);
                if (named) {
                    queue.add(id); // anonymous ones are written where they are used
                }
            }
            case BtfType.Enum e -> {
                if (state.putIfAbsent(id, 2) == null && (!e.name().isEmpty() || !referenced.contains(id))) {
                    queue.add(id);
                }
            }
            case BtfType.Fwd f -> {
                if (state.putIfAbsent(id, 2) == null) {
                    queue.add(id);
                }
            }
            case BtfType.Typedef td -> {
                if (td.name().equals("__builtin_va_list")) {
                    return; // the compiler's own: redefining it is an error
                }
                // a typedef of a named struct needs only its forward declaration, which also lets the
                // struct use the typedef (through a pointer) in its own members
                boolean ofNamedStruct = skipModifiers(td.type()) instanceof BtfType.Struct s && !s.name().isEmpty();
                if (state.getOrDefault(id, 0) == 0) {
                    state.put(id, 1);
                    order(td.type(), viaPointer || ofNamedStruct);
                    state.put(id, 2);
                    queue.add(id);
                }
                if (!viaPointer) {
                    order(td.type(), false); // used by value: what it names must be complete first
                }
            }
            case BtfType.Ptr p -> order(p.type(), true);
            case BtfType.Array a -> order(a.elementType(), viaPointer);
            case BtfType.Qualifier q -> order(q.type(), viaPointer);
            case BtfType.TypeTag g -> order(g.type(), viaPointer);
            case BtfType.FuncProto p -> {
                order(p.returnType(), true);
                p.params().forEach(x -> order(x.type(), true));
            }
            default -> { }
        }
    }

    // ---- emission ----

    private void emit(int id) {
        BtfType t = btf.type(id);
        switch (t) {
            case BtfType.Fwd f -> {
                declare((f.union() ? "union " : "struct ") + f.name());
            }
            case BtfType.Struct s -> {
                Set<Integer> seen = new HashSet<>();
                s.members().forEach(m -> declareReferences(m.type(), seen));
                out.append(structBody(s, 0)).append(";\n\n");
                if (!s.name().isEmpty()) {
                    declared.add(tag(s));
                }
            }
            case BtfType.Enum e -> out.append(enumBody(e, 0)).append(";\n\n");
            case BtfType.Typedef td -> {
                declareReferences(td.type(), new HashSet<>());
                out.append("typedef ").append(declaration(td.type(), name(id), 0)).append(";\n\n");
            }
            default -> { }
        }
    }

    private void declare(String tag) {
        if (declared.add(tag)) {
            out.append(tag).append(";\n\n");
        }
    }

    private String tag(BtfType.Struct s) {
        return (s.union() ? "union " : "struct ") + name(s.id());
    }

    /** Forward-declares the named structs a declaration mentions that are not declared yet. */
    private void declareReferences(int id, Set<Integer> seen) {
        if (!seen.add(id)) {
            return;
        }
        switch (btf.type(id)) {
            case BtfType.Struct s when !s.name().isEmpty() -> declare(tag(s));
            case BtfType.Struct s -> s.members().forEach(m -> declareReferences(m.type(), seen));
            case BtfType.Ptr p -> declareReferences(p.type(), seen);
            case BtfType.Array a -> declareReferences(a.elementType(), seen);
            case BtfType.Qualifier q -> declareReferences(q.type(), seen);
            case BtfType.TypeTag g -> declareReferences(g.type(), seen);
            case BtfType.FuncProto p -> {
                declareReferences(p.returnType(), seen);
                p.params().forEach(x -> declareReferences(x.type(), seen));
            }
            default -> { }
        }
    }

    /** A C declaration of {@code inner} (a name, possibly with declarator parts) with type {@code id}. */
    private String declaration(int id, String inner, int level) {
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Void v -> join("void", inner);
            case BtfType.Int i -> join(i.name(), inner);
            case BtfType.Float f -> join(f.name(), inner);
            case BtfType.Typedef td -> join(name(id), inner);
            case BtfType.Fwd f -> join((f.union() ? "union " : "struct ") + f.name(), inner);
            case BtfType.Struct s -> join(s.name().isEmpty() ? structBody(s, level) : tag(s), inner);
            case BtfType.Enum e -> join(e.name().isEmpty() ? enumBody(e, level) : "enum " + name(id), inner);
            case BtfType.Ptr p -> {
                BtfType to = skipModifiers(p.type());
                boolean wrap = to instanceof BtfType.Array || to instanceof BtfType.FuncProto;
                yield declaration(p.type(), wrap ? "(*" + inner + ")" : "*" + inner, level);
            }
            case BtfType.Qualifier q when btf.type(q.type()) instanceof BtfType.Qualifier twice && twice.kind() == q.kind() ->
                    declaration(q.type(), inner, level); // "const const" once
            case BtfType.Qualifier q -> {
                String word = switch (q.kind()) {
                    case CONST -> "const";
                    case VOLATILE -> "volatile";
                    default -> "restrict";
                };
                yield btf.type(q.type()) instanceof BtfType.Ptr || q.kind() == BtfKind.RESTRICT
                        ? declaration(q.type(), word + (inner.isEmpty() ? "" : " " + inner), level)
                        : (word + " " + declaration(q.type(), inner, level)).replaceFirst("^(const|volatile) \\1 ", "$1 ");
            }
            case BtfType.TypeTag g -> declaration(g.type(), inner, level);
            case BtfType.Array a -> declaration(a.elementType(), inner + "[" + Integer.toUnsignedString(a.length())
                    + "]", level);
            case BtfType.FuncProto p -> declaration(p.returnType(), inner + "(" + params(p, level) + ")", level);
            default -> throw new BpfFormatException("BTF: " + btf.describe(id) + " cannot be part of a C declaration");
        };
    }

    private BtfType skipModifiers(int id) {
        BtfType t = btf.type(id);
        while (t instanceof BtfType.Qualifier || t instanceof BtfType.TypeTag) {
            t = btf.type(t instanceof BtfType.Qualifier q ? q.type() : ((BtfType.TypeTag) t).type());
        }
        return t;
    }

    private String params(BtfType.FuncProto p, int level) {
        if (p.params().isEmpty()) {
            return "void";
        }
        List<String> out = new ArrayList<>();
        for (BtfType.Param x : p.params()) {
            out.add(x.type() == 0 ? "..." : declaration(x.type(), x.name(), level));
        }
        return String.join(", ", out);
    }

    private static String join(String type, String inner) {
        if (inner.isEmpty()) {
            return type;
        }
        return type + (inner.startsWith("[") || inner.startsWith("(") && !inner.startsWith("(*") ? "" : " ") + inner;
    }

    private static String indent(int level) {
        return "\t".repeat(level);
    }

    private String enumBody(BtfType.Enum e, int level) {
        StringBuilder s = new StringBuilder("enum ");
        if (!e.name().isEmpty()) {
            s.append(name(e.id())).append(' ');
        }
        s.append("{\n");
        boolean big = false;
        for (int i = 0; i < e.values().size(); i++) {
            long v = e.values().get(i).value();
            String value;
            if (e.wide()) {
                value = e.signed() ? v + "LL" : Long.toUnsignedString(v) + "ULL";
                // does a value need 64 bits? (below 2^32, clang makes an unsigned enum 4 bytes)
                big |= e.signed() ? v != (int) v : (v >>> 32) != 0;
            } else {
                value = e.signed() ? Integer.toString((int) v) : Integer.toUnsignedString((int) v);
            }
            s.append(indent(level + 1)).append(name(enumeratorKey(e.id(), i))).append(" = ").append(value)
                    .append(",\n");
        }
        s.append(indent(level)).append('}');
        // the compiler sizes an enum from its values: force the BTF size when it would pick another
        String mode = switch (e.size()) {
            case 1 -> "QI";
            case 2 -> "HI";
            case 8 -> big ? null : "DI";
            default -> null;
        };
        if (mode != null && !e.values().isEmpty()) {
            s.append(" __attribute__((mode(").append(mode).append(")))");
        }
        return s.toString();
    }

    // ---- struct layout ----

    private String structBody(BtfType.Struct s, int level) {
        boolean isPacked = isPacked(s);
        StringBuilder b = new StringBuilder(s.union() ? "union " : "struct ");
        if (!s.name().isEmpty()) {
            b.append(name(s.id())).append(' ');
        }
        b.append("{\n");
        long cur = 0;
        for (BtfType.Member m : s.members()) {
            long off = s.union() ? 0 : m.bitOffset();
            if (!s.union() && placement(m, cur, isPacked) != off) {
                cur = pad(b, cur, off, level + 1);
            }
            b.append(indent(level + 1)).append(declaration(m.type(), m.name(), level + 1));
            if (m.bitfieldSize() != 0) {
                b.append(": ").append(m.bitfieldSize());
            }
            b.append(";\n");
            cur = s.union() ? Math.max(cur, bits(m)) : off + bits(m);
        }
        long size = (long) s.size() * 8;
        if (!s.union() && roundUp(cur, (isPacked ? 1 : alignOf(s.id())) * 8L) != size && cur < size) {
            pad(b, cur, size, level + 1);
        }
        b.append(indent(level)).append('}');
        if (isPacked) {
            b.append(" __attribute__((packed))");
        }
        return b.toString();
    }

    /** Unnamed bitfields from bit {@code cur} to {@code to}: none straddles its unit, so each lands where written. */
    private static long pad(StringBuilder b, long cur, long to, int level) {
        while (cur < to) {
            long gap = to - cur;
            if (cur % 8 != 0) {
                long n = Math.min(8 - cur % 8, gap);
                b.append(indent(level)).append("char: ").append(n).append(";\n");
                cur += n;
                continue;
            }
            boolean done = false;
            for (int i = 0; i < PAD_BITS.length && !done; i++) {
                if (cur % PAD_BITS[i] == 0 && gap >= PAD_BITS[i]) {
                    b.append(indent(level)).append(PAD_TYPES[i]).append(": ").append(PAD_BITS[i]).append(";\n");
                    cur += PAD_BITS[i];
                    done = true;
                }
            }
            if (!done) {
                b.append(indent(level)).append("char: ").append(gap).append(";\n");
                cur += gap;
            }
        }
        return cur;
    }

    private long bits(BtfType.Member m) {
        return m.bitfieldSize() != 0 ? m.bitfieldSize() : btf.sizeOf(m.type()) * 8;
    }

    /** Where the compiler puts a member when the previous one ends at bit {@code cur}. */
    private long placement(BtfType.Member m, long cur, boolean isPacked) {
        if (m.bitfieldSize() != 0) {
            if (isPacked) {
                return cur;
            }
            long unit = btf.sizeOf(m.type()) * 8;
            return unit == 0 || cur / unit == (cur + m.bitfieldSize() - 1) / unit ? cur : roundUp(cur, unit);
        }
        return roundUp(cur, (isPacked ? 1 : alignOf(m.type())) * 8L);
    }

    /** Whether the struct needs {@code packed}: its layout is not what natural alignment gives. */
    private boolean isPacked(BtfType.Struct s) {
        Boolean known = packed.get(s.id());
        if (known != null) {
            return known;
        }
        boolean result = false;
        if (!s.union()) {
            long cur = 0;
            for (BtfType.Member m : s.members()) {
                long off = m.bitOffset();
                if (off < cur) {
                    break; // overlapping members: nothing a C struct can say; keep what we have
                }
                if (m.bitfieldSize() != 0) {
                    long unit = btf.sizeOf(m.type()) * 8;
                    if (unit > 0 && off / unit != (off + m.bitfieldSize() - 1) / unit) {
                        result = true;
                    }
                } else if (off % (alignOf(m.type()) * 8L) != 0) {
                    result = true;
                }
                cur = off + bits(m);
            }
        }
        packed.put(s.id(), result); // before alignOf(s), which asks
        if (!result && s.size() % naturalAlign(s) != 0) {
            result = true;
            packed.put(s.id(), true);
        }
        return result;
    }

    private int naturalAlign(BtfType.Struct s) {
        int a = 1;
        for (BtfType.Member m : s.members()) {
            a = Math.max(a, alignOf(m.type()));
        }
        return a;
    }

    /** The alignment the compiler gives the emitted type, in bytes. */
    private int alignOf(int id) {
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Int i -> Math.max(1, Math.min(i.size(), 16));
            case BtfType.Float f -> Math.max(1, Math.min(f.size(), 16));
            case BtfType.Enum e -> Math.max(1, e.size());
            case BtfType.Ptr p -> 8;
            case BtfType.Array a -> alignOf(a.elementType());
            case BtfType.Typedef td -> alignOf(td.type());
            case BtfType.Qualifier q -> alignOf(q.type());
            case BtfType.TypeTag g -> alignOf(g.type());
            case BtfType.Struct s -> isPacked(s) ? 1 : naturalAlign(s);
            default -> 1;
        };
    }

    private static long roundUp(long v, long to) {
        return to <= 1 ? v : (v + to - 1) / to * to;
    }
}
