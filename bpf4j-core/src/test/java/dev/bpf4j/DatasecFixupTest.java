package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.elf.ElfFile;
import dev.bpf4j.elf.ElfSection;
import dev.bpf4j.elf.ElfSymbol;
import dev.bpf4j.elf.TestObjects;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasecFixupTest {
    private static final int SYM_SIZE = 24;  // Elf64_Sym
    private static final int SHDR_SIZE = 64; // Elf64_Shdr

    private static List<String> objects() {
        return Stream.concat(TestObjects.all().stream(),
                Stream.of("core_externs.o", "core_fields.o", "core_poison.o", "core_subprog.o").map(n -> "../core/" + n))
                .toList();
    }

    private static Btf btfOf(String name, byte[] bytes, ElfFile elf) {
        ElfSection s = elf.section(".BTF").orElseThrow();
        return Btf.parse(bytes, s.offset(), s.size(), () -> name + " .BTF");
    }

    /** Every committed object: only DATASEC and VAR records change, each as the section and symbol tables say. */
    @Test
    void eachObjectsSectionsArePlacedByItsElfTables() {
        int placed = 0, offsets = 0;
        for (String name : objects()) {
            byte[] bytes = TestObjects.bytes(name);
            ElfFile elf = ElfFile.parse(name, bytes);
            if (elf.section(".BTF").isEmpty()) {
                continue;
            }
            Btf before = btfOf(name, bytes, elf);
            Btf after = Btf.parse(DatasecFixup.apply(before, elf));
            assertEquals(before.typeCount(), after.typeCount(), name);
            for (int id = 1; id < before.typeCount(); id++) {
                BtfType was = before.type(id), now = after.type(id);
                Optional<ElfSection> section = elf.section(was.name());
                if (was instanceof BtfType.Datasec d && section.isPresent() && !was.name().equals(".kconfig")
                        && !was.name().equals(".ksyms")) {
                    BtfType.Datasec fixed = (BtfType.Datasec) now;
                    assertEquals(section.get().size(), fixed.size(), name + " " + d.name());
                    assertEquals(fixed.vars().stream().sorted(Comparator.comparingInt(BtfType.SecInfo::offset)).toList(),
                            fixed.vars(), name + " " + d.name() + " in offset order");
                    assertEquals(sortedTypes(d), sortedTypes(fixed), name + " " + d.name() + " the same entries");
                    for (BtfType.SecInfo v : fixed.vars()) {
                        String var = after.type(v.type()).name();
                        Optional<ElfSymbol> sym = elf.symbolsIn(section.get()).stream()
                                .filter(s -> s.name().equals(var)).findFirst();
                        if (sym.isPresent()) {
                            assertEquals(sym.get().value(), v.offset(), name + " " + var);
                            offsets++;
                        }
                    }
                    placed++;
                } else {
                    assertEquals(was, now, name + " type #" + id + " is left as it was");
                }
            }
        }
        assertTrue(placed >= 10, placed + " sections placed");
        assertTrue(offsets >= 20, offsets + " variable offsets checked against their symbols");
    }

    private static List<Integer> sortedTypes(BtfType.Datasec d) {
        return d.vars().stream().map(BtfType.SecInfo::type).sorted().toList();
    }

    @Test
    void aHiddenGlobalBecomesStatic() {
        byte[] bytes = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("socket_xdp.o", bytes);
        ElfSymbol counts = symbol(elf, "counts");
        bytes[(int) (elf.symbolTable().orElseThrow().offset() + (long) counts.index() * SYM_SIZE + 5)] =
                (byte) ElfSymbol.STV_HIDDEN; // st_other
        ElfFile hidden = ElfFile.parse("socket_xdp.o", bytes);
        Btf fixed = Btf.parse(DatasecFixup.apply(btfOf("socket_xdp.o", bytes, hidden), hidden));
        assertEquals(BtfType.Linkage.STATIC, ((BtfType.Var) fixed.typeByName("counts", BtfKind.VAR).orElseThrow()).linkage());
        assertEquals(BtfType.Linkage.GLOBAL, ((BtfType.Var) fixed.typeByName("settings", BtfKind.VAR).orElseThrow()).linkage(),
                "a visible global stays global");
    }

    @Test
    void aVariableWithoutItsSymbolOrASectionWithoutItsElfSectionIsAFormatError() {
        byte[] bytes = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("socket_xdp.o", bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

        // the map symbol 'counts' renamed to 'settings': the BTF variable 'counts' has no symbol
        byte[] renamedSymbol = bytes.clone();
        long symtab = elf.symbolTable().orElseThrow().offset();
        int settingsName = b.getInt((int) (symtab + (long) symbol(elf, "settings").index() * SYM_SIZE));
        ByteBuffer.wrap(renamedSymbol).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) (symtab + (long) symbol(elf, "counts").index() * SYM_SIZE), settingsName);
        ElfFile noSymbol = ElfFile.parse("socket_xdp.o", renamedSymbol);
        BpfFormatException e = assertThrows(BpfFormatException.class,
                () -> DatasecFixup.apply(btfOf("socket_xdp.o", renamedSymbol, noSymbol), noSymbol));
        assertTrue(e.getMessage().contains("BTF variable 'counts' of DATASEC '.maps' has no symbol"), e.getMessage());

        // the '.maps' section renamed to 'license' (a later twin: lookups find the first)
        byte[] renamedSection = bytes.clone();
        long shoff = b.getLong(0x28);
        ElfSection maps = elf.section(".maps").orElseThrow(), license = elf.section("license").orElseThrow();
        assertTrue(license.index() < maps.index());
        int licenseName = b.getInt((int) (shoff + (long) license.index() * SHDR_SIZE));
        ByteBuffer.wrap(renamedSection).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) (shoff + (long) maps.index() * SHDR_SIZE), licenseName);
        ElfFile noSection = ElfFile.parse("socket_xdp.o", renamedSection);
        e = assertThrows(BpfFormatException.class,
                () -> DatasecFixup.apply(btfOf("socket_xdp.o", renamedSection, noSection), noSection));
        assertTrue(e.getMessage().contains("DATASEC '.maps' has variables but no ELF section"), e.getMessage());
    }

    @Test
    void anEntryOfTypeVoidIsLeftWhereItIs() {
        byte[] bytes = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("socket_xdp.o", bytes);
        Btf btf = btfOf("socket_xdp.o", bytes, elf);
        BtfType.Datasec maps = (BtfType.Datasec) btf.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        BtfType.SecInfo counts = maps.vars().getFirst();
        // the entry (type, offset, size) found in the .BTF section's bytes, its type made 0
        ByteBuffer entry = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(counts.type()).putInt(counts.offset()).putInt(counts.size());
        ElfSection section = elf.section(".BTF").orElseThrow();
        int at = -1;
        for (int p = (int) section.offset(); p + 12 <= section.offset() + section.size() && at < 0; p += 4) {
            if (java.util.Arrays.equals(bytes, p, p + 12, entry.array(), 0, 12)) {
                at = p;
            }
        }
        assertTrue(at > 0, "the .maps entry of 'counts' is in the section");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 0);
        ElfFile patched = ElfFile.parse("socket_xdp.o", bytes);
        Btf fixed = Btf.parse(DatasecFixup.apply(btfOf("socket_xdp.o", bytes, patched), patched));
        BtfType.Datasec placed = (BtfType.Datasec) fixed.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        assertEquals(List.of(new BtfType.SecInfo(0, 0, counts.size()),
                new BtfType.SecInfo(maps.vars().get(1).type(), 32, maps.vars().get(1).size())), placed.vars());
    }

    private static ElfSymbol symbol(ElfFile elf, String name) {
        List<ElfSymbol> found = new ArrayList<>(elf.symbols().stream().filter(s -> s.name().equals(name)).toList());
        assertEquals(1, found.size(), name);
        return found.getFirst();
    }
}
