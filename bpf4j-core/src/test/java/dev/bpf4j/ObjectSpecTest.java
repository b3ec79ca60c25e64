package dev.bpf4j;

import dev.bpf4j.ObjectSpec.MapDef;
import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.elf.ElfRelocation;
import dev.bpf4j.elf.ElfSymbol;
import dev.bpf4j.elf.TestObjects;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectSpecTest {

    @Test
    void socketXdpObject() {
        ObjectSpec o = ObjectSpec.read(TestObjects.path("socket_xdp.o"));
        assertEquals("GPL", o.license());
        assertEquals(0, o.kernelVersion());
        assertEquals(List.of("sock_len", "sock_mix", "xdp_pass"), o.programs().stream().map(ProgramDef::name).toList());
        ProgramDef sockLen = o.program("sock_len").orElseThrow();
        assertEquals(ProgramType.SOCKET_FILTER, sockLen.type());
        assertEquals("socket", sockLen.section());
        assertEquals(0, sockLen.sectionOffset());
        assertEquals(224 / 8, sockLen.instructionCount());
        ProgramDef sockMix = o.program("sock_mix").orElseThrow();
        assertEquals(0xe0, sockMix.sectionOffset());
        assertEquals(ProgramType.XDP, o.program("xdp_pass").orElseThrow().type());
        assertEquals(AttachType.XDP, o.program("xdp_pass").orElseThrow().attachType());

        assertEquals(List.of("global_sum", "weak_bias", "mix", "add_index"),
                o.subprograms().stream().map(ProgramDef::name).toList());
        assertTrue(o.subprograms().stream().allMatch(ProgramDef::isSubprogram));
        assertEquals(ElfSymbol.STB_WEAK, o.subprograms().get(1).binding());
        assertEquals(ElfSymbol.STB_LOCAL, o.subprograms().get(2).binding());

        // sock_len: counts (map) and bss_counter (.bss) through 64-bit immediate loads
        List<String> sockLenTargets = sockLen.relocations().stream()
                .map(r -> r.symbolSection() + ":" + r.symbol().name()).toList();
        assertEquals(List.of(".maps:counts", ".maps:counts", ".bss:bss_counter"), sockLenTargets);
        assertTrue(sockLen.relocations().stream().allMatch(r -> r.type() == ElfRelocation.R_BPF_64_64));
        // xdp_pass calls global_sum / weak_bias (R_BPF_64_32) and passes add_index (in .text) to bpf_loop
        ProgramDef xdp = o.program("xdp_pass").orElseThrow();
        assertTrue(xdp.relocations().stream().anyMatch(r -> r.type() == ElfRelocation.R_BPF_64_32
                && r.symbol().name().equals("global_sum")), xdp.relocations().toString());
        assertTrue(xdp.relocations().stream().allMatch(r -> r.offset() % 8 == 0 && r.instruction() < xdp.instructionCount()));
        // sock_mix's relocations are rebased to the program's start
        assertTrue(sockMix.relocations().stream().anyMatch(r -> r.symbol().name().equals("settings")));
        assertTrue(sockMix.relocations().stream().allMatch(r -> r.offset() < 160));

        MapDef counts = o.map("counts").orElseThrow();
        assertEquals(MapType.HASH, counts.mapType());
        assertEquals(ObjectSpec.MapSource.BTF, counts.source());
        assertEquals(4, counts.keySize());
        assertEquals(8, counts.valueSize());
        assertEquals(16, counts.maxEntries());
        assertEquals("__u32", o.btf().orElseThrow().cName(counts.keyTypeId()));
        MapDef settings = o.map("settings").orElseThrow();
        assertEquals(MapType.ARRAY, settings.mapType());
        assertEquals(4, settings.valueSize());
        assertEquals(4, settings.maxEntries());

        assertEquals(List.of(".data", ".rodata", ".data.custom", ".bss"),
                o.dataSections().stream().map(ObjectSpec.DataSection::name).toList());
        ObjectSpec.DataSection rodata = o.dataSection(".rodata").orElseThrow();
        assertTrue(rodata.readOnly());
        assertEquals(3, ByteBuffer.wrap(rodata.contents()).order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertEquals(List.of("ro_factor"), rodata.variables().stream().map(ElfSymbol::name).toList());
        ObjectSpec.DataSection bss = o.dataSection(".bss").orElseThrow();
        assertTrue(bss.zeroFilled());
        assertArrayEquals(new byte[8], bss.contents());
        assertEquals(11, ByteBuffer.wrap(o.dataSection(".data.custom").orElseThrow().contents())
                .order(ByteOrder.LITTLE_ENDIAN).getInt());
        assertFalse(o.dataSection(".data").orElseThrow().readOnly());
        assertTrue(o.btfExt().isPresent());
    }

    @Test
    void tailCallAndMapInMapInitialisers() {
        ObjectSpec o = ObjectSpec.read(TestObjects.path("tailcall.o"));
        MapDef jump = o.map("jump_table").orElseThrow();
        assertEquals(MapType.PROG_ARRAY, jump.mapType());
        assertEquals(4, jump.keySize());
        assertEquals(2, jump.maxEntries());
        assertEquals(Map.of(1, "tail_target"), jump.initialValues());
        assertNull(jump.inner());
        MapDef outer = o.map("outer").orElseThrow();
        assertEquals(MapType.ARRAY_OF_MAPS, outer.mapType());
        assertEquals(Map.of(0, "inner_a", 1, "inner_b"), outer.initialValues());
        MapDef inner = outer.inner();
        assertEquals(MapType.ARRAY, inner.mapType());
        assertEquals(4, inner.keySize());
        assertEquals(4, inner.valueSize());
        assertEquals(1, inner.maxEntries());
        assertEquals(List.of("jump_table", "inner_a", "inner_b", "outer"), o.maps().stream().map(MapDef::name).toList());
        assertEquals(List.of("tail_target", "tail_entry", "lookup_outer"), o.programs().stream().map(ProgramDef::name).toList());
        assertEquals(ProgramType.SCHED_CLS, o.program("tail_entry").orElseThrow().type());
    }

    @Test
    void legacyObject() {
        ObjectSpec o = ObjectSpec.read(TestObjects.path("legacy.o"));
        assertEquals("GPL", o.license());
        assertEquals(0x00060000, o.kernelVersion());
        MapDef counts = o.map("legacy_counts").orElseThrow();
        assertEquals(ObjectSpec.MapSource.LEGACY, counts.source());
        assertEquals(MapType.ARRAY, counts.mapType());
        assertEquals(List.of(4, 8, 2, 0), List.of(counts.keySize(), counts.valueSize(), counts.maxEntries(), counts.flags()));
        MapDef hash = o.map("legacy_hash").orElseThrow();
        assertEquals(MapType.HASH, hash.mapType());
        assertEquals(List.of(4, 4, 8), List.of(hash.keySize(), hash.valueSize(), hash.maxEntries()));
        assertEquals(ProgramType.SOCKET_FILTER, o.program("legacy_sock").orElseThrow().type());
        assertEquals(ProgramType.SCHED_CLS, o.program("legacy_cls").orElseThrow().type());
        ProgramDef kprobe = o.program("legacy_kprobe").orElseThrow();
        assertEquals(ProgramType.KPROBE, kprobe.type());
        assertEquals("tcp_retransmit_skb", kprobe.match().orElseThrow().target());
        assertTrue(o.program("legacy_sock").orElseThrow().relocations().stream()
                .anyMatch(r -> r.symbol().name().equals("legacy_counts") && r.symbolSection().equals("maps")));
    }

    @Test
    void bigEndianObjectMatchesLittleEndian() {
        ObjectSpec le = ObjectSpec.read(TestObjects.path("socket_xdp.o"));
        ObjectSpec be = ObjectSpec.read(TestObjects.path("socket_xdp.bpfeb.o"));
        assertEquals(le.maps(), be.maps());
        assertEquals(le.programs().stream().map(p -> p.name() + p.type() + p.instructionCount() + p.relocations().size()).toList(),
                be.programs().stream().map(p -> p.name() + p.type() + p.instructionCount() + p.relocations().size()).toList());
        assertEquals(7, ByteBuffer.wrap(be.dataSection(".data").orElseThrow().contents()).order(ByteOrder.BIG_ENDIAN).getInt());
        assertEquals("GPL", be.license());
    }

    @Test
    void coreObject() {
        ObjectSpec o = ObjectSpec.read(TestObjects.path("core.o"));
        ProgramDef tgid = o.program("core_tgid").orElseThrow();
        assertEquals(ProgramType.RAW_TRACEPOINT, tgid.type());
        assertEquals("sys_enter", tgid.match().orElseThrow().target());
        assertFalse(o.btfExt().orElseThrow().coreRelos().get("raw_tp/sys_enter").isEmpty());
    }

    @Test
    void unknownProgramSectionIsAFormatError() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        dev.bpf4j.elf.ElfFile elf = dev.bpf4j.elf.ElfFile.parse("x.o", data.clone());
        dev.bpf4j.elf.ElfSection names = elf.section(".strtab").orElseThrow();
        String text = new String(data, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("xdp\0", (int) names.offset()); // the section name (shared with ".relxdp")
        assertTrue(at > 0 && at < names.offset() + names.size());
        data[at + 2] = 'q';
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> ObjectSpec.parse("renamed.o", data));
        assertTrue(e.getMessage().startsWith("renamed.o: section 'xdq' (#"), e.getMessage());
        assertTrue(e.getMessage().contains("unknown program section name 'xdq'"), e.getMessage());
    }

    @Test
    void aVariableOutsideItsDataSectionIsAFormatError() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        dev.bpf4j.elf.ElfFile elf = dev.bpf4j.elf.ElfFile.parse("x.o", data.clone());
        dev.bpf4j.elf.ElfSection dataSection = elf.section(".data").orElseThrow();
        dev.bpf4j.elf.ElfSymbol variable = elf.symbolsIn(dataSection).stream().filter(v -> !v.isSection()).findFirst()
                .orElseThrow();
        dev.bpf4j.elf.ElfSection symtab = elf.symbolTable().orElseThrow();
        // Elf64_Sym: st_name 4, st_info 1, st_other 1, st_shndx 2, st_value 8 (at 8), st_size 8 (at 16)
        int valueAt = (int) (symtab.offset() + 24L * variable.index() + 8);
        java.nio.ByteBuffer.wrap(data).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(valueAt, dataSection.size() + 64);
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> ObjectSpec.parse("moved.o", data));
        assertTrue(e.getMessage().startsWith("moved.o: section '.data' (#"), e.getMessage());
        assertTrue(e.getMessage().contains("variable '" + variable.name() + "' at 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("lies outside the section"), e.getMessage());
    }
}
