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
import java.util.List;
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

    private static final MemorySegment NO_CONTENTS = MemorySegment.ofArray(new byte[0]).asReadOnly();

    private final String fileName;
    private final ElfInput in;
    /** The section name table, kept while parsing for a symbol table that shares it. */
    private ElfStrings sectionNames;
    private final List<ElfSection> sections;
    private final ElfSection symbolTable;
    private final List<ElfSymbol> symbols;
    /**
     * Entries of each relocation section (by section index), decoded on first use: parsing checks
     * them all, but a loader reads only those of program sections, not the many debug ones.
     */
    private final List<ElfRelocation>[] relocationsBySection;
    /** Relocation sections by the index of the section they apply to, null for none. */
    private final List<ElfSection>[] relocationSectionsByTarget;
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
        this.sectionNames = null; // the names are Strings now
        this.relocationsBySection = newListArray(sections.size());
        this.relocationSectionsByTarget = checkRelocationSections();
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T>[] newListArray(int length) {
        return new List[length];
    }

    /** An unmodifiable view of an array nobody else holds: List.of would copy it. */
    private static <T> List<T> listOf(T[] array) {
        return Collections.unmodifiableList(Arrays.asList(array));
    }

    /** Reads and parses a file; the name in errors is the file's name. */
    public static ElfFile read(Path path) {
        return parse(String.valueOf(path.getFileName()), readBytes(path));
    }

    /** The bytes of an object file, refused with a format error if unreadable or too large. */
    public static byte[] readBytes(Path path) {
        String name = String.valueOf(path.getFileName());
        try {
            long size = Files.size(path);
            if (size > Integer.MAX_VALUE - 16) {
                throw new BpfFormatException(name + ": file is too large for a BPF object (" + size + " bytes)");
            }
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new BpfFormatException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Parses bytes without copying them; {@code fileName} is used in error messages. */
    public static ElfFile parse(String fileName, byte[] data) {
        return new ElfFile(new ElfInput(fileName, MemorySegment.ofArray(data).asReadOnly(), data));
    }

    /** Parses a segment (heap or native) without copying it; it must stay valid and unchanged. */
    public static ElfFile parse(String fileName, MemorySegment data) {
        return new ElfFile(new ElfInput(fileName, data.asReadOnly(), null));
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
        if (!in.fits(shoff, (long) shnum * SHDR_SIZE)) { // the message only when it fails: this runs per parse
            in.require("section header table", shoff, (long) shnum * SHDR_SIZE, shnum + " section headers");
        }
        if (shstrndx >= shnum) {
            throw in.error("ELF header", "section name table index " + shstrndx
                    + " out of range (" + shnum + " sections)", 0x3e);
        }
        // The name table's header first, so that one pass over the headers can name each section.
        // the header reads are inside the table checked above: unchecked
        long strHeader = shoff + (long) shstrndx * SHDR_SIZE;
        int strType = (int) in.rawU32(strHeader + 4);
        long strOff = in.rawU64(strHeader + 24);
        long strSize = in.rawU64(strHeader + 32);
        if (ElfSection.hasFileContents(strType)) {
            requireContents(shstrndx, strOff, strSize);
        }
        if (strType != ElfSection.SHT_STRTAB) {
            throw in.error("section header #" + shstrndx, "section name table has type " + strType
                    + ", not SHT_STRTAB", strHeader + 4);
        }
        ElfStrings names = new ElfStrings(in, shstrndx, strOff, strSize);
        sectionNames = names;
        ElfSection[] list = new ElfSection[shnum];
        for (int i = 0; i < shnum; i++) {
            long h = shoff + (long) i * SHDR_SIZE;
            int type = (int) in.rawU32(h + 4);
            long offset = in.rawU64(h + 24);
            long size = in.rawU64(h + 32);
            boolean hasContents = ElfSection.hasFileContents(type);
            if (hasContents) {
                requireContents(i, offset, size);
            }
            long nameOff = in.rawU32(h);
            if (nameOff >= strSize && !(i == 0 && nameOff == 0)) {
                throw in.error("section header #" + i, "name offset " + nameOff + " outside the section name table ("
                        + strSize + " bytes)", h);
            }
            String name = names.at((int) nameOff);
            if (name == null) {
                in.cString("section header #" + i + " name", strOff + nameOff, strOff + strSize); // throws
            }
            MemorySegment contents = hasContents ? in.data().asSlice(offset, size) : NO_CONTENTS;
            list[i] = new ElfSection(i, name, type, in.rawU64(h + 8), offset, size, (int) in.rawU32(h + 40),
                    (int) in.rawU32(h + 44), in.rawU64(h + 48), in.rawU64(h + 56), contents);
        }
        return listOf(list);
    }

    private void requireContents(int index, long offset, long size) {
        if (!in.fits(offset, size)) {
            in.require("section header #" + index, offset, size, "section contents"); // throws
        }
    }

    /** Sections with file contents must not overlap each other, the ELF header or the header table. */
    private void checkNoOverlap() {
        // Each range is packed into one long, start << 17 | slot, so that a primitive sort orders
        // them by start (no comparator, no record per range): starts lie inside the file, as
        // readSections checked, so far below 2^46, and slots below 2^17 (slot 0 is the ELF header,
        // 1 the header table, 2 + i section i). Equal starts keep that order. Ends are kept by slot.
        int n = sections.size();
        long[] ends = new long[n + 2];
        long[] packed = new long[n + 2];
        int count = 0;
        long shoff = in.u64("ELF header", 0x28);
        ends[0] = EHDR_SIZE;
        packed[count++] = 0;
        ends[1] = shoff + (long) n * SHDR_SIZE;
        packed[count++] = shoff << 17 | 1;
        for (ElfSection s : sections) {
            if (s.hasFileContents() && s.size() > 0) {
                int slot = s.index() + 2;
                ends[slot] = s.offset() + s.size();
                packed[count++] = s.offset() << 17 | slot;
            }
        }
        Arrays.sort(packed, 0, count);
        for (int i = 1; i < count; i++) {
            int a = (int) (packed[i - 1] & 0x1ffff);
            int b = (int) (packed[i] & 0x1ffff);
            long bStart = packed[i] >>> 17;
            if (bStart < ends[a]) {
                throw in.error(rangeName(b), "overlaps " + rangeName(a), bStart);
            }
        }
    }

    private String rangeName(int slot) {
        return slot == 0 ? "the ELF header" : slot == 1 ? "the section header table" : sections.get(slot - 2).describe();
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
        // clang names sections and symbols from one table: copied once
        ElfStrings names = strtab.index() == sectionNames.section() ? sectionNames
                : new ElfStrings(in, strtab.index(), strtab.offset(), strtab.size());
        for (int i = 0; i < count; i++) {
            long at = symtab.offset() + (long) i * SYM_SIZE; // inside the contents readSections checked
            long nameOff = in.rawU32(at);
            int info = in.rawU8(at + 4);
            int other = in.rawU8(at + 5);
            int shndx = in.rawU16(at + 6);
            long value = in.rawU64(at + 8);
            long size = in.rawU64(at + 16);
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
            String name = names.at((int) nameOff);
            if (name == null) {
                in.cString(strtab.describe(), strtab.offset() + nameOff, strtab.offset() + strtab.size()); // throws
            }
            result[i] = new ElfSymbol(i, name, value, size, info >>> 4, info & 0xf, other & 0x3, shndx);
        }
        return listOf(result);
    }

    private ElfSection linkedStringTable(ElfSection owner) {
        int link = owner.link();
        if (link <= 0 || link >= sections.size() || sections.get(link).type() != ElfSection.SHT_STRTAB) {
            throw error(owner, "linked string table #" + link + " is not a string table section",
                    owner.offset());
        }
        return sections.get(link);
    }

    /** Checks every relocation section and groups them by the section they apply to. */
    private List<ElfSection>[] checkRelocationSections() {
        List<ElfSection>[] byTarget = newListArray(sections.size());
        for (ElfSection s : sections) {
            if (s.isRelocations()) {
                checkRelocations(s);
                int target = s.info();
                byTarget[target] = byTarget[target] == null ? List.of(s) : append(byTarget[target], s);
            }
        }
        return byTarget;
    }

    private static List<ElfSection> append(List<ElfSection> list, ElfSection s) {
        List<ElfSection> longer = new ArrayList<>(list);
        longer.add(s);
        return List.copyOf(longer);
    }

    private int relocationSize(ElfSection rel) {
        return rel.type() == ElfSection.SHT_RELA ? RELA_SIZE : REL_SIZE;
    }

    /** Checks the layout and every entry of a relocation section without decoding it. */
    private void checkRelocations(ElfSection rel) {
        int entry = relocationSize(rel);
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
        long count = rel.size() / entry;
        for (long i = 0; i < count; i++) {
            long at = rel.offset() + i * entry; // inside the contents readSections checked
            long offset = in.rawU64(at);
            long sym = in.rawU64(at + 8) >>> 32;
            if (sym >= symbols.size()) {
                throw error(rel, "symbol index " + sym + " out of range (symtab has " + symbols.size() + ")", at + 8);
            }
            if (offset < 0 || offset >= targetSection.size()) {
                throw error(rel, "offset 0x" + Long.toHexString(offset) + " outside "
                        + targetSection.describe() + " (" + targetSection.size() + " bytes)", at);
            }
        }
    }

    /** Decodes a relocation section checked by {@link #checkRelocations}. */
    private List<ElfRelocation> readRelocations(ElfSection rel) {
        boolean rela = rel.type() == ElfSection.SHT_RELA;
        int entry = relocationSize(rel);
        ElfRelocation[] result = new ElfRelocation[(int) (rel.size() / entry)];
        for (int i = 0; i < result.length; i++) {
            long at = rel.offset() + (long) i * entry; // checked by checkRelocations
            long info = in.rawU64(at + 8);
            long addend = rela ? in.rawU64(at + 16) : 0;
            result[i] = new ElfRelocation(in.rawU64(at), (int) (info >>> 32), (int) info, addend);
        }
        return listOf(result);
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
        int index = relocationSection.index();
        if (index < 0 || index >= sections.size() || !sections.get(index).isRelocations()) {
            throw new IllegalArgumentException(relocationSection.describe() + " is not a relocation section");
        }
        List<ElfRelocation> list = relocationsBySection[index];
        if (list == null) {
            // an immutable list over final fields: a racing duplicate decode is harmless
            list = readRelocations(sections.get(index));
            relocationsBySection[index] = list;
        }
        return list;
    }

    /** The relocation sections that apply to {@code target}, usually zero or one. */
    public List<ElfSection> relocationSectionsFor(ElfSection target) {
        int index = target.index();
        List<ElfSection> rels = index >= 0 && index < sections.size() ? relocationSectionsByTarget[index] : null;
        return rels == null ? List.of() : rels;
    }

    /** All relocations that apply to {@code target}, in file order. */
    public List<ElfRelocation> relocationsFor(ElfSection target) {
        List<ElfSection> rels = relocationSectionsFor(target);
        if (rels.isEmpty()) {
            return List.of();
        }
        if (rels.size() == 1) {
            return relocations(rels.get(0)); // immutable already
        }
        List<ElfRelocation> all = new ArrayList<>();
        for (ElfSection r : rels) {
            all.addAll(relocations(r));
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
            arrays[i] = counts[i] == 0 ? NO_SYMBOLS : new ElfSymbol[counts[i]]; // most sections (debug, relocations) have none
            counts[i] = 0;
        }
        for (ElfSymbol s : symbols) {
            int i = s.sectionIndex();
            if (i < counts.length) {
                arrays[i][counts[i]++] = s;
            }
        }
        for (int i = 0; i < arrays.length; i++) {
            if (!sortedByValue(arrays[i])) {
                Arrays.sort(arrays[i], BY_VALUE); // stable: equal values keep symbol table order
            }
            grouped[i] = arrays[i].length == 0 ? List.of() : listOf(arrays[i]);
        }
        return grouped;
    }

    /** clang mostly writes a section's symbols in order already: checking is cheaper than sorting. */
    private static boolean sortedByValue(ElfSymbol[] symbols) {
        for (int i = 1; i < symbols.length; i++) {
            if (symbols[i - 1].value() > symbols[i].value()) {
                return false;
            }
        }
        return true;
    }

    private static final ElfSymbol[] NO_SYMBOLS = {};

    private static final Comparator<ElfSymbol> BY_VALUE = (a, b) -> Long.compare(a.value(), b.value());

    /** An error about a section of this file, in the form every ELF error uses. */
    public BpfFormatException error(ElfSection section, String message, long fileOffset) {
        return in.error(section.describe(), message, fileOffset);
    }
}
