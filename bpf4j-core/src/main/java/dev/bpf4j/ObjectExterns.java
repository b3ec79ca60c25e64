package dev.bpf4j;

import dev.bpf4j.asm.Instruction;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.elf.ElfSymbol;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The extern step of loading: an object's {@code __kconfig} and {@code __ksym} externs resolved
 * against the running kernel, the instruction patches they need (as libbpf makes them), and the
 * object's BTF made loadable (clang leaves the extern sections unplaced and externs have a linkage
 * the kernel refuses).
 */
final class ObjectExterns {
    /** The map (and its section) that holds kconfig values. */
    static final String KCONFIG = ".kconfig";
    static final String KSYMS = ".ksyms";
    /** Base of the invalid helper id a missing weak kfunc's call becomes (libbpf's number). */
    static final int POISON_KFUNC_BASE = 2002000000;

    private static final ObjectExterns NONE = new ObjectExterns(null, KconfigExterns.of(Btf.of(List.of(new BtfType.Void()),
            java.nio.ByteOrder.nativeOrder()), Set.of()), Map.of());

    private final String file;
    private final KconfigExterns kconfig;
    private final Map<String, Ksyms.Ksym> ksyms;

    private ObjectExterns(String file, KconfigExterns kconfig, Map<String, Ksyms.Ksym> ksyms) {
        this.file = file;
        this.kconfig = kconfig;
        this.ksyms = ksyms;
    }

    /** Resolves the object's externs; kernel files are read only when the object has such externs. */
    static ObjectExterns of(ObjectSpec spec) {
        boolean any = false; // a loop, not a stream: this runs on every load, and objects seldom have externs
        for (ElfSymbol s : spec.elf().symbols()) {
            if (s.sectionIndex() == 0 && !s.name().isEmpty() && s.binding() != ElfSymbol.STB_LOCAL) {
                any = true;
                break;
            }
        }
        if (!any || spec.btf().isEmpty()) {
            return NONE; // an extern use without BTF is reported by the linker when it meets it
        }
        Btf btf = spec.btf().get();
        Set<String> weak = spec.elf().symbols().stream().filter(s -> s.binding() == ElfSymbol.STB_WEAK)
                .map(ElfSymbol::name).collect(Collectors.toSet());
        try {
            KconfigExterns kconfig = KconfigExterns.of(btf, weak);
            Map<String, Ksyms.Ksym> ksyms = new LinkedHashMap<>();
            if (btf.typeByName(KSYMS, BtfKind.DATASEC).isPresent()) {
                for (Ksyms.Ksym k : Ksyms.resolve(btf, weak, KernelBtf.vmlinux(), Ksyms.KALLSYMS)) {
                    ksyms.put(k.name(), k);
                }
            }
            return new ObjectExterns(spec.fileName(), kconfig, ksyms);
        } catch (BpfException e) {
            throw new BpfException(spec.fileName() + ": " + e.getMessage(), e);
        }
    }

    KconfigExterns kconfig() {
        return kconfig;
    }

    /** The resolved ksyms by name. */
    Map<String, Ksyms.Ksym> ksyms() {
        return ksyms;
    }

    /**
     * The instruction that uses extern {@code name}: a kconfig load becomes a map value load of the
     * .kconfig map (symbolic, the loader puts in the fd); an untyped ksym (or a missing weak one)
     * its address; a typed ksym its kernel BTF id; a kfunc call the kernel BTF id, or an invalid
     * helper call when a weak kfunc is missing, so code that checks for it first still verifies.
     * {@code where} names the instruction in errors (built only for one).
     */
    Instruction patch(Instruction insn, String name, java.util.function.Supplier<String> where) {
        boolean call = insn.opcode() == 0x85;
        if (!call && !insn.isWide()) {
            throw new BpfException(where.get() + " uses extern '" + name + "' but is neither a 64-bit load nor a call");
        }
        var k = kconfig.extern(name);
        if (k.isPresent()) {
            if (call) {
                throw new BpfException(where.get() + " calls kconfig extern '" + name + "'");
            }
            return insn.withSrc(Instruction.PSEUDO_MAP_VALUE).withImm((long) k.get().offset() << 32)
                    .withReference(KCONFIG);
        }
        Ksyms.Ksym s = ksyms.get(name);
        if (s == null) {
            throw new BpfException(where.get() + " uses extern '" + name + "', which is neither a __kconfig nor a __ksym"
                    + " extern (or the object has no BTF describing it)");
        }
        if (call) {
            if (s.kind() != Ksyms.Kind.KFUNC) {
                throw new BpfException(where.get() + " calls '" + name + "', which is a kernel variable, not a kfunc");
            }
            if (!s.found()) {
                int index = new ArrayList<>(ksyms.keySet()).indexOf(name);
                return new Instruction(0x85, 0, 0, 0, POISON_KFUNC_BASE + index);
            }
            // off is the kfunc's BTF object as an fd_array index: 0 means vmlinux, the only BTF ksyms resolve in
            return new Instruction(0x85, insn.dst(), Instruction.PSEUDO_KFUNC_CALL, 0, s.value());
        }
        return switch (s.kind()) {
            case VARIABLE -> s.found()
                    ? insn.withSrc(Instruction.PSEUDO_BTF_ID).withImm(((long) s.btfObjFd() << 32) | s.value())
                    : insn.withSrc(0).withImm(0);
            case ADDRESS -> insn.withSrc(0).withImm(s.value());
            case KFUNC -> throw new BpfException(where.get() + " takes the address of kfunc '" + name
                    + "', which cannot be loaded; call it instead");
        };
    }

    /**
     * The object's BTF made loadable: the .kconfig section placed as the map value is laid out,
     * the .ksyms section pointed at one placeholder variable per entry, and externs given a linkage
     * (and parameter names) the kernel accepts.
     */
    Btf prepare(Btf btf) {
        if (!needsPreparing(btf)) {
            return btf;
        }
        List<BtfType> types = new ArrayList<>(btf.types());
        int intType = -1;
        for (int i = 1; i < types.size() && intType < 0; i++) {
            if (types.get(i) instanceof BtfType.Int t && t.size() == 4 && t.bits() == 32) {
                intType = i;
            }
        }
        for (int i = 1; i < types.size(); i++) {
            BtfType t = types.get(i);
            if (t instanceof BtfType.Datasec d && d.name().equals(KCONFIG)) {
                List<BtfType.SecInfo> vars = new ArrayList<>();
                for (BtfType.SecInfo v : d.vars()) {
                    String name = btf.type(v.type()).name();
                    KconfigExterns.Extern e = kconfig.extern(name).orElseThrow(() -> new BpfFormatException(file
                            + ": .kconfig entry '" + name + "' has no layout"));
                    vars.add(new BtfType.SecInfo(v.type(), e.offset(), e.size()));
                }
                vars.sort(java.util.Comparator.comparingInt(BtfType.SecInfo::offset));
                types.set(i, new BtfType.Datasec(i, d.name(), Math.max(kconfig.size(), 1), vars));
            }
        }
        for (int i = 1; i < types.size(); i++) {
            BtfType t = types.get(i);
            if (t instanceof BtfType.Var v && v.linkage() == BtfType.Linkage.EXTERN) {
                boolean untyped = btf.resolve(v.type()) instanceof BtfType.Void;
                if (untyped && intType < 0) {
                    intType = append(types, new BtfType.Int(types.size(), "int", 4, BtfType.Int.SIGNED, 0, 32));
                }
                types.set(i, new BtfType.Var(i, v.name(), untyped ? intType : v.type(), BtfType.Linkage.GLOBAL));
            } else if (t instanceof BtfType.Func f && f.linkage() == BtfType.Linkage.EXTERN) {
                types.set(i, new BtfType.Func(i, f.name(), namedParams(types, f.type()), BtfType.Linkage.GLOBAL));
            }
        }
        for (int i = 1; i < types.size(); i++) {
            if (types.get(i) instanceof BtfType.Datasec d && d.name().equals(KSYMS)) {
                if (intType < 0) {
                    intType = append(types, new BtfType.Int(types.size(), "int", 4, BtfType.Int.SIGNED, 0, 32));
                }
                int placeholder = append(types, new BtfType.Var(types.size(), "bpf4j_ksym", intType,
                        BtfType.Linkage.GLOBAL));
                List<BtfType.SecInfo> vars = new ArrayList<>();
                for (int n = 0; n < d.vars().size(); n++) {
                    vars.add(new BtfType.SecInfo(placeholder, n * 4, 4));
                }
                types.set(i, new BtfType.Datasec(i, d.name(), Math.max(4, vars.size() * 4), vars));
            }
        }
        return btf.withTypes(types);
    }

    /** True if the BTF has an extern section or an extern variable or function: else prepare leaves it as it is. */
    static boolean needsPreparing(Btf btf) {
        return btf.typeByName(KCONFIG, BtfKind.DATASEC).isPresent() || btf.typeByName(KSYMS, BtfKind.DATASEC).isPresent()
                || btf.anyWithLinkage(BtfKind.VAR, BtfType.Linkage.EXTERN)
                || btf.anyWithLinkage(BtfKind.FUNC, BtfType.Linkage.EXTERN);
    }

    private static int append(List<BtfType> types, BtfType t) {
        types.add(t);
        return t.id();
    }

    /** The kernel wants every parameter of a non-extern function named: unnamed ones get a new prototype. */
    private static int namedParams(List<BtfType> types, int protoId) {
        if (!(types.get(protoId) instanceof BtfType.FuncProto p)
                || p.params().stream().allMatch(x -> !x.name().isEmpty() || x.type() == 0)) {
            return protoId;
        }
        List<BtfType.Param> params = new ArrayList<>();
        for (int n = 0; n < p.params().size(); n++) {
            BtfType.Param x = p.params().get(n);
            params.add(x.name().isEmpty() && x.type() != 0 ? new BtfType.Param("arg" + n, x.type()) : x);
        }
        return append(types, new BtfType.FuncProto(types.size(), "", p.returnType(), params));
    }
}
