package dev.bpf4j.elf;

import dev.bpf4j.testing.Tools;
import dev.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ElfFileTest {

    static List<String> objects() {
        return TestObjects.all();
    }

    @Test
    void allTestObjectsArePresent() {
        assertTrue(objects().containsAll(List.of("socket_xdp.o", "socket_xdp.bpfeb.o", "tailcall.o",
                "legacy.o", "core.o")), objects().toString());
    }

    @Test
    void socketXdpSectionsSymbolsAndRelocations() {
        ElfFile elf = ElfFile.read(TestObjects.path("socket_xdp.o"));
        assertEquals(ByteOrder.LITTLE_ENDIAN, elf.order());
        ElfSection socket = elf.section("socket").orElseThrow();
        assertTrue(socket.isExecutable());
        List<String> progs = elf.symbolsIn(socket).stream().filter(ElfSymbol::isFunction)
                .map(ElfSymbol::name).toList();
        assertEquals(List.of("sock_len", "sock_mix"), progs);

        ElfSection text = elf.section(".text").orElseThrow();
        ElfSymbol mix = byName(elf, "mix");
        assertTrue(mix.isLocal() && mix.isFunction());
        assertEquals(text.index(), mix.sectionIndex());
        assertTrue(byName(elf, "weak_bias").isWeak());
        assertTrue(byName(elf, "global_sum").isGlobal());

        ElfSection bss = elf.section(".bss").orElseThrow();
        assertEquals(ElfSection.SHT_NOBITS, bss.type());
        assertEquals(8, bss.size());
        assertEquals(0, bss.contents().byteSize());
        assertEquals(8, bss.bytes().length);

        assertEquals("GPL\0", new String(elf.section("license").orElseThrow().bytes(), StandardCharsets.US_ASCII));
        byte[] data = elf.section(".data.custom").orElseThrow().bytes();
        assertEquals(11, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt());

        // sock_len references the counts map: an R_BPF_64_64 relocation against its symbol
        List<ElfRelocation> rels = elf.relocationsFor(socket);
        assertFalse(rels.isEmpty());
        assertTrue(rels.stream().anyMatch(r -> r.type() == ElfRelocation.R_BPF_64_64
                && elf.symbol(r.symbolIndex()).name().equals("counts")));
        for (ElfRelocation r : rels) {
            assertTrue(r.offset() % 8 == 0 && r.offset() < socket.size());
        }
    }

    @Test
    void bigEndianObjectParsesLikeTheLittleEndianOne() {
        ElfFile le = ElfFile.read(TestObjects.path("socket_xdp.o"));
        ElfFile be = ElfFile.read(TestObjects.path("socket_xdp.bpfeb.o"));
        assertEquals(ByteOrder.BIG_ENDIAN, be.order());
        assertEquals(le.sections().stream().map(ElfSection::name).toList(),
                be.sections().stream().map(ElfSection::name).toList());
        assertEquals(le.symbols().stream().map(s -> s.name() + s.binding() + s.type() + s.value() + s.size()).toList(),
                be.symbols().stream().map(s -> s.name() + s.binding() + s.type() + s.value() + s.size()).toList());
        byte[] data = be.section(".data").orElseThrow().bytes();
        assertEquals(7, ByteBuffer.wrap(data).order(ByteOrder.BIG_ENDIAN).getInt());
        ElfSection socket = be.section("socket").orElseThrow();
        assertEquals(le.relocationsFor(le.section("socket").orElseThrow()),
                be.relocationsFor(socket));
    }

    @Test
    void legacyObjectHasMapsAndVersionSections() {
        ElfFile elf = ElfFile.read(TestObjects.path("legacy.o"));
        ElfSection maps = elf.section("maps").orElseThrow();
        assertEquals(40, maps.size());
        List<String> mapSymbols = elf.symbolsIn(maps).stream().map(ElfSymbol::name).toList();
        assertEquals(List.of("legacy_counts", "legacy_hash"), mapSymbols);
        byte[] version = elf.section("version").orElseThrow().bytes();
        assertEquals(0x00060000, ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).getInt());
    }

    @ParameterizedTest
    @MethodSource("objects")
    void matchesLlvmReadelf(String object) throws Exception {
        ElfFile elf = ElfFile.read(TestObjects.path(object));
        assertTrue(elf.sections().size() > 5);
        assertTrue(elf.symbols().size() > 5);
        String out = readelf(object);

        Pattern sec = Pattern.compile("^\\s*\\[\\s*(\\d+)\\]\\s+(\\S*)\\s+(\\S+)\\s+([0-9a-f]{16})\\s+([0-9a-f]+)"
                + "\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+(\\S*)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$");
        Pattern sym = Pattern.compile("^\\s*(\\d+):\\s+([0-9a-f]{16})\\s+(\\d+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s?(.*)$");
        Pattern relHeader = Pattern.compile("^Relocation section '(.*)' at offset 0x([0-9a-f]+) contains (\\d+) entries:$");
        Pattern rel = Pattern.compile("^([0-9a-f]{16})\\s+([0-9a-f]{16})\\s+(\\S+)");
        int sections = 0;
        int symbols = 0;
        int relocations = 0;
        ElfSection currentRel = null;
        int relIndex = 0;
        for (String line : out.split("\n")) {
            Matcher m;
            if ((m = sec.matcher(line)).matches()) {
                ElfSection s = elf.section(Integer.parseInt(m.group(1)));
                assertEquals(m.group(2), s.name());
                assertEquals(Long.parseLong(m.group(5), 16), s.offset(), s.name());
                assertEquals(Long.parseLong(m.group(6), 16), s.size(), s.name());
                assertEquals(Long.parseLong(m.group(7), 16), s.entsize(), s.name());
                assertEquals(Integer.parseInt(m.group(9)), s.link(), s.name());
                assertEquals(Integer.parseInt(m.group(10)), s.info(), s.name());
                assertEquals(Long.parseLong(m.group(11)), s.addralign(), s.name());
                Integer type = switch (m.group(3)) {
                    case "NULL" -> ElfSection.SHT_NULL;
                    case "PROGBITS" -> ElfSection.SHT_PROGBITS;
                    case "SYMTAB" -> ElfSection.SHT_SYMTAB;
                    case "STRTAB" -> ElfSection.SHT_STRTAB;
                    case "NOBITS" -> ElfSection.SHT_NOBITS;
                    case "REL" -> ElfSection.SHT_REL;
                    default -> null;
                };
                if (type != null) {
                    assertEquals(type, s.type(), s.name());
                }
                sections++;
            } else if ((m = relHeader.matcher(line)).matches()) {
                String name = m.group(1);
                currentRel = elf.sections().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
                assertEquals(Integer.parseInt(m.group(3)), elf.relocations(currentRel).size(), name);
                relIndex = 0;
            } else if (currentRel != null && (m = rel.matcher(line)).find()) {
                ElfRelocation r = elf.relocations(currentRel).get(relIndex++);
                assertEquals(Long.parseUnsignedLong(m.group(1), 16), r.offset());
                long info = Long.parseUnsignedLong(m.group(2), 16);
                assertEquals(info >>> 32, r.symbolIndex());
                assertEquals((int) info, r.type());
                relocations++;
            } else if ((m = sym.matcher(line)).matches()) {
                currentRel = null;
                ElfSymbol s = elf.symbol(Integer.parseInt(m.group(1)));
                assertEquals(Long.parseUnsignedLong(m.group(2), 16), s.value());
                assertEquals(Long.parseLong(m.group(3)), s.size());
                assertEquals(m.group(4), switch (s.type()) {
                    case ElfSymbol.STT_NOTYPE -> "NOTYPE";
                    case ElfSymbol.STT_OBJECT -> "OBJECT";
                    case ElfSymbol.STT_FUNC -> "FUNC";
                    case ElfSymbol.STT_SECTION -> "SECTION";
                    case ElfSymbol.STT_FILE -> "FILE";
                    default -> "?";
                });
                assertEquals(m.group(5), switch (s.binding()) {
                    case ElfSymbol.STB_LOCAL -> "LOCAL";
                    case ElfSymbol.STB_GLOBAL -> "GLOBAL";
                    case ElfSymbol.STB_WEAK -> "WEAK";
                    default -> "?";
                });
                assertEquals(m.group(6), switch (s.visibility()) {
                    case ElfSymbol.STV_DEFAULT -> "DEFAULT";
                    case ElfSymbol.STV_HIDDEN -> "HIDDEN";
                    default -> "?";
                });
                String ndx = switch (s.sectionIndex()) {
                    case ElfSymbol.SHN_UNDEF -> "UND";
                    case ElfSymbol.SHN_ABS -> "ABS";
                    default -> Integer.toString(s.sectionIndex());
                };
                assertEquals(m.group(7), ndx);
                if (!s.isSection()) {
                    assertEquals(m.group(8), s.name());
                }
                symbols++;
            }
        }
        assertEquals(elf.sections().size(), sections, "sections compared");
        assertEquals(elf.symbols().size(), symbols, "symbols compared");
        long total = elf.sections().stream().filter(ElfSection::isRelocations)
                .mapToLong(s -> elf.relocations(s).size()).sum();
        assertEquals(total, relocations, "relocations compared");
    }

    private static String readelf(String object) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Tools.require("llvm-readelf-19").toString(), "-S", "-s", "-r", "--wide",
                TestObjects.path(object).toString()).redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static ElfSymbol byName(ElfFile elf, String name) {
        return elf.symbols().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    // ---- malformed input: each gives a BpfFormatException naming file, part and offset ----

    private static BpfFormatException bad(byte[] data) {
        return assertThrows(BpfFormatException.class, () -> ElfFile.parse("bad.o", data));
    }

    private static ByteBuffer le(byte[] data) {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void truncatedFile() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        BpfFormatException e = bad(java.util.Arrays.copyOf(data, 40));
        assertTrue(e.getMessage().startsWith("bad.o: ELF header: "), e.getMessage());
        e = bad(java.util.Arrays.copyOf(data, data.length - 100));
        assertTrue(e.getMessage().contains("past the end of the file"), e.getMessage());
    }

    @Test
    void wrongMachine() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        le(data).putShort(18, (short) 62);
        BpfFormatException e = bad(data);
        assertEquals("bad.o: ELF header: machine 62 (x86-64) is not BPF (247): compile with clang -target bpf"
                + " at offset 0x12", e.getMessage());
    }

    @Test
    void notElfAndNot64Bit() {
        assertTrue(bad("hello world, this is not an ELF file at all, just some text....."
                .getBytes(StandardCharsets.US_ASCII)).getMessage().contains("not an ELF file"));
        byte[] data = TestObjects.bytes("socket_xdp.o");
        data[4] = 1;
        assertTrue(bad(data).getMessage().contains("not a 64-bit ELF file"));
    }

    @Test
    void sectionPastTheEnd() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("ok.o", data.clone());
        ElfSection socket = elf.section("socket").orElseThrow();
        long shoff = le(data).getLong(0x28);
        le(data).putLong((int) (shoff + socket.index() * 64L + 32), 1L << 40); // sh_size
        BpfFormatException e = bad(data);
        assertTrue(e.getMessage().contains("section header #" + socket.index()), e.getMessage());
        assertTrue(e.getMessage().contains("past the end of the file"), e.getMessage());
    }

    @Test
    void overlappingSections() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("ok.o", data.clone());
        ElfSection xdp = elf.section("xdp").orElseThrow();
        ElfSection socket = elf.section("socket").orElseThrow();
        long shoff = le(data).getLong(0x28);
        le(data).putLong((int) (shoff + xdp.index() * 64L + 24), socket.offset() + 8); // sh_offset
        BpfFormatException e = bad(data);
        assertTrue(e.getMessage().contains("overlaps"), e.getMessage());
    }

    @Test
    void relocationSymbolOutOfRange() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("ok.o", data.clone());
        ElfSection rel = elf.section(".relsocket").orElseThrow();
        le(data).putInt((int) rel.offset() + 12, 900); // high half of r_info: the symbol index
        BpfFormatException e = bad(data);
        assertEquals("bad.o: section '.relsocket' (#" + rel.index() + "): symbol index 900 out of range (symtab has "
                + elf.symbols().size() + ") at offset 0x" + Long.toHexString(rel.offset() + 8), e.getMessage());
    }

    @Test
    void symbolSectionIndexOutOfRange() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        ElfFile elf = ElfFile.parse("ok.o", data.clone());
        ElfSection symtab = elf.symbolTable().orElseThrow();
        le(data).putShort((int) symtab.offset() + 24 * 3 + 6, (short) 500);
        assertTrue(bad(data).getMessage().contains("symbol #3 section index 500 out of range"));
    }

    @Test
    void hugeSectionCountIsRejectedWithoutAllocating() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        le(data).putShort(0x3c, (short) 0xffff);
        assertTrue(bad(data).getMessage().contains("65535 section headers"));
    }

    @Test
    void readsNativeSegments() {
        byte[] data = TestObjects.bytes("tailcall.o");
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg = arena.allocate(data.length);
            seg.copyFrom(java.lang.foreign.MemorySegment.ofArray(data));
            ElfFile elf = ElfFile.parse("tailcall.o", seg);
            List<String> names = new ArrayList<>();
            elf.symbolsIn(elf.section("tc").orElseThrow()).stream().filter(ElfSymbol::isFunction)
                    .forEach(s -> names.add(s.name()));
            // clang places the forward-declared tail_target first
            assertEquals(List.of("tail_target", "tail_entry"), names);
        }
    }
}
