package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfRecords;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.elf.ElfFile;
import dev.bpf4j.elf.ElfSection;
import dev.bpf4j.elf.ElfSymbol;
import dev.bpf4j.elf.SymbolLookup;

import java.util.Optional;

/**
 * Completes what clang leaves for the loader in an object's BTF: a DATASEC's size and its
 * variables' offsets are 0 in the object (the linker would place them); the section headers and
 * the symbol table say where they are. Hidden globals become static, as libbpf makes them, so the
 * kernel does not treat them as shared. The extern sections (.kconfig, .ksyms) are
 * {@link ObjectExterns}'s to lay out.
 * <p>
 * The words are written into a copy of the object's BTF blob ({@link BtfRecords}): a load runs this
 * with cold caches, and decoding the sections into types, replacing them and encoding them again
 * cost more than the fix itself.
 */
final class DatasecFixup {
    private DatasecFixup() {
    }

    /** The object's BTF blob, in its own byte order, with every DATASEC placed. */
    static byte[] apply(Btf btf, ElfFile elf) {
        BtfRecords records = BtfRecords.copyOf(btf);
        for (int id : records.idsOfKind(BtfKind.DATASEC)) {
            fix(records, id, elf);
        }
        return records.bytes();
    }

    private static void fix(BtfRecords r, int id, ElfFile elf) {
        String name = r.name(id);
        if (name.equals(ObjectExterns.KCONFIG) || name.equals(ObjectExterns.KSYMS)) {
            return;
        }
        int count = r.varCount(id);
        Optional<ElfSection> section = elf.section(name);
        if (section.isEmpty()) {
            if (count == 0 || r.size(id) != 0) {
                return; // nothing to place, or placed already
            }
            throw new BpfFormatException(elf.fileName() + ": BTF DATASEC '" + name
                    + "' has variables but no ELF section of that name places them");
        }
        ElfSection s = section.get();
        SymbolLookup symbols = SymbolLookup.of(elf.symbolsIn(s));
        for (int i = 0; i < count; i++) {
            int var = r.varType(id, i);
            if (var == 0 || r.kind(var) != BtfKind.VAR) { // void (the parser lets it through) or not a variable
                continue;
            }
            String varName = r.name(var);
            BtfType.Linkage linkage = r.linkage(var);
            ElfSymbol sym = symbols.first(varName);
            if (sym != null) {
                r.setVarOffset(id, i, (int) sym.value());
                if (linkage == BtfType.Linkage.GLOBAL && (sym.visibility() == ElfSymbol.STV_HIDDEN
                        || sym.visibility() == ElfSymbol.STV_INTERNAL)) {
                    r.setLinkage(var, BtfType.Linkage.STATIC);
                }
            } else if (linkage != BtfType.Linkage.STATIC) {
                throw new BpfFormatException(elf.fileName() + ": BTF variable '" + varName + "' of DATASEC '"
                        + name + "' has no symbol in " + s.describe());
            }
        }
        r.sortVars(id); // the kernel wants them in order
        r.setSize(id, (int) s.size());
    }
}
