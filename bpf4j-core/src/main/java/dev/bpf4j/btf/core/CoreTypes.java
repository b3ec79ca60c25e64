package dev.bpf4j.btf.core;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;

import java.util.List;

/** The compatibility rules CO-RE applies between a local (object) type and a target (kernel) type. */
final class CoreTypes {
    /** How deep type comparisons recurse before the types are taken as incompatible. */
    static final int MAX_DEPTH = 32;

    private CoreTypes() {
    }

    /** Follows typedefs, qualifiers and type tags. */
    static BtfType skip(Btf btf, int id) {
        return btf.resolve(id);
    }

    /** Same kind, where ENUM and ENUM64 count as one. */
    static boolean kindsCompatible(BtfType a, BtfType b) {
        return a.kind() == b.kind() || isEnum(a) && isEnum(b);
    }

    static boolean isEnum(BtfType t) {
        return t.kind() == BtfKind.ENUM || t.kind() == BtfKind.ENUM64;
    }

    static boolean isComposite(BtfType t) {
        return t instanceof BtfType.Struct;
    }

    /** Names equal once their {@code ___flavour} suffixes are dropped. */
    static boolean essentialNamesEqual(String a, String b) {
        return Btf.essentialName(a).equals(Btf.essentialName(b));
    }

    /**
     * Whether a local field's type may be relocated onto a target field's type: any two
     * structs/unions; pointers and floats of the same kind; enums and forwards whose names agree
     * (or either is anonymous); integers that are not old-style bitfield integers; arrays whose
     * elements are compatible.
     */
    static boolean fieldsCompatible(Btf local, int localId, Btf target, int targetId) {
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            BtfType l = skip(local, localId);
            BtfType t = skip(target, targetId);
            if (isComposite(l) && isComposite(t)) {
                return true;
            }
            if (!kindsCompatible(l, t)) {
                return false;
            }
            switch (l) {
                case BtfType.Ptr p -> {
                    return true;
                }
                case BtfType.Float f -> {
                    return true;
                }
                case BtfType.Fwd f -> {
                    return anonymousOrSameName(l.name(), t.name());
                }
                case BtfType.Enum e -> {
                    return anonymousOrSameName(l.name(), t.name());
                }
                case BtfType.Int i -> {
                    return i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
                }
                case BtfType.Array a -> {
                    localId = a.elementType();
                    targetId = ((BtfType.Array) t).elementType();
                }
                default -> {
                    return false;
                }
            }
        }
        return false;
    }

    private static boolean anonymousOrSameName(String a, String b) {
        return a.isEmpty() || b.isEmpty() || essentialNamesEqual(a, b);
    }

    /**
     * The looser test used for type-based relocations (exists, size, target id): kinds agree;
     * structs, unions, enums and forwards match by kind alone; pointers, arrays and function
     * prototypes recurse into what they refer to.
     */
    static boolean typesCompatible(Btf local, int localId, Btf target, int targetId, int depth) {
        if (depth <= 0) {
            return false;
        }
        BtfType l = skip(local, localId);
        BtfType t = skip(target, targetId);
        if (!kindsCompatible(l, t)) {
            return false;
        }
        return switch (l) {
            case BtfType.Void v -> true;
            case BtfType.Struct s -> true;
            case BtfType.Enum e -> true;
            case BtfType.Fwd f -> true;
            case BtfType.Int i -> i.bitOffset() == 0 && ((BtfType.Int) t).bitOffset() == 0;
            case BtfType.Ptr p -> typesCompatible(local, p.type(), target, ((BtfType.Ptr) t).type(), depth - 1);
            case BtfType.Array a -> typesCompatible(local, a.elementType(), target,
                    ((BtfType.Array) t).elementType(), depth - 1);
            case BtfType.FuncProto f -> {
                BtfType.FuncProto g = (BtfType.FuncProto) t;
                if (f.params().size() != g.params().size()) {
                    yield false;
                }
                for (int i = 0; i < f.params().size(); i++) {
                    if (!typesCompatible(local, f.params().get(i).type(), target, g.params().get(i).type(), depth - 1)) {
                        yield false;
                    }
                }
                yield typesCompatible(local, f.returnType(), target, g.returnType(), depth - 1);
            }
            default -> false;
        };
    }

    /**
     * The strict test of {@code bpf_core_type_matches}: names agree (flavours dropped), every
     * local member/enumerator exists in the target with a matching type, integers agree in size
     * and signedness, arrays in length; behind a pointer a struct may match a forward declaration.
     */
    static boolean typesMatch(Btf local, int localId, Btf target, int targetId, boolean behindPointer, int depth) {
        if (depth <= 0) {
            return false;
        }
        BtfType l = skip(local, localId);
        BtfType t = skip(target, targetId);
        if (!namesMatch(l.name(), t.name())) {
            return false;
        }
        return switch (l) {
            case BtfType.Void v -> t instanceof BtfType.Void;
            case BtfType.Fwd f -> {
                if (t instanceof BtfType.Fwd g) {
                    yield f.union() == g.union();
                }
                yield behindPointer && t instanceof BtfType.Struct s && s.union() == f.union();
            }
            case BtfType.Enum e -> t instanceof BtfType.Enum g && enumsMatch(e, g);
            case BtfType.Struct s -> {
                if (behindPointer) {
                    if (t instanceof BtfType.Struct g) {
                        yield s.union() == g.union();
                    }
                    yield t instanceof BtfType.Fwd g && g.union() == s.union();
                }
                yield t instanceof BtfType.Struct g && s.union() == g.union()
                        && compositesMatch(local, s, target, g, behindPointer, depth);
            }
            case BtfType.Int i -> t instanceof BtfType.Int g && i.size() == g.size() && i.isSigned() == g.isSigned();
            case BtfType.Ptr p -> t instanceof BtfType.Ptr g && typesMatch(local, p.type(), target, g.type(), true, depth - 1);
            case BtfType.Array a -> t instanceof BtfType.Array g && a.length() == g.length()
                    && typesMatch(local, a.elementType(), target, g.elementType(), behindPointer, depth - 1);
            case BtfType.FuncProto f -> {
                if (!(t instanceof BtfType.FuncProto g) || f.params().size() != g.params().size()) {
                    yield false;
                }
                for (int i = 0; i < f.params().size(); i++) {
                    if (!typesMatch(local, f.params().get(i).type(), target, g.params().get(i).type(), behindPointer,
                            depth - 1)) {
                        yield false;
                    }
                }
                yield typesMatch(local, f.returnType(), target, g.returnType(), behindPointer, depth - 1);
            }
            default -> false;
        };
    }

    /** An anonymous target matches only an anonymous local; else essential names must agree. */
    private static boolean namesMatch(String local, String target) {
        if (target.isEmpty()) {
            return local.isEmpty();
        }
        return essentialNamesEqual(local, target);
    }

    private static boolean enumsMatch(BtfType.Enum l, BtfType.Enum t) {
        if (l.size() != t.size() || l.values().size() > t.values().size()) {
            return false;
        }
        for (BtfType.EnumValue v : l.values()) {
            if (t.values().stream().noneMatch(w -> namesMatch(v.name(), w.name()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean compositesMatch(Btf local, BtfType.Struct l, Btf target, BtfType.Struct t,
                                           boolean behindPointer, int depth) {
        List<BtfType.Member> targetMembers = t.members();
        if (l.members().size() > targetMembers.size()) {
            return false;
        }
        for (BtfType.Member m : l.members()) {
            boolean matched = false;
            for (BtfType.Member n : targetMembers) {
                if (namesMatch(m.name(), n.name())
                        && typesMatch(local, m.type(), target, n.type(), behindPointer, depth - 1)) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return true;
    }
}
