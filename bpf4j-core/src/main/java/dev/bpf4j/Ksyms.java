package dev.bpf4j;

import dev.bpf4j.asm.KernelSymbols;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.core.CoreRelocator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Resolves an object's {@code __ksym} externs (its {@code .ksyms} DATASEC) against the kernel:
 * untyped variables ({@code extern const void x __ksym}) by address from {@code /proc/kallsyms};
 * typed variables and kfuncs by their BTF id in the kernel's BTF, after checking that the
 * declared type is compatible. Weak externs may be missing; a missing strong one is an error.
 * Patching the instructions (ldimm64 address or BTF id, kfunc call imm) is the loader's job.
 */
public final class Ksyms {
    /** Where the kernel lists its symbols. */
    public static final Path KALLSYMS = Path.of("/proc/kallsyms");

    /** How an extern is satisfied. */
    public enum Kind {
        /** An untyped variable: {@link Ksym#value()} is its address. */
        ADDRESS,
        /** A typed variable (a VAR in kernel BTF, such as a per-CPU variable): value is the BTF id. */
        VARIABLE,
        /** A kernel function called from BPF: value is its FUNC's BTF id. */
        KFUNC
    }

    /**
     * One resolved extern.
     *
     * @param btfObjFd the fd of the BTF object holding the id: 0 for vmlinux
     * @param found    false only for a weak extern the kernel lacks (then value is 0)
     */
    public record Ksym(String name, Kind kind, long value, int btfObjFd, boolean found) {
    }

    private Ksyms() {
    }

    /** Resolves every extern of {@code object}'s {@code .ksyms} DATASEC against {@code kernel} and {@code kallsyms}. */
    public static List<Ksym> resolve(Btf object, Set<String> weakNames, Btf kernel, Path kallsyms) {
        BtfType.Datasec sec = (BtfType.Datasec) object.typeByName(".ksyms", BtfKind.DATASEC).orElse(null);
        if (sec == null) {
            return List.of();
        }
        List<String> untyped = new ArrayList<>();
        for (BtfType.SecInfo v : sec.vars()) {
            if (object.type(v.type()) instanceof BtfType.Var var && object.resolve(var.type()) instanceof BtfType.Void) {
                untyped.add(var.name());
            }
        }
        Map<String, Long> addresses = addresses(kallsyms, Set.copyOf(untyped));
        List<Ksym> out = new ArrayList<>();
        for (BtfType.SecInfo v : sec.vars()) {
            BtfType t = object.type(v.type());
            boolean weak = weakNames.contains(t.name());
            switch (t) {
                case BtfType.Var var when untyped.contains(var.name()) -> {
                    Long address = addresses.get(var.name());
                    out.add(found(var.name(), Kind.ADDRESS, address, weak, "in " + kallsyms));
                }
                case BtfType.Var var -> out.add(byBtfId(object, var.name(), var.type(), BtfKind.VAR, Kind.VARIABLE,
                        kernel, weak));
                case BtfType.Func f -> out.add(byBtfId(object, f.name(), f.type(), BtfKind.FUNC, Kind.KFUNC, kernel, weak));
                default -> throw new BpfFormatException(".ksyms: entry " + object.describe(t.id())
                        + " is neither a variable nor a function");
            }
        }
        return out;
    }

    private static Ksym byBtfId(Btf object, String name, int localType, BtfKind kernelKind, Kind kind, Btf kernel,
                                boolean weak) {
        // kfuncs may be declared under a ___flavour name, to pick among kernels' prototypes
        String kernelName = kernelKind == BtfKind.FUNC ? Btf.essentialName(name) : name;
        for (BtfType k : kernel.typesByName(kernelName)) {
            if (k.kind() != kernelKind) {
                continue;
            }
            int kernelType = k instanceof BtfType.Var v ? v.type() : ((BtfType.Func) k).type();
            if (!CoreRelocator.compatible(object, localType, kernel, kernelType)) {
                if (weak && kernelKind == BtfKind.FUNC) {
                    // as libbpf: a weak kfunc of another prototype counts as missing (bpf_ksym_exists is false)
                    return found(name, kind, null, true, "with this prototype");
                }
                throw new BpfException(".ksyms: " + name + " is declared as " + object.cName(localType)
                        + " but the kernel's is " + kernel.cName(kernelType));
            }
            return new Ksym(name, kind, k.id(), 0, true);
        }
        return found(name, kind, null, weak, "in the kernel's BTF as a " + kernelKind);
    }

    private static Ksym found(String name, Kind kind, Long value, boolean weak, String where) {
        if (value != null) {
            return new Ksym(name, kind, value, 0, true);
        }
        if (!weak) {
            throw new BpfException(".ksyms: " + name + " not found " + where + " (declare it __weak if it may be missing)");
        }
        return new Ksym(name, kind, 0, 0, false);
    }

    /** The address of a kernel symbol from /proc/kallsyms (0 addresses, shown without CAP_SYSLOG, count as absent). */
    public static OptionalLong address(String name) {
        Long a = addresses(KALLSYMS, Set.of(name)).get(name);
        return a == null ? OptionalLong.empty() : OptionalLong.of(a);
    }

    static Map<String, Long> addresses(Path kallsyms, Set<String> names) {
        return KernelSymbols.find(kallsyms, names);
    }
}
