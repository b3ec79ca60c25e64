package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt;
import dev.bpf4j.elf.ElfFile;
import dev.bpf4j.elf.ElfSymbol;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A parsed BPF ELF object, not yet loaded: its programs and subprograms (raw instructions with
 * their relocations), map definitions (BTF-defined {@code .maps} and legacy {@code maps}),
 * global data sections, license, kernel version and BTF. Reading checks the whole object;
 * malformed input gives a {@link BpfFormatException} naming the file, section and offset.
 */
public final class ObjectSpec {

    /**
     * A relocation inside one program.
     *
     * @param offset        byte offset from the program's first instruction (a multiple of 8)
     * @param type          {@code R_BPF_*}
     * @param symbol        the referenced symbol
     * @param symbolSection name of the section the symbol is defined in; empty if undefined (extern)
     */
    public record Relocation(int offset, int type, ElfSymbol symbol, String symbolSection) {
        /** The index of the patched instruction. */
        public int instruction() {
            return offset / 8;
        }
    }

    /**
     * A function: a program in its own section, or a subprogram in {@code .text} (then
     * {@code match} is empty).
     *
     * @param sectionOffset byte offset of the first instruction in its section
     * @param instructions  raw 8-byte instructions in the object's byte order
     */
    public record ProgramDef(String name, String section, Optional<SectionMatch> match, int binding,
                              int sectionOffset, byte[] instructions, List<Relocation> relocations) {
        public ProgramDef {
            instructions = instructions.clone();
            relocations = List.copyOf(relocations);
        }

        @Override
        public byte[] instructions() {
            return instructions.clone();
        }

        /** The instructions themselves, for the linker, which copies them: never to be changed. */
        byte[] sharedInstructions() {
            return instructions;
        }

        /** Number of 8-byte instruction slots. */
        public int instructionCount() {
            return instructions.length / 8;
        }

        public ProgramType type() {
            return match.map(SectionMatch::type).orElse(null);
        }

        public AttachType attachType() {
            return match.map(SectionMatch::attachType).orElse(null);
        }

        public boolean isSubprogram() {
            return match.isEmpty();
        }
    }

    /** Where a map definition came from. */
    public enum MapSource { BTF, LEGACY }

    /**
     * A map definition. Types use the kernel's numbers ({@link #mapType()} for the enum);
     * {@code keyTypeId}/{@code valueTypeId} are BTF ids (0 when unknown).
     *
     * @param inner         the inner map's definition for map-in-map, else null
     * @param initialValues {@code values = {...}} initialisers: slot index to the symbol named
     *                      (a program for prog arrays, a map for map-in-map)
     */
    public record MapDef(String name, MapSource source, int type, int keySize, int valueSize, int maxEntries,
                          int flags, int numaNode, int pinning, long mapExtra, int keyTypeId, int valueTypeId,
                          MapDef inner, java.util.Map<Integer, String> initialValues) {
        public MapDef {
            initialValues = java.util.Map.copyOf(initialValues);
        }

        public MapType mapType() {
            return MapType.ofValue(type);
        }
    }

    /**
     * A global data section ({@code .data}, {@code .rodata}, {@code .bss}, {@code .data.*}...).
     *
     * @param variables symbols defined in it, by name: offset and size
     */
    public record DataSection(String name, long size, boolean readOnly, boolean zeroFilled, byte[] initial,
                              List<ElfSymbol> variables) {
        public DataSection {
            initial = initial.clone();
            variables = List.copyOf(variables);
        }

        /** The initial contents: zeros for {@code .bss}. */
        public byte[] contents() {
            return zeroFilled ? new byte[(int) size] : initial.clone();
        }

        /** The bytes stored in the file: empty for {@code .bss}. */
        @Override
        public byte[] initial() {
            return initial.clone();
        }
    }

    /**
     * A global variable: a symbol in a data section.
     *
     * @param offset byte offset in its section (and so in the section's map value)
     */
    public record VariableDef(String name, String section, int offset, int size, boolean readOnly) {
    }

    private final String fileName;
    private final ElfFile elf;
    private final String license;
    private final int kernelVersion;
    private final List<ProgramDef> programs;
    private final List<ProgramDef> subprograms;
    private final List<MapDef> maps;
    private final List<DataSection> dataSections;
    private final Btf btf;
    private final BtfExt btfExt;

    ObjectSpec(String fileName, ElfFile elf, String license, int kernelVersion, List<ProgramDef> programs,
               List<ProgramDef> subprograms, List<MapDef> maps, List<DataSection> dataSections, Btf btf,
               BtfExt btfExt) {
        this.fileName = fileName;
        this.elf = elf;
        this.license = license;
        this.kernelVersion = kernelVersion;
        // the parser hands over lists it made for this spec and keeps no reference: wrapped, not copied
        this.programs = Collections.unmodifiableList(programs);
        this.subprograms = Collections.unmodifiableList(subprograms);
        this.maps = Collections.unmodifiableList(maps);
        this.dataSections = Collections.unmodifiableList(dataSections);
        this.btf = btf;
        this.btfExt = btfExt;
    }

    /** Reads and parses an object file. */
    public static ObjectSpec read(Path path) {
        return parse(String.valueOf(path.getFileName()), ElfFile.readBytes(path));
    }

    /**
     * Parses an object held in memory; {@code fileName} is used in error messages. The spec reads
     * {@code data} without copying it (as libbpf's open_mem does), so it must not change while the
     * spec is in use.
     */
    public static ObjectSpec parse(String fileName, byte[] data) {
        return new ObjectSpecParser(ElfFile.parse(fileName, data), data).parse();
    }

    public String fileName() {
        return fileName;
    }

    /** The underlying ELF file. */
    public ElfFile elf() {
        return elf;
    }

    /** The {@code license} section's string, empty when absent. */
    public String license() {
        return license;
    }

    /** The {@code version} section's value, 0 when absent. */
    public int kernelVersion() {
        return kernelVersion;
    }

    /** Programs in section order, then symbol order within a section. */
    public List<ProgramDef> programs() {
        return programs;
    }

    /** The program with this function name. */
    public Optional<ProgramDef> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Functions in {@code .text}, called from programs (bpf-to-bpf calls, callbacks). */
    public List<ProgramDef> subprograms() {
        return subprograms;
    }

    public List<MapDef> maps() {
        return maps;
    }

    public Optional<MapDef> map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    public List<DataSection> dataSections() {
        return dataSections;
    }

    public Optional<DataSection> dataSection(String name) {
        return dataSections.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /** Every global variable in every data section, in section then symbol order. */
    public List<VariableDef> variables() {
        List<VariableDef> result = new java.util.ArrayList<>();
        for (DataSection d : dataSections) {
            for (ElfSymbol v : d.variables()) {
                result.add(new VariableDef(v.name(), d.name(), (int) v.value(), (int) v.size(), d.readOnly()));
            }
        }
        return result;
    }

    /** The variable with this name. */
    public Optional<VariableDef> variable(String name) {
        return variables().stream().filter(v -> v.name().equals(name)).findFirst();
    }

    /**
     * The program with the .text subprograms it calls appended and its relocations resolved, maps
     * still symbolic: what {@link BpfObject#load} hands the kernel, minus the fds. CO-RE
     * relocations resolve against the running kernel's BTF, externs against its config, kallsyms
     * and BTF ({@link LinkedProgram#coreRelocations()} says what each relocation became).
     *
     * @throws BpfException when there is no such program, or a relocation or extern cannot be resolved
     */
    public LinkedProgram link(String programName) {
        ProgramDef p = program(programName).orElseThrow(() -> new BpfException(fileName + ": no program named '"
                + programName + "' (programs: " + programs.stream().map(ProgramDef::name).toList() + ")"));
        return ObjectLinker.link(this, p);
    }

    /** The object's .BTF, if it has one. */
    public Optional<Btf> btf() {
        return Optional.ofNullable(btf);
    }

    /** The object's .BTF.ext, if it has one. */
    public Optional<BtfExt> btfExt() {
        return Optional.ofNullable(btfExt);
    }
}
