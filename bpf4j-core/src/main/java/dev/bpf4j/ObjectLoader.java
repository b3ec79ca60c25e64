package dev.bpf4j;

import dev.bpf4j.ObjectSpec.DataSection;
import dev.bpf4j.ObjectSpec.MapDef;
import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.VariableDef;
import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfSanitizer;
import dev.bpf4j.btf.BtfStrings;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Fd;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Does the work of {@link BpfObject#load}: BTF, maps, data, programs, initialisers, in libbpf's order. */
final class ObjectLoader {
    /** {@code LIBBPF_PIN_BY_NAME}. */
    static final int PIN_BY_NAME = 1;
    private static final int FUNC_INFO_SIZE = 8;
    private static final int LINE_INFO_SIZE = 16;

    private final ObjectSpec spec;
    private final LoadOptions options;
    private final String file;
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Map<String, LinkedProgram> linked = new LinkedHashMap<>();
    private final List<Path> pins = new ArrayList<>();
    private final List<String> reused = new ArrayList<>();
    private Btf btf;
    private Fd btfFd;
    private ObjectCore core;
    private ObjectExterns externs;

    ObjectLoader(ObjectSpec spec, LoadOptions options) {
        this.spec = spec;
        this.options = options;
        this.file = spec.fileName();
    }

    BpfObject load() {
        checkOptions();
        ObjectCore.checkRecords(spec);
        core = ObjectCore.of(spec, options);
        externs = ObjectExterns.of(spec);
        try {
            loadBtf();
            for (MapDef def : spec.maps()) {
                maps.put(def.name(), createOrReuse(def));
            }
            for (MapDef def : spec.maps()) {
                if (!reused.contains(def.name()) && def.mapType() != MapType.PROG_ARRAY) {
                    fillSlots(def, name -> map(name, def).fd(), "map");
                }
            }
            for (DataSection d : spec.dataSections()) {
                if (d.size() > 0) {
                    maps.put(d.name(), createDataMap(d));
                }
            }
            if (externs.kconfig().size() > 0) {
                maps.put(ObjectExterns.KCONFIG, externs.createKconfigMap(dataMapName(objectName(file),
                        ObjectExterns.KCONFIG), this::create));
            }
            for (ProgramDef def : spec.programs()) {
                if (options.autoload(def.name())) {
                    programs.put(def.name(), loadProgram(def));
                }
            }
            for (MapDef def : spec.maps()) {
                if (!reused.contains(def.name()) && def.mapType() == MapType.PROG_ARRAY) {
                    fillSlots(def, name -> programs.containsKey(name) ? programs.get(name).fd() : -1, "program");
                }
            }
            Map<String, GlobalVariable> variables = new LinkedHashMap<>();
            for (VariableDef v : spec.variables()) {
                BpfMap m = maps.get(v.section());
                if (m != null) {
                    variables.put(v.name(), new GlobalVariable(v, m));
                }
            }
            return new BpfObject(spec, maps, programs, linked, variables, btfFd, pins);
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    /** A failed load leaves nothing behind: programs, maps, BTF, and the pins it made. */
    private void closeAll() {
        programs.values().forEach(Program::close);
        maps.values().forEach(BpfMap::close);
        if (btfFd != null) {
            btfFd.close();
        }
        pins.forEach(BpfObject::removePin);
    }

    private void checkOptions() {
        if (spec.elf().order() != ByteOrder.nativeOrder()) {
            throw new BpfException(file + " is a " + spec.elf().order() + " object; this machine is "
                    + ByteOrder.nativeOrder() + ": it cannot be loaded here (build it with -target bpfel or bpf)");
        }
        for (String m : options.overriddenMaps()) {
            if (spec.map(m).isEmpty()) {
                throw new BpfException(file + ": load options name map '" + m + "', which the object does not define");
            }
        }
        for (String p : options.mentionedPrograms()) {
            if (spec.program(p).isEmpty()) {
                throw new BpfException(file + ": load options name program '" + p + "', which the object does not"
                        + " have (programs: " + spec.programs().stream().map(ProgramDef::name).toList() + ")");
            }
        }
        for (String v : options.variableNames()) {
            VariableDef def = spec.variable(v).orElseThrow(() -> new BpfException(file
                    + ": load options set variable '" + v + "', which the object does not define"));
            int given = options.variable(v).orElseThrow().length;
            if (given != def.size()) {
                throw new BpfException(file + ": variable '" + v + "' is " + def.size() + " bytes, load options give "
                        + given);
            }
        }
    }

    // ---- BTF ----

    private void loadBtf() {
        if (spec.btf().isEmpty()) {
            return;
        }
        btf = BtfSanitizer.sanitize(DatasecFixup.apply(externs.prepare(spec.btf().get()), spec.elf()),
                BtfLoad.supported());
        btfFd = new Fd(BtfLoad.load(btf, "the BTF of " + file), "BTF of " + file);
    }

    // ---- maps ----

    private BpfMap createOrReuse(MapDef def) {
        MapSpec mapSpec = mapSpec(def);
        if (def.pinning() == 0) {
            return create(mapSpec, def.name());
        }
        if (def.pinning() != PIN_BY_NAME) {
            throw new BpfException(file + ": map '" + def.name() + "' asks for pinning type " + def.pinning()
                    + "; only LIBBPF_PIN_BY_NAME (1) is known");
        }
        Path path = options.pinRoot().resolve(def.name()).toAbsolutePath();
        if (Files.exists(path)) {
            BpfMap existing = BpfMap.openPinned(path);
            String mismatch;
            try {
                mismatch = mismatch(existing.info(), mapSpec);
            } catch (RuntimeException e) {
                existing.close();
                throw e;
            }
            if (mismatch != null) {
                existing.close();
                throw new BpfException(file + ": map '" + def.name() + "' cannot reuse the map pinned at " + path
                        + ": " + mismatch);
            }
            reused.add(def.name());
            return existing;
        }
        BpfMap created = create(mapSpec, def.name());
        try {
            Files.createDirectories(path.getParent());
            created.pin(path);
        } catch (IOException | RuntimeException e) {
            created.close();
            throw new BpfException(file + ": cannot pin map '" + def.name() + "' at " + path + ": " + e.getMessage(), e);
        }
        pins.add(path);
        return created;
    }

    /** libbpf's compatibility rule for reusing a pinned map: the same shape and flags. */
    private static String mismatch(MapInfo have, MapSpec want) {
        List<String> diffs = new ArrayList<>();
        if (have.type() != want.type()) {
            diffs.add("type " + have.type() + " there, " + want.type() + " here");
        }
        if (have.keySize() != want.keySize()) {
            diffs.add("key size " + have.keySize() + " there, " + want.keySize() + " here");
        }
        if (have.valueSize() != want.valueSize()) {
            diffs.add("value size " + have.valueSize() + " there, " + want.valueSize() + " here");
        }
        if (have.maxEntries() != want.maxEntries()) {
            diffs.add("max_entries " + have.maxEntries() + " there, " + want.maxEntries() + " here");
        }
        if (have.flags() != want.flags()) {
            diffs.add("flags 0x" + Integer.toHexString(have.flags()) + " there, 0x"
                    + Integer.toHexString(want.flags()) + " here");
        }
        if (have.mapExtra() != want.mapExtra()) { // a bloom filter's hash count, an arena's address
            diffs.add("map_extra " + have.mapExtra() + " there, " + want.mapExtra() + " here");
        }
        return diffs.isEmpty() ? null : String.join(", ", diffs);
    }

    private MapSpec mapSpec(MapDef def) {
        MapType type = def.mapType();
        if (type == null) {
            throw new BpfException(file + ": map '" + def.name() + "' has map type " + def.type()
                    + ", unknown to this library");
        }
        int flags = options.mapFlags(def.name()).orElse(def.flags());
        MapSpec.Builder b = MapSpec.builder(type).name(kernelName(def.name()))
                .keySize(def.keySize()).valueSize(fdValueSize(type, def.valueSize()))
                .maxEntries(options.maxEntries(def.name()).orElse(def.maxEntries()))
                .mapExtra(def.mapExtra());
        if ((flags & MapFlags.NUMA_NODE) != 0) {
            b.numaNode(def.numaNode());
        }
        b.flags(flags);
        if (def.inner() != null) {
            b.innerSpec(mapSpec(def.inner()));
        }
        if (btfFd != null && takesBtf(type) && (def.keyTypeId() != 0 || def.valueTypeId() != 0)) {
            b.btf(btfFd.get(), def.keyTypeId(), def.valueTypeId());
        }
        return b.build();
    }

    /** Maps of fds hold 4-byte values even when the definition leaves the size out. */
    private static int fdValueSize(MapType type, int valueSize) {
        boolean fds = type == MapType.PROG_ARRAY || type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
        return fds && valueSize == 0 ? 4 : valueSize;
    }

    /** Types whose values are kernel objects take no BTF (libbpf drops it for them). */
    private static boolean takesBtf(MapType type) {
        return switch (type) {
            case PERF_EVENT_ARRAY, CGROUP_ARRAY, STACK_TRACE, ARRAY_OF_MAPS, HASH_OF_MAPS, DEVMAP, DEVMAP_HASH,
                 CPUMAP, XSKMAP, SOCKMAP, SOCKHASH, QUEUE, STACK, PROG_ARRAY -> false;
            default -> true;
        };
    }

    /** Creates a map; a refusal with BTF is retried without, as libbpf does for older kernels. */
    private BpfMap create(MapSpec mapSpec, String name) {
        try {
            return BpfMap.create(mapSpec);
        } catch (BpfSyscallException e) {
            if (mapSpec.btfFd() == 0) {
                throw new BpfException(file + ": map '" + name + "': " + e.getMessage(), e);
            }
            try {
                return BpfMap.create(mapSpec.toBuilder().btf(0, 0, 0).build());
            } catch (BpfSyscallException again) {
                throw new BpfException(file + ": map '" + name + "': " + e.getMessage(), e);
            }
        }
    }

    private BpfMap map(String name, MapDef from) {
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new BpfException(file + ": map '" + from.name() + "' is initialised with '" + name
                    + "', which is not a map of this object");
        }
        return m;
    }

    /** Writes {@code values = {...}} initialisers: map fds for map-in-map, program fds for prog arrays. */
    private void fillSlots(MapDef def, java.util.function.ToIntFunction<String> fdOf, String what) {
        if (def.initialValues().isEmpty()) {
            return;
        }
        BpfMap m = maps.get(def.name());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(m.keySize());
            MemorySegment value = arena.allocate(4);
            for (Map.Entry<Integer, String> slot : def.initialValues().entrySet()) {
                int fd = fdOf.applyAsInt(slot.getValue());
                if (fd < 0) {
                    continue; // a program switched off: its slot stays empty
                }
                key.set(ValueLayout.JAVA_INT, 0, slot.getKey());
                value.set(ValueLayout.JAVA_INT, 0, fd);
                try {
                    m.update(key, value);
                } catch (BpfSyscallException e) {
                    throw new BpfException(file + ": map '" + def.name() + "' slot " + slot.getKey() + " = " + what
                            + " '" + slot.getValue() + "': " + e.getMessage(), e);
                }
            }
        }
    }

    // ---- global data ----

    private BpfMap createDataMap(DataSection d) {
        int valueTypeId = btf == null ? 0
                : btf.typeByName(d.name(), BtfKind.DATASEC).map(dev.bpf4j.btf.BtfType::id).orElse(0);
        int flags = MapFlags.MMAPABLE | (d.readOnly() ? MapFlags.RDONLY_PROG : 0);
        MapSpec.Builder b = MapSpec.builder(MapType.ARRAY).name(dataMapName(objectName(file), d.name()))
                .keySize(4).valueSize((int) d.size()).maxEntries(1).flags(flags);
        if (valueTypeId != 0) {
            b.btf(btfFd.get(), 0, valueTypeId);
        }
        BpfMap m = create(b.build(), d.name());
        maps.put(d.name(), m); // closed with the rest if filling fails
        byte[] contents = d.contents();
        for (String v : options.variableNames()) {
            VariableDef def = spec.variable(v).orElseThrow();
            if (def.section().equals(d.name())) {
                byte[] value = options.variable(v).orElseThrow();
                System.arraycopy(value, 0, contents, def.offset(), value.length);
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(contents.length, 8);
            MemorySegment.copy(contents, 0, value, ValueLayout.JAVA_BYTE, 0, contents.length);
            m.update(key, value);
        }
        if (d.readOnly()) {
            m.freeze(); // programs may rely on .rodata never changing: the verifier treats it as constant
        }
        return m;
    }

    /** The object's name as libbpf takes it: the file name up to its first dot. */
    static String objectName(String fileName) {
        Path p = Path.of(fileName).getFileName();
        String name = p == null ? fileName : p.toString();
        int dot = name.indexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * libbpf's name for a data section's map: a prefix of the object name, then the section name
     * ({@code socket_x.data}); sub-sections such as {@code .data.custom} keep their own name.
     * Characters the kernel refuses become '_'.
     */
    static String dataMapName(String objectName, String section) {
        int max = MapSpec.MAX_NAME_LENGTH;
        int suffix = Math.max(7, section.length());
        int prefix = section.indexOf('.', 1) >= 0 ? 0 : Math.max(0, Math.min(max - suffix, objectName.length()));
        String name = objectName.substring(0, prefix) + section;
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_' ? c : '_');
        }
        return out.length() > max ? out.substring(0, max) : out.toString();
    }

    /** The name given to the kernel: at most 15 bytes. */
    /** The name as the kernel keeps it: at most 15 bytes, cut between characters, never inside one. */
    private static String kernelName(String name) {
        if (name.getBytes(StandardCharsets.UTF_8).length <= MapSpec.MAX_NAME_LENGTH) {
            return name;
        }
        int end = 0;
        int bytes = 0;
        while (end < name.length()) {
            int cp = name.codePointAt(end);
            int size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; // its UTF-8 length
            if (bytes + size > MapSpec.MAX_NAME_LENGTH) {
                break;
            }
            bytes += size;
            end += Character.charCount(cp);
        }
        return name.substring(0, end);
    }

    // ---- programs ----

    private Program loadProgram(ProgramDef def) {
        SectionMatch match = def.match().orElseThrow();
        AttachTarget target = match.attachBtf() ? AttachTarget.resolve(def, file) : null;
        LinkedProgram link = ObjectLinker.link(spec, def, core, externs);
        linked.put(def.name(), link);
        int flags = (match.sleepable() ? ProgramSpec.F_SLEEPABLE : 0) | (match.xdpFrags() ? ProgramSpec.F_XDP_HAS_FRAGS : 0);
        ProgramSpec.Builder b = ProgramSpec.builder(match.type(), withFds(link))
                .name(kernelName(def.name())).license(spec.license()).kernelVersion(spec.kernelVersion())
                .flags(flags).expectedAttachType(match.attachType()).logLevel(options.logLevel());
        if (target != null) {
            b.attachBtfId(target.typeId()); // attach_btf_obj_fd stays 0: the target is in vmlinux
        }
        if (btfFd != null) {
            b.progBtfFd(btfFd.get());
            byte[] funcInfo = funcInfo(link);
            if (funcInfo.length > 0) {
                b.funcInfo(funcInfo, FUNC_INFO_SIZE);
                b.lineInfo(lineInfo(link, btf, file), LINE_INFO_SIZE);
            }
        }
        try {
            return Program.load(b.build());
        } catch (VerifierException e) {
            String who = "program '" + def.name() + "' of " + file;
            String log = link.annotate(e.log());
            // a poisoned instruction was reached: the last line names the type and field (the summary)
            log = link.explainPoison(e.log()).map(why -> e.log().stripTrailing() + "\n" + why).map(link::annotate)
                    .orElse(log);
            throw new VerifierException(who, e.errno(), e.errnoName(), Errno.description(e.errno()), log);
        } catch (BpfSyscallException e) {
            // A refusal without a verifier log: if this kernel cannot load the type at all, say so.
            String why = Features.kernel().whyNot(match.type()).map(reason -> " (" + reason + ")").orElse("");
            if (target != null && why.isEmpty()) {
                why = " (" + match.type() + " program attaching to " + target.kind() + " " + target.name()
                        + " [kernel BTF id " + target.typeId() + "], expected attach type " + match.attachType()
                        + (e.errno() == Errno.EPERM ? ": this kernel refuses such programs" : "") + ")";
            }
            throw new BpfException(file + ": program '" + def.name() + "': " + e.getMessage() + why, e);
        } catch (BpfException e) {
            throw new BpfException(file + ": program '" + def.name() + "': " + e.getMessage(), e);
        }
    }

    /** The linked instructions with each symbolic map reference replaced by the map's fd. */
    private Instructions withFds(LinkedProgram link) {
        List<Instruction> out = new ArrayList<>(link.instructions().size());
        for (Instruction insn : link.instructions()) {
            if (insn.reference() != null && insn.isWide() && (insn.src() == Instruction.PSEUDO_MAP_FD
                    || insn.src() == Instruction.PSEUDO_MAP_VALUE)) {
                BpfMap m = maps.get(insn.reference());
                if (m == null) {
                    throw new BpfException(file + ": program '" + link.name() + "' uses '" + insn.reference()
                            + "', for which no map was made");
                }
                insn = insn.withImm((insn.imm() & 0xffffffff00000000L) | m.fd());
            }
            out.add(insn);
        }
        return new Instructions(out);
    }

    static byte[] funcInfo(LinkedProgram link) {
        if (link.functions().stream().anyMatch(f -> f.btfTypeId() == 0)) {
            return new byte[0]; // all or none: the kernel wants one record per function
        }
        ByteBuffer out = ByteBuffer.allocate(link.functions().size() * FUNC_INFO_SIZE).order(ByteOrder.nativeOrder());
        for (LinkedProgram.Function f : link.functions()) {
            out.putInt(f.slot()).putInt(f.btfTypeId());
        }
        return out.array();
    }

    static byte[] lineInfo(LinkedProgram link, Btf btf, String file) {
        ByteBuffer out = ByteBuffer.allocate(link.lines().size() * LINE_INFO_SIZE).order(ByteOrder.nativeOrder());
        for (LinkedProgram.SourceLine l : link.lines()) {
            out.putInt(l.slot()).putInt(stringOffset(btf, l.file(), file))
                    .putInt(stringOffset(btf, l.line(), file))
                    .putInt(l.lineNumber() << 10 | l.column());
        }
        return out.array();
    }

    /** Where a string is in the BTF string table: a whole string, or the tail of a longer one. */
    private static int stringOffset(Btf btf, String s, String file) {
        BtfStrings strings = btf.strings();
        int at = strings.offsetOf(s);
        if (at >= 0) {
            return at;
        }
        byte[] table = strings.bytes();
        byte[] want = s.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + want.length < table.length; i++) {
            for (int j = 0; j < want.length; j++) {
                if (table[i + j] != want[j]) {
                    continue outer;
                }
            }
            if (table[i + want.length] == 0) {
                return i;
            }
        }
        throw new BpfException(file + ": line_info string '" + s + "' is not in the BTF string table");
    }
}
