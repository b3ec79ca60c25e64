package dev.bpf4j.btf;

import java.util.stream.Collectors;

/** Spells a BTF type as C: the type name around a declarator built from the outside in. */
final class CNames {
    /** Real declarators nest a few levels; a fixed cap stops loops without deep recursion. */
    private static final int MAX_STEPS = 256;

    private final Btf btf;
    private int steps;

    CNames(Btf btf) {
        this.btf = btf;
    }

    String name(int id) {
        return declare(id, "");
    }

    /** {@code decl} is what surrounds the type so far ("*", "[4]", "(*)(int)"). */
    private String declare(int id, String decl) {
        if (++steps > MAX_STEPS) {
            throw new dev.bpf4j.BpfFormatException("BTF: type #" + id + " nests more than " + MAX_STEPS
                    + " levels deep (a reference loop?)");
        }
        BtfType t = btf.type(id);
        return switch (t) {
            case BtfType.Void v -> join("void", decl);
            case BtfType.Int i -> join(i.name(), decl);
            case BtfType.Float f -> join(f.name(), decl);
            case BtfType.Typedef d -> join(d.name(), decl);
            case BtfType.Struct s -> join((s.union() ? "union " : "struct ") + orAnon(s.name()), decl);
            case BtfType.Fwd f -> join((f.union() ? "union " : "struct ") + f.name(), decl);
            case BtfType.Enum e -> join("enum " + orAnon(e.name()), decl);
            case BtfType.Ptr p -> declare(p.type(), "*" + decl);
            case BtfType.Qualifier q -> qualify(q.type(), q.kind().name().toLowerCase(java.util.Locale.ROOT), decl);
            case BtfType.TypeTag g -> declare(g.type(), decl);
            case BtfType.Array a -> declare(a.elementType(), group(decl) + "[" + Integer.toUnsignedString(a.length()) + "]");
            case BtfType.FuncProto f -> declare(f.returnType(), group(decl) + "(" + params(f) + ")");
            case BtfType.Func f -> declare(f.type(), f.name());
            case BtfType.Var v -> declare(v.type(), v.name());
            case BtfType.Datasec d -> "SEC(\"" + d.name() + "\")";
            case BtfType.DeclTag d -> declare(d.type(), decl);
        };
    }

    /** A qualifier binds to a pointer on its left ({@code char * const}), else prefixes the type. */
    private String qualify(int target, String qualifier, String decl) {
        if (btf.type(target) instanceof BtfType.Ptr p) {
            return declare(p.type(), "* " + qualifier + (decl.isEmpty() ? "" : " " + decl));
        }
        return qualifier + " " + declare(target, decl);
    }

    private String params(BtfType.FuncProto f) {
        if (f.params().isEmpty()) {
            return "void";
        }
        return f.params().stream().map(p -> p.type() == 0 ? "..." : declare(p.type(), ""))
                .collect(Collectors.joining(", "));
    }

    private static String group(String decl) {
        return decl.startsWith("*") ? "(" + decl + ")" : decl;
    }

    private static String join(String base, String decl) {
        if (decl.isEmpty()) {
            return base;
        }
        return decl.startsWith("[") || decl.startsWith("(") && !decl.startsWith("(*") ? base + decl : base + " " + decl;
    }

    private static String orAnon(String name) {
        return name.isEmpty() ? "(anon)" : name;
    }
}
