package dev.bpf4j.elf;

import dev.bpf4j.BpfFormatException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed ELF64 relocatable object for the BPF machine, little or big endian. Parsing checks
 * the whole structure up front (headers, names, symbols, relocations), so the accessors never
 * fail. Section contents are views into the input, which must not change afterwards.
 */
public final class ElfFile {
    public static final int EM_BPF = 247;
    public static final int ET_REL = 1;

    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int REL_SIZE = 16;
    private static final int RELA_SIZE = 24;

    private final String fileName;
    private final ElfInput in;
    private final List<ElfSection> sections;
    private final ElfSection symbolTable;
    private final List<ElfSymbol> symbols;
    private final Map<Integer, List<ElfRelocation>> relocationsBySection;
    /** Relocation sections by the index of the section they apply to. */
    private final Map<Integer, List<ElfSection>> relocationSectionsByTarget;
    /** Symbols defined in each section, sorted by value; built on first use. */
    private volatile List<ElfSymbol>[] symbolsBySection;

    private ElfFile(ElfInput in) {
        this.in = in;
        this.fileName = in.fileName();
        readIdent();
        this.sections = readSections();
        checkNoOverlap();
        this.symbolTable = findSymbolTable();
        this.symbols = symbolTable == null ? List.of() : readSymbols(symbolTable);
        this.relocationsBySection = readAllRelocations();
        this.relocationSectionsByTarget = groupRelocationSections();
    }

    /** Reads and parses a file; the name in errors is the file's name. */
    public static ElfFile read(Path path) {
        String name = String.valueOf(path.getFileName());
        try {
            long size = Files.size(path);
            if (size > Integer.MAX_VALUE - 16) {
                throw new BpfFormatException(name + ": file is too large for a BPF object (" + size + " bytes)");
            }
            return parse(name, Files.readAllBytes(path));
        } catch (IOException e) {
            throw new BpfFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses bytes without copying them; {@code fileName} is used in error messages. */
    public static ElfFile parse(String fileName, byte[] data) {
        return parse(fileName, MemorySegment.ofArray(data));
    }

    /** Parses a segment (heap or native) without copying it; it must stay valid and unchanged. */
    public static ElfFile parse(String fileName, MemorySegment data) {
        return new ElfFile(new ElfInput(fileName, data.asReadOnly()));
    }

    private void readIdent() {
        in.require("ELF header", 0, EHDR_SIZE, "ELF header");
        if (in.u8("", 0) != 0x7f || in.u8("", 1) != 'E' || in.u8("", 2) != 'L' || in.u8("", 3) != 'F') {
            throw in.error("ELF header", "not an ELF file (bad magic)", 0);
        }
        if (in.u8("", 4) != 2) {
            throw in.error("ELF header", "not a 64-bit ELF file (class " + in.u8("", 4) + ")", 4);
        }
        switch (in.u8("", 5)) {
            case 1 -> in.order(ByteOrder.LITTLE_ENDIAN);
            case 2 -> in.order(ByteOrder.BIG_ENDIAN);
            default -> throw in.error("ELF header", "unknown byte order " + in.u8("", 5), 5);
        }
        if (in.u8("", 6) != 1) {
            throw in.error("ELF header", "unknown ELF version " + in.u8("", 6), 6);
        }
        int machine = in.u16("ELF header", 18);
        if (machine != EM_BPF) {
            throw in.error("ELF header", "machine " + machine + machineName(machine)
                    + " is not BPF (" + EM_BPF + "): compile with clang -target bpf", 18);
        }
        int type = in.u16("ELF header", 16);
        if (type != ET_REL) {
            throw in.error("ELF header", "ELF type " + type + " is not a relocatable object (ET_REL)", 16);
        }
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 3 -> " (i386)";
            case 40 -> " (ARM)";
            case 62 -> " (x86-64)";
            case 183 -> " (AArch64)";
            case 243 -> " (RISC-V)";
            default -> "";
        };
    }

    private List<ElfSection> readSections() {
        long shoff = in.u64("ELF header", 0x28);
        int shentsize = in.u16("ELF header", 0x3a);
        int shnum = in.u16("ELF header", 0x3c);
        int shstrndx = in.u16("ELF header", 0x3e);
        if (shnum == 0) {
            throw in.error("ELF header", shoff == 0 ? "no section headers"
                    : "extended section numbering is not supported", 0x3c);
        }
        if (shentsize != SHDR_SIZE) {
            throw in.error("ELF header", "section header size " + shentsize + " is not " + SHDR_SIZE, 0x3a);
        }
        in.require("section header table", shoff, (long) shnum * SHDR_SIZE, shnum + " section headers");
        if (shstrndx >= shnum) {
            throw in.error("ELF header", "section name table index " + shstrndx
                    + " out of range (" + shnum + " sections)", 0x3e);
        }
        long[] raw = new long[shnum * 8];
        String where = "section header table"; // inside the table checked above: these reads cannot fail
        for (int i = 0; i < shnum; i++) {
            long h = shoff + (long) i * SHDR_SIZE;
            raw[i * 8] = in.u32(where, h);          // sh_name
            raw[i * 8 + 1] = in.u32(where, h + 4);  // sh_type
            raw[i * 8 + 2] = in.u64(where, h + 8);  // sh_flags
            raw[i * 8 + 3] = in.u64(where, h + 24); // sh_offset
            raw[i * 8 + 4] = in.u64(where, h + 32); // sh_size
            raw[i * 8 + 5] = in.u32(where, h + 40); // sh_link
            raw[i * 8 + 6] = in.u32(where, h + 44); // sh_info
            raw[i * 8 + 7] = in.u64(where, h + 48); // sh_addralign
            int type = (int) raw[i * 8 + 1];
            if (type != ElfSection.SHT_NOBITS && type != ElfSection.SHT_NULL && !in.fits(raw[i * 8 + 3], raw[i * 8 + 4])) {
                in.require("section header #" + i, raw[i * 8 + 3], raw[i * 8 + 4], "section contents");
            }
        }
        int strType = (int) raw[shstrndx * 8 + 1];
        if (strType != ElfSection.SHT_STRTAB) {
            throw in.error("section header #" + shstrndx, "section name table has type " + strType
                    + ", not SHT_STRTAB", shoff + (long) shstrndx * SHDR_SIZE + 4);
        }
        long strOff = raw[shstrndx * 8 + 3];
        long strSize = raw[shstrndx * 8 + 4];
        List<ElfSection> list = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            long h = shoff + (long) i * SHDR_SIZE;
            long nameOff = raw[i * 8];
            if (nameOff >= strSize && !(i == 0 && nameOff == 0)) {
                throw in.error("section header #" + i, "name offset " + nameOff + " outside the section name table ("
                        + strSize + " bytes)", h);
            }
            String name = strSize == 0 ? "" : in.cStringOrNull(strOff + nameOff, strOff + strSize);
            if (name == null) {
                in.cString("section header #" + i + " name", strOff + nameOff, strOff + strSize); // throws
            }
            int type = (int) raw[i * 8 + 1];
            long offset = raw[i * 8 + 3];
            long size = raw[i * 8 + 4];
            MemorySegment contents = type == ElfSection.SHT_NOBITS || type == ElfSection.SHT_NULL
                    ? MemorySegment.ofArray(new byte[0])
                    : in.data().asSlice(offset, size);
            long entsize = in.u64("section header table", h + 56);
            list.add(new ElfSection(i, name, type, raw[i * 8 + 2], offset, size, (int) raw[i * 8 + 5],
                    (int) raw[i * 8 + 6], raw[i * 8 + 7], entsize, contents));
        }
        return Collections.unmodifiableList(list);
    }

    /** Sections with file contents must not overlap each other, the ELF header or the header table. */
    private void checkNoOverlap() {
        // section: -1 for the ELF header, -2 for the header table; described only for an error
        record Range(long start, long end, int section) {
        }
        List<Range> ranges = new ArrayList<>(sections.size() + 2);
        ranges.add(new Range(0, EHDR_SIZE, -1));
        long shoff = in.u64("ELF header", 0x28);
        ranges.add(new Range(shoff, shoff + (long) sections.size() * SHDR_SIZE, -2));
        for (ElfSection s : sections) {
            if (s.type() != ElfSection.SHT_NOBITS && s.type() != ElfSection.SHT_NULL && s.size() > 0) {
                ranges.add(new Range(s.offset(), s.offset() + s.size(), s.index()));
            }
        }
        java.util.function.Function<Range, String> what = r -> r.section() == -1 ? "the ELF header"
                : r.section() == -2 ? "the section header table" : sections.get(r.section()).describe();
        ranges.sort(Comparator.comparingLong(Range::start));
        for (int i = 1; i < ranges.size(); i++) {
            Range a = ranges.get(i - 1);
            Range b = ranges.get(i);
            if (b.start() < a.end()) {
                throw in.error(what.apply(b), "overlaps " + what.apply(a), b.start());
            }
        }
    }

    private ElfSection findSymbolTable() {
        ElfSection found = null;
        for (ElfSection s : sections) {
            if (s.type() == ElfSection.SHT_SYMTAB) {
                if (found != null) {
                    throw error(s, "second symbol table (first is " + found.describe() + ")", s.offset());
                }
                found = s;
            }
        }
        return found;
    }

    private List<ElfSymbol> readSymbols(ElfSection symtab) {
        if (symtab.entsize() != SYM_SIZE || symtab.size() % SYM_SIZE != 0) {
            throw error(symtab, "symbol entry size " + symtab.entsize() + " / table size " + symtab.size()
                    + " do not fit " + SYM_SIZE + "-byte symbols", symtab.offset());
        }
        ElfSection strtab = linkedStringTable(symtab);
        long count = symtab.size() / SYM_SIZE;
        ElfSymbol[] result = new ElfSymbol[(int) count];
        String where = symtab.describe();
        for (int i = 0; i < count; i++) {
            long at = symtab.offset() + (long) i * SYM_SIZE;
            long nameOff = in.u32(where, at);
            int info = in.u8(where, at + 4);
            int other = in.u8(where, at + 5);
            int shndx = in.u16(where, at + 6);
            long value = in.u64(where, at + 8);
            long size = in.u64(where, at + 16);
            if (nameOff >= strtab.size() && nameOff != 0) {
                throw error(symtab, "symbol #" + i + " name offset " + nameOff + " outside "
                        + strtab.describe() + " (" + strtab.size() + " bytes)", at);
            }
            if (shndx == ElfSymbol.SHN_XINDEX) {
                throw error(symtab, "symbol #" + i + " uses extended section indices (unsupported)", at + 6);
            }
            if (shndx != ElfSymbol.SHN_UNDEF && shndx < ElfSymbol.SHN_LORESERVE && shndx >= sections.size()) {
                throw error(symtab, "symbol #" + i + " section index " + shndx + " out of range ("
                        + sections.size() + " sections)", at + 6);
            }
            String name = strtab.size() == 0 ? ""
                    : in.cStringOrNull(strtab.offset() + nameOff, strtab.offset() + strtab.size());
            if (name == null) {
                in.cString(strtab.describe(), strtab.offset() + nameOff, strtab.offset() + strtab.size()); // throws
            }
            result[i] = new ElfSymbol(i, name, value, size, info >>> 4, info & 0xf, other & 0x3, shndx);
        }
        return List.of(result);
    }

    private ElfSection linkedStringTable(ElfSection owner) {
        int link = owner.link();
        if (link <= 0 || link >= sections.size() || sections.get(link).type() != ElfSection.SHT_STRTAB) {
            throw error(owner, "linked string table #" + link + " is not a string table section",
                    owner.offset());
        }
        return sections.get(link);
    }

    private Map<Integer, List<ElfRelocation>> readAllRelocations() {
        Map<Integer, List<ElfRelocation>> result = new LinkedHashMap<>();
        for (ElfSection s : sections) {
            if (s.isRelocations()) {
                result.put(s.index(), readRelocations(s));
            }
        }
        return Collections.unmodifiableMap(result);
    }

    private Map<Integer, List<ElfSection>> groupRelocationSections() {
        Map<Integer, List<ElfSection>> byTarget = new HashMap<>();
        for (Integer index : relocationsBySection.keySet()) {
            ElfSection r = sections.get(index);
            byTarget.computeIfAbsent(r.info(), k -> new ArrayList<>(1)).add(r);
        }
        byTarget.replaceAll((k, v) -> List.copyOf(v));
        return byTarget;
    }

    private List<ElfRelocation> readRelocations(ElfSection rel) {
        boolean rela = rel.type() == ElfSection.SHT_RELA;
        int entry = rela ? RELA_SIZE : REL_SIZE;
        if (rel.size() % entry != 0 || (rel.entsize() != entry && rel.entsize() != 0)) {
            throw error(rel, "entry size " + rel.entsize() + " / section size " + rel.size() + " do not fit "
                    + entry + "-byte relocations", rel.offset());
        }
        if (symbolTable == null || rel.link() != symbolTable.index()) {
            throw error(rel, "linked symbol table #" + rel.link() + " is not the symbol table", rel.offset());
        }
        int target = rel.info();
        if (target <= 0 || target >= sections.size()) {
            throw error(rel, "target section #" + Integer.toUnsignedString(target) + " out of range ("
                    + sections.size() + " sections)", rel.offset());
        }
        ElfSection targetSection = sections.get(target);
        int count = (int) (rel.size() / entry);
        ElfRelocation[] result = new ElfRelocation[count];
        String where = rel.describe();
        for (int i = 0; i < count; i++) {
            long at = rel.offset() + (long) i * entry;
            long offset = in.u64(where, at);
            long info = in.u64(where, at + 8);
            long addend = rela ? in.u64(where, at + 16) : 0;
            long sym = info >>> 32;
            if (sym >= symbols.size()) {
                throw error(rel, "symbol index " + sym + " out of range (symtab has " + symbols.size() + ")", at + 8);
            }
            if (offset < 0 || offset >= targetSection.size()) {
                throw error(rel, "offset 0x" + Long.toHexString(offset) + " outside "
                        + targetSection.describe() + " (" + targetSection.size() + " bytes)", at);
            }
            result[i] = new ElfRelocation(offset, (int) sym, (int) info, addend);
        }
        return List.of(result);
    }

    /** The name errors use for this file. */
    public String fileName() {
        return fileName;
    }

    /** The file's byte order ({@code EI_DATA}). */
    public ByteOrder order() {
        return in.order();
    }

    /** Every section header, index 0 (SHT_NULL) included. */
    public List<ElfSection> sections() {
        return sections;
    }

    /** The section with this index. */
    public ElfSection section(int index) {
        if (index < 0 || index >= sections.size()) {
            throw new BpfFormatException(fileName + ": section index " + index + " out of range ("
                    + sections.size() + " sections)");
        }
        return sections.get(index);
    }

    /** The first section with this name. */
    public Optional<ElfSection> section(String name) {
        for (ElfSection s : sections) {
            if (s.name().equals(name)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The symbol table section, if the file has one. */
    public Optional<ElfSection> symbolTable() {
        return Optional.ofNullable(symbolTable);
    }

    /** Every symbol, index 0 (the null symbol) included. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** The symbol with this index. */
    public ElfSymbol symbol(int index) {
        if (index < 0 || index >= symbols.size()) {
            throw new BpfFormatException(fileName + ": symbol index " + index + " out of range (symtab has "
                    + symbols.size() + ")");
        }
        return symbols.get(index);
    }

    /** The entries of one SHT_REL/SHT_RELA section. */
    public List<ElfRelocation> relocations(ElfSection relocationSection) {
        List<ElfRelocation> list = relocationsBySection.get(relocationSection.index());
        if (list == null) {
            throw new IllegalArgumentException(relocationSection.describe() + " is not a relocation section");
        }
        return list;
    }

    /** The relocation sections that apply to {@code target}, usually zero or one. */
    public List<ElfSection> relocationSectionsFor(ElfSection target) {
        return relocationSectionsByTarget.getOrDefault(target.index(), List.of());
    }

    /** All relocations that apply to {@code target}, in file order. */
    public List<ElfRelocation> relocationsFor(ElfSection target) {
        List<ElfSection> rels = relocationSectionsFor(target);
        if (rels.size() == 1) {
            return relocationsBySection.get(rels.get(0).index()); // immutable already
        }
        List<ElfRelocation> all = new ArrayList<>();
        for (ElfSection r : rels) {
            all.addAll(relocationsBySection.get(r.index()));
        }
        return Collections.unmodifiableList(all);
    }

    /** Symbols defined in a section, sorted by value (offset in the section). */
    public List<ElfSymbol> symbolsIn(ElfSection section) {
        List<ElfSymbol>[] bySection = symbolsBySection;
        if (bySection == null) {
            symbolsBySection = bySection = groupSymbols(); // immutable lists: a racing rebuild is harmless
        }
        int index = section.index();
        return index >= 0 && index < bySection.length ? bySection[index] : List.of();
    }

    @SuppressWarnings("unchecked")
    private List<ElfSymbol>[] groupSymbols() {
        List<ElfSymbol>[] grouped = new List[sections.size()];
        int[] counts = new int[sections.size()];
        for (ElfSymbol s : symbols) {
            if (s.sectionIndex() < counts.length) {
                counts[s.sectionIndex()]++;
            }
        }
        ElfSymbol[][] arrays = new ElfSymbol[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            arrays[i] = new ElfSymbol[counts[i]];
            counts[i] = 0;
        }
        for (ElfSymbol s : symbols) {
            int i = s.sectionIndex();
            if (i < counts.length) {
                arrays[i][counts[i]++] = s;
            }
        }
        for (int i = 0; i < arrays.length; i++) {
            Arrays.sort(arrays[i], BY_VALUE); // stable: equal values keep symbol table order
            grouped[i] = List.of(arrays[i]);
        }
        return grouped;
    }

    private static final Comparator<ElfSymbol> BY_VALUE = Comparator.comparingLong(ElfSymbol::value);

    /** An error about a section of this file, in the form every ELF error uses. */
    public BpfFormatException error(ElfSection section, String message, long fileOffset) {
        return in.error(section.describe(), message, fileOffset);
    }
}
