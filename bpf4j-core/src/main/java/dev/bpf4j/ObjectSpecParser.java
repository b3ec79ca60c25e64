package dev.bpf4j;

import dev.bpf4j.ObjectSpec.DataSection;
import dev.bpf4j.ObjectSpec.MapSource;
import dev.bpf4j.ObjectSpec.MapDef;
import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.Relocation;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.elf.ElfFile;
import dev.bpf4j.elf.ElfRelocation;
import dev.bpf4j.elf.ElfSection;
import dev.bpf4j.elf.ElfSymbol;
import dev.bpf4j.elf.SymbolLookup;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns a checked {@link ElfFile} into an {@link ObjectSpec}: programs, maps, data, license, version. */
final class ObjectSpecParser {
    /** The legacy {@code struct bpf_map_def}: type, key_size, value_size, max_entries, map_flags. */
    private static final int LEGACY_MAP_DEF_SIZE = 20;
    /** Data sections become array maps with one value; larger than this the kernel refuses them anyway. */
    private static final long MAX_DATA_SECTION = 16L << 20;

    private final ElfFile elf;
    private final String file;
    private Btf btf;
    /** The first section of each name the parse looks up, found in one pass (null: none). */
    private ElfSection btfSection;
    private ElfSection extSection;
    private ElfSection licenseSection;
    private ElfSection versionSection;

    /** The file's bytes: BTF and BTF.ext are read from them directly. */
    private final byte[] bytes;

    /** {@code bytes} are the bytes {@code elf} was parsed from. */
    ObjectSpecParser(ElfFile elf, byte[] bytes) {
        this.elf = elf;
        this.file = elf.fileName();
        this.bytes = bytes;
    }

    ObjectSpec parse() {
        BtfExt ext = null;
        findNamedSections();
        if (btfSection != null) {
            ElfSection s = requireContents(btfSection);
            btf = Btf.parse(bytes, s.offset(), s.size(), () -> file + ": " + s.describe());
            if (extSection != null) {
                ElfSection e = requireContents(extSection);
                ext = BtfExt.parse(bytes, e.offset(), e.size(), btf, () -> file + ": " + e.describe());
            }
        }
        List<ProgramDef> programs = new ArrayList<>();
        List<ProgramDef> subprograms = new ArrayList<>();
        List<MapDef> maps = new ArrayList<>();
        List<DataSection> data = new ArrayList<>();
        for (ElfSection s : elf.sections()) {
            if (s.isExecutable()) {
                Optional<SectionMatch> match = Optional.empty();
                if (!s.name().equals(".text")) {
                    match = SectionTable.match(s.name());
                    if (match.isEmpty()) {
                        throw elf.error(s, "unknown program section name '" + s.name()
                                + "': no SEC() rule gives it a program type", s.offset());
                    }
                }
                (match.isEmpty() ? subprograms : programs).addAll(functions(s, match));
            } else if (s.name().equals(".maps")) {
                maps.addAll(btfMaps(s));
            } else if (s.name().equals("maps")) {
                maps.addAll(legacyMaps(s));
            } else if (isData(s)) {
                data.add(dataSection(s));
            }
        }
        return new ObjectSpec(file, elf, license(), version(), programs, subprograms, maps, data, btf, ext);
    }

    /** BTF is read from the file's bytes: a NOBITS or NULL section has none, and its offset points at other data. */
    private ElfSection requireContents(ElfSection s) {
        if (!s.hasFileContents()) {
            throw elf.error(s, "has no contents in the file (section type " + s.type() + ")", s.offset());
        }
        return s;
    }

    private void findNamedSections() {
        // one lookup each: the same compiled ElfFile.section serves every caller, where a loop comparing
        // each name with all four here made a large method of its own for the JIT
        btfSection = elf.section(".BTF").orElse(null);
        extSection = elf.section(".BTF.ext").orElse(null);
        licenseSection = elf.section("license").orElse(null);
        versionSection = elf.section("version").orElse(null);
    }

    // ---- license and version ----

    private String license() {
        return Optional.ofNullable(licenseSection).map(s -> {
            byte[] b = s.contents().toArray(ValueLayout.JAVA_BYTE); // empty if NOBITS
            int end = 0;
            while (end < b.length && b[end] != 0) {
                end++;
            }
            return new String(b, 0, end, StandardCharsets.UTF_8);
        }).orElse("");
    }

    private int version() {
        return Optional.ofNullable(versionSection).map(s -> {
            if (s.size() != 4 || s.type() != ElfSection.SHT_PROGBITS) {
                throw elf.error(s, "version section must hold one u32, not " + s.size() + " bytes", s.offset());
            }
            return s.contents().get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(elf.order()), 0);
        }).orElse(0);
    }

    /** The section's function symbols, or its symbols other than the section symbol; a loop, not a stream, as it runs per section. */
    private List<ElfSymbol> symbolsIn(ElfSection s, boolean functions) {
        List<ElfSymbol> all = elf.symbolsIn(s);
        List<ElfSymbol> result = new ArrayList<>(all.size());
        for (ElfSymbol sym : all) {
            if (functions ? sym.isFunction() : !sym.isSection()) {
                result.add(sym);
            }
        }
        return result;
    }

    // ---- programs ----

    private List<ProgramDef> functions(ElfSection s, Optional<SectionMatch> match) {
        List<ElfSymbol> funcs = symbolsIn(s, true);
        if (funcs.isEmpty() && s.size() > 0) {
            throw elf.error(s, "executable section has no function symbols", s.offset());
        }
        List<ElfRelocation> relocations = elf.relocationsFor(s);
        List<ProgramDef> result = new ArrayList<>();
        long previousEnd = 0;
        for (ElfSymbol f : funcs) {
            long start = f.value();
            long size = f.size();
            if (start % 8 != 0 || size % 8 != 0 || size <= 0 || start < previousEnd
                    || size > s.size() || start > s.size() - size) {
                throw elf.error(s, "function '" + f.name() + "' at 0x" + Long.toHexString(start) + " size " + size
                        + " is not whole instructions inside the section (" + s.size() + " bytes)"
                        + (start < previousEnd ? " or overlaps the previous function" : ""), s.offset() + Math.max(0, Math.min(start, s.size())));
            }
            previousEnd = start + size;
            int from = (int) (s.offset() + start); // inside the file: readSections checked the section's contents
            byte[] insns = java.util.Arrays.copyOfRange(bytes, from, from + (int) size);
            List<Relocation> relos = new ArrayList<>();
            for (ElfRelocation r : relocations) {
                if (r.offset() >= start && r.offset() < start + size) {
                    if ((r.offset() - start) % 8 != 0) {
                        throw elf.error(s, "relocation at 0x" + Long.toHexString(r.offset())
                                + " is not on an instruction boundary", s.offset() + r.offset());
                    }
                    ElfSymbol sym = elf.symbol(r.symbolIndex());
                    String symSection = sym.isDefined() ? elf.section(sym.sectionIndex()).name() : "";
                    relos.add(new Relocation((int) (r.offset() - start), r.type(), sym, symSection));
                }
            }
            result.add(new ProgramDef(f.name(), s.name(), match, f.binding(), (int) start, insns, relos));
        }
        return result;
    }

    // ---- data sections ----

    private static boolean isData(ElfSection s) {
        if (s.type() != ElfSection.SHT_PROGBITS && s.type() != ElfSection.SHT_NOBITS) {
            return false;
        }
        String n = s.name();
        return n.equals(".data") || n.equals(".rodata") || n.equals(".bss")
                || n.startsWith(".data.") || n.startsWith(".rodata.") || n.startsWith(".bss.");
    }

    private DataSection dataSection(ElfSection s) {
        if (s.size() > MAX_DATA_SECTION) {
            throw elf.error(s, "data section of " + s.size() + " bytes is larger than a BPF map value can be ("
                    + MAX_DATA_SECTION + ")", s.offset());
        }
        boolean bss = s.type() == ElfSection.SHT_NOBITS;
        List<ElfSymbol> vars = symbolsIn(s, false);
        for (ElfSymbol v : vars) {
            if (Long.compareUnsigned(v.value(), s.size()) > 0 || Long.compareUnsigned(v.size(), s.size() - v.value()) > 0) {
                throw elf.error(s, "variable '" + v.name() + "' at 0x" + Long.toHexString(v.value()) + " of "
                        + Long.toUnsignedString(v.size()) + " bytes lies outside the section (" + s.size() + " bytes)",
                        s.offset());
            }
        }
        byte[] initial = bss ? new byte[0] : s.bytes();
        return new DataSection(s.name(), s.size(), (s.flags() & ElfSection.SHF_WRITE) == 0, bss, initial, vars);
    }

    /** A map's key or value size, given twice (key_size and a key type) must agree, as libbpf insists. */
    private int agreeingSize(ElfSection s, int before, int size, String what, String map, long start) {
        if (before != 0 && before != size) {
            throw elf.error(s, "map '" + map + "': " + what + " size " + before + " conflicts with " + size
                    + " from its other " + what + " definition", s.offset() + start);
        }
        return size;
    }

    // ---- legacy maps ----

    private List<MapDef> legacyMaps(ElfSection s) {
        List<ElfSymbol> symbols = symbolsIn(s, false);
        if (symbols.isEmpty()) {
            return List.of();
        }
        if (s.type() != ElfSection.SHT_PROGBITS || s.size() % symbols.size() != 0) {
            throw elf.error(s, "legacy maps section of " + s.size() + " bytes does not divide into "
                    + symbols.size() + " map definitions", s.offset());
        }
        long defSize = s.size() / symbols.size();
        if (defSize < LEGACY_MAP_DEF_SIZE) {
            throw elf.error(s, "legacy map definitions of " + defSize + " bytes are shorter than struct bpf_map_def ("
                    + LEGACY_MAP_DEF_SIZE + ")", s.offset());
        }
        ByteBuffer b = ByteBuffer.wrap(s.bytes()).order(elf.order());
        List<MapDef> maps = new ArrayList<>();
        for (ElfSymbol m : symbols) {
            if (m.value() % defSize != 0 || m.value() >= s.size()) {
                throw elf.error(s, "map symbol '" + m.name() + "' at 0x" + Long.toHexString(m.value())
                        + " is not at a definition boundary", s.offset());
            }
            int at = (int) m.value();
            maps.add(new MapDef(m.name(), MapSource.LEGACY, b.getInt(at), b.getInt(at + 4), b.getInt(at + 8),
                    b.getInt(at + 12), b.getInt(at + 16), 0, 0, 0, 0, 0, null, Map.of()));
        }
        return maps;
    }

    // ---- BTF-defined maps ----

    private List<MapDef> btfMaps(ElfSection s) {
        if (btf == null) {
            throw elf.error(s, ".maps section needs BTF to describe its maps, but the object has no .BTF", s.offset());
        }
        BtfType.Datasec sec = mapsDatasec();
        if (sec == null) {
            throw elf.error(s, "no BTF DATASEC describes .maps", s.offset());
        }
        List<ElfRelocation> initialisers = elf.relocationsFor(s);
        // clang leaves DATASEC offsets at 0 (loaders fill them in): the symbols give the placement
        SymbolLookup symbols = SymbolLookup.of(elf.symbolsIn(s));
        List<MapDef> maps = new ArrayList<>(sec.vars().size());
        for (BtfType.SecInfo info : sec.vars()) {
            if (!(btf.type(info.type()) instanceof BtfType.Var var)) {
                throw elf.error(s, "BTF .maps entry #" + info.type() + " is not a variable", s.offset());
            }
            ElfSymbol sym = symbols.first(var.name());
            if (sym == null) {
                throw elf.error(s, "map '" + var.name() + "' has no symbol in .maps", s.offset());
            }
            long start = sym.value();
            long size = sym.size();
            if (start < 0 || size < 0 || start > s.size() || size > s.size() - start) {
                throw elf.error(s, "map '" + var.name() + "' at 0x" + Long.toHexString(start) + " size " + size
                        + " lies outside .maps (" + s.size() + " bytes)", s.offset());
            }
            maps.add(btfMap(s, var.name(), var.type(), start, start + size, initialisers, true));
        }
        return maps;
    }

    /** A map definition's field as errors name it; built only for an error. */
    private static String field(String map, BtfType.Member m) {
        return "map '" + map + "' field '" + m.name() + "'";
    }

    /**
     * The first DATASEC named .maps, found through the name index: a scan of {@link Btf#types}
     * would decode every type of the object, where parsing needs only its maps'.
     */
    private BtfType.Datasec mapsDatasec() {
        return (BtfType.Datasec) btf.typeByName(".maps", BtfKind.DATASEC).orElse(null);
    }

    /** Reads one {@code struct { __uint(type, ...); __type(key, ...); ... }} definition. */
    private MapDef btfMap(ElfSection s, String name, int typeId, long start, long end,
                           List<ElfRelocation> initialisers, boolean outer) {
        if (!(btf.resolve(typeId) instanceof BtfType.Struct def)) {
            throw elf.error(s, "map '" + name + "' is not described by a struct (" + btf.describe(typeId) + ")",
                    s.offset() + start);
        }
        int type = 0, keySize = 0, valueSize = 0, maxEntries = 0, flags = 0, numaNode = 0, pinning = 0;
        long mapExtra = 0;
        int keyTypeId = 0, valueTypeId = 0;
        MapDef inner = null;
        Map<Integer, String> values = Map.of();
        for (BtfType.Member m : def.members()) {
            // each member's type resolved once, here: the fields below only look at it
            BtfType resolved = btf.resolve(m.type());
            int pointee = resolved instanceof BtfType.Ptr p ? p.type() : -1;
            BtfType target = pointee >= 0 ? btf.resolve(pointee) : null;
            switch (m.name()) {
                case "type" -> type = uintField(s, m, target, name, start);
                case "key_size" -> keySize = agreeingSize(s, keySize, uintField(s, m, target, name, start), "key", name, start);
                case "value_size" -> valueSize = agreeingSize(s, valueSize, uintField(s, m, target, name, start), "value",
                        name, start);
                case "max_entries" -> maxEntries = uintField(s, m, target, name, start);
                case "map_flags" -> flags = uintField(s, m, target, name, start);
                case "numa_node" -> numaNode = uintField(s, m, target, name, start);
                case "pinning" -> pinning = uintField(s, m, target, name, start);
                case "map_extra" -> mapExtra = ulongField(s, m, resolved, target, name, start);
                case "key" -> {
                    keyTypeId = pointee(s, m, pointee, name, start);
                    keySize = agreeingSize(s, keySize, sizeOf(s, keyTypeId, name, m, start), "key", name, start);
                }
                case "value" -> {
                    valueTypeId = pointee(s, m, pointee, name, start);
                    valueSize = agreeingSize(s, valueSize, sizeOf(s, valueTypeId, name, m, start), "value", name, start);
                }
                case "values" -> {
                    if (!outer) {
                        throw elf.error(s, field(name, m) + ": an inner map cannot have its own values", s.offset() + start);
                    }
                    if (!(resolved instanceof BtfType.Array array)
                            || !(btf.resolve(array.elementType()) instanceof BtfType.Ptr ptr)) {
                        throw elf.error(s, field(name, m) + " must be an array of pointers", s.offset() + start);
                    }
                    if (btf.resolve(ptr.type()) instanceof BtfType.Struct) {
                        inner = btfMap(s, name + ".inner", ptr.type(), start, end, List.of(), false);
                    }
                    long first = start + m.bitOffset() / 8;
                    if (values.isEmpty()) {
                        values = new HashMap<>();
                    }
                    for (ElfRelocation r : initialisers) {
                        // the initialisers follow the struct: the variable's size covers them; of two
                        // relocations at one offset the later counts
                        long at = r.offset();
                        if (at >= first && at < end && (at - first) % 8 == 0) {
                            values.put((int) ((at - first) / 8), elf.symbol(r.symbolIndex()).name());
                        }
                    }
                }
                default -> throw elf.error(s, "map '" + name + "' has unknown field '" + m.name() + "'",
                        s.offset() + start);
            }
        }
        return new MapDef(name, MapSource.BTF, type, keySize, valueSize, maxEntries, flags, numaNode, pinning,
                mapExtra, keyTypeId, valueTypeId, inner, values);
    }

    /** {@code __uint(name, n)} is {@code int (*name)[n]}: the number is the array length ({@code target}, resolved). */
    private int uintField(ElfSection s, BtfType.Member m, BtfType target, String map, long start) {
        if (target instanceof BtfType.Array a) {
            return a.length();
        }
        throw elf.error(s, field(map, m) + " must be written __uint(name, value)", s.offset() + start);
    }

    /** {@code __ulong(name, n)} is an anonymous enum holding n; {@code __uint} is accepted too. */
    private long ulongField(ElfSection s, BtfType.Member m, BtfType resolved, BtfType target, String map, long start) {
        if (resolved instanceof BtfType.Enum e && e.values().size() == 1) {
            return e.values().get(0).value();
        }
        return Integer.toUnsignedLong(uintField(s, m, target, map, start));
    }

    /** {@code __type(name, T)} is {@code T *name}: {@code pointee} is T's id, or -1 when the member is no pointer. */
    private int pointee(ElfSection s, BtfType.Member m, int pointee, String map, long start) {
        if (pointee >= 0) {
            return pointee;
        }
        throw elf.error(s, field(map, m) + " must be written __type(name, type)", s.offset() + start);
    }

    private int sizeOf(ElfSection s, int typeId, String map, BtfType.Member m, long start) {
        long size = btf.sizeOf(typeId);
        if (size > Integer.MAX_VALUE) {
            throw elf.error(s, field(map, m) + ": type of " + size + " bytes is too large", s.offset() + start);
        }
        return (int) size;
    }
}
