package dev.bpf4j.btf;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites BTF so that an older kernel accepts it: each kind the kernel lacks is replaced, in
 * place (type ids stay the same), by one it knows with the same size, the way libbpf does. A
 * kernel that supports every {@link Feature} gets the BTF unchanged.
 */
public final class BtfSanitizer {
    /** BTF features that kernels gained over time. */
    public enum Feature {
        /** VAR and DATASEC (5.2). */
        DATASEC,
        /** FUNC and FUNC_PROTO (5.0). */
        FUNC,
        /** FUNC with global linkage (5.6). */
        FUNC_GLOBAL,
        /** FLOAT (5.13). */
        FLOAT,
        /** DECL_TAG (5.16). */
        DECL_TAG,
        /** TYPE_TAG (5.17). */
        TYPE_TAG,
        /** ENUM64 and signed enums (6.0). */
        ENUM64
    }

    /** Name of the 1-byte integer added as member type when ENUM64 becomes a union. */
    static final String ENUM64_PLACEHOLDER = "enum64_placeholder";

    private BtfSanitizer() {
    }

    /** Every feature: a kernel with all of them gets the BTF as it is (an EnumSet, so the check is a bit test). */
    private static final Set<Feature> ALL = EnumSet.allOf(Feature.class);

    /** Whether a kernel that accepts {@code supported} takes any BTF as it is. */
    public static boolean keepsEverything(Set<Feature> supported) {
        return supported.containsAll(ALL);
    }

    /** The BTF with every kind outside {@code supported} replaced; {@code btf} itself if nothing changes. */
    public static Btf sanitize(Btf btf, Set<Feature> supported) {
        if (keepsEverything(supported)) {
            return btf;
        }
        List<BtfType> out = new ArrayList<>(btf.types());
        int placeholder = 0;
        boolean changed = false;
        for (int i = 1; i < out.size(); i++) {
            BtfType t = out.get(i);
            BtfType replaced = switch (t) {
                case BtfType.Var v when !supported.contains(Feature.DATASEC) -> byteInt(i);
                case BtfType.Datasec d when !supported.contains(Feature.DATASEC) -> datasecAsStruct(btf, d);
                case BtfType.FuncProto p when !supported.contains(Feature.FUNC) -> protoAsEnum(p);
                case BtfType.Func f when !supported.contains(Feature.FUNC) -> new BtfType.Typedef(i, f.name(), f.type());
                case BtfType.Func f when !supported.contains(Feature.FUNC_GLOBAL)
                        && f.linkage() == BtfType.Linkage.GLOBAL ->
                        new BtfType.Func(i, f.name(), f.type(), BtfType.Linkage.STATIC);
                case BtfType.Float f when !supported.contains(Feature.FLOAT) ->
                        new BtfType.Struct(i, "", false, f.size(), false, List.of());
                case BtfType.DeclTag d when !supported.contains(Feature.DECL_TAG) -> byteInt(i);
                case BtfType.TypeTag g when !supported.contains(Feature.TYPE_TAG) ->
                        new BtfType.Qualifier(i, "", BtfKind.CONST, g.type());
                case BtfType.Enum e when !supported.contains(Feature.ENUM64) && !e.wide() && e.signed() ->
                        new BtfType.Enum(i, e.name(), false, e.size(), false, e.values());
                case BtfType.Enum e when !supported.contains(Feature.ENUM64) && e.wide() -> {
                    if (placeholder == 0) {
                        placeholder = out.size();
                        out.add(new BtfType.Int(placeholder, ENUM64_PLACEHOLDER, 1, 0, 0, 8));
                    }
                    int member = placeholder;
                    yield new BtfType.Struct(i, e.name(), true, e.size(), false, e.values().stream()
                            .map(v -> new BtfType.Member(v.name(), member, 0, 0)).toList());
                }
                default -> t;
            };
            if (replaced != t) {
                out.set(i, replaced);
                changed = true;
            }
        }
        return changed ? btf.withTypes(out) : btf;
    }

    /**
     * FUNC_PROTO as an ENUM of its parameters (value: the parameter's type). Unnamed parameters get a
     * name, since enumerators must have one (libbpf keeps them nameless).
     */
    private static BtfType protoAsEnum(BtfType.FuncProto p) {
        List<BtfType.EnumValue> values = new ArrayList<>();
        for (int k = 0; k < p.params().size(); k++) {
            BtfType.Param param = p.params().get(k);
            values.add(new BtfType.EnumValue(param.name().isEmpty() ? "param" + k : param.name(), param.type()));
        }
        return new BtfType.Enum(p.id(), "", false, 4, false, values);
    }

    /** A 1-byte, 8-bit anonymous INT: the stand-in for VAR and DECL_TAG (same record size). */
    private static BtfType byteInt(int id) {
        return new BtfType.Int(id, "", 1, 0, 0, 8);
    }

    /** DATASEC as a STRUCT of its variables (named like them) at their offsets; dots in the name become '_'. */
    private static BtfType datasecAsStruct(Btf btf, BtfType.Datasec d) {
        List<BtfType.Member> members = new ArrayList<>();
        for (BtfType.SecInfo v : d.vars()) {
            members.add(new BtfType.Member(btf.type(v.type()).name(), v.type(), v.offset() * 8, 0));
        }
        // a struct name may hold neither the section's dots nor the '?' of optional sections
        return new BtfType.Struct(d.id(), d.name().replace('.', '_').replace('?', '_'), false, d.size(), false, members);
    }
}
