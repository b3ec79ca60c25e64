package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.elf.ElfFile;
import dev.bpf4j.elf.ElfSection;
import dev.bpf4j.elf.ElfSymbol;
import dev.bpf4j.elf.SymbolLookup;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Completes what clang leaves for the loader in an object's BTF: a DATASEC's size and its
 * variables' offsets are 0 in the object (the linker would place them); the section headers and
 * the symbol table say where they are. Hidden globals become static, as libbpf makes them, so the
 * kernel does not treat them as shared.
 */
final class DatasecFixup {
    private DatasecFixup() {
    }

    static Btf apply(Btf btf, ElfFile elf) {
        Map<Integer, BtfType> fixed = new HashMap<>();
        for (BtfType t : btf.typesOfKind(BtfKind.DATASEC)) {
            fix(btf, fixed, (BtfType.Datasec) t, elf);
        }
        return btf.withReplaced(fixed);
    }

    /** Puts the placed DATASEC, and its hidden globals made static, into {@code fixed}. */
    private static void fix(Btf btf, Map<Integer, BtfType> fixed, BtfType.Datasec d, ElfFile elf) {
        Optional<ElfSection> section = elf.section(d.name());
        if (section.isEmpty()) {
            if (d.vars().isEmpty() || d.size() != 0) {
                return; // nothing to place, or placed already
            }
            throw new BpfFormatException(elf.fileName() + ": BTF DATASEC '" + d.name()
                    + "' has variables but no ELF section of that name places them");
        }
        ElfSection s = section.get();
        SymbolLookup symbols = SymbolLookup.of(elf.symbolsIn(s));
        List<BtfType.SecInfo> vars = new ArrayList<>();
        for (BtfType.SecInfo v : d.vars()) {
            BtfType t = btf.type(v.type());
            int offset = v.offset();
            if (t instanceof BtfType.Var var) {
                ElfSymbol sym = symbols.first(var.name());
                if (sym != null) {
                    offset = (int) sym.value();
                    if (var.linkage() == BtfType.Linkage.GLOBAL && (sym.visibility() == ElfSymbol.STV_HIDDEN
                            || sym.visibility() == ElfSymbol.STV_INTERNAL)) {
                        fixed.put(var.id(), new BtfType.Var(var.id(), var.name(), var.type(), BtfType.Linkage.STATIC));
                    }
                } else if (var.linkage() != BtfType.Linkage.STATIC) {
                    throw new BpfFormatException(elf.fileName() + ": BTF variable '" + var.name() + "' of DATASEC '"
                            + d.name() + "' has no symbol in " + s.describe());
                }
            }
            vars.add(new BtfType.SecInfo(v.type(), offset, v.size()));
        }
        vars.sort(Comparator.comparingInt(BtfType.SecInfo::offset)); // the kernel wants them in order
        fixed.put(d.id(), new BtfType.Datasec(d.id(), d.name(), (int) s.size(), vars));
    }
}
