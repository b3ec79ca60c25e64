package dev.bpf4j;

import dev.bpf4j.LoadPlan.DataPlan;
import dev.bpf4j.LoadPlan.MapPlan;
import dev.bpf4j.LoadPlan.ProgramPlan;
import dev.bpf4j.ObjectSpec.DataSection;
import dev.bpf4j.ObjectSpec.MapDef;
import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.VariableDef;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.BtfSanitizer;
import dev.bpf4j.btf.BtfExt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user-space half of loading ({@link BpfObject#prepare}): checks the options, makes the BTF
 * loadable, works out every map's spec and contents and links every program, creating nothing.
 * {@link ObjectLoader} then makes the bpf() calls the plan lists.
 */
final class ObjectPlanner {
    /** {@code LIBBPF_PIN_BY_NAME}. */
    static final int PIN_BY_NAME = 1;
    static final int FUNC_INFO_SIZE = 8;
    static final int LINE_INFO_SIZE = 16;

    private final ObjectSpec spec;
    private final LoadOptions options;
    private final String file;
    private final String objectName; // data maps' name prefix, from the file name once
    private Btf btf;
    private Map<String, Integer> datasecIds; // DATASEC name -> type id in the loadable BTF, made when first asked

    private ObjectPlanner(ObjectSpec spec, LoadOptions options) {
        this.spec = spec;
        this.options = options;
        this.file = spec.fileName();
        this.objectName = objectName(file);
    }

    static LoadPlan prepare(ObjectSpec spec, LoadOptions options) {
        return new ObjectPlanner(spec, options).run();
    }

    private LoadPlan run() {
        checkOptions();
        ObjectCore.checkRecords(spec);
        ObjectCore core = ObjectCore.of(spec, options);
        ObjectExterns externs = ObjectExterns.of(spec);
        byte[] btfBytes = null;
        if (spec.btf().isPresent()) {
            Btf objectBtf = spec.btf().get();
            byte[] placed = DatasecFixup.apply(objectBtf, spec.elf()); // in the BTF's own byte order
            Set<BtfSanitizer.Feature> supported = BtfLoad.supported();
            // the ELF's order is checked above; the BTF blob carries its own, which a malformed object may flip
            if (objectBtf.order() == ByteOrder.nativeOrder() && !ObjectExterns.needsPreparing(objectBtf)
                    && BtfSanitizer.keepsEverything(supported)) {
                btf = objectBtf; // the planner reads only ids and names from it, which placing keeps
                btfBytes = placed;
            } else {
                Btf reread = Btf.parse(placed, 0, placed.length, () -> file + ": BTF with its DATASECs placed");
                btf = BtfSanitizer.sanitize(externs.prepare(reread), supported);
                btfBytes = btf.encode(ByteOrder.nativeOrder());
            }
        }
        List<MapPlan> maps = new ArrayList<>();
        Set<String> mapNames = new HashSet<>();
        for (MapDef def : spec.maps()) {
            maps.add(mapPlan(def));
            mapNames.add(def.name());
        }
        for (MapDef def : spec.maps()) {
            if (!def.initialValues().isEmpty() && def.keySize() != 4) { // slots are written with u32 index keys
                throw new BpfException(file + ": map '" + def.name() + "' has a values initialiser, so its key must"
                        + " be a 4-byte index, not " + def.keySize() + " bytes");
            }
            if (def.mapType() != MapType.PROG_ARRAY) {
                for (String name : def.initialValues().values()) {
                    if (!mapNames.contains(name)) {
                        throw new BpfException(file + ": map '" + def.name() + "' is initialised with '" + name
                                + "', which is not a map of this object");
                    }
                }
            }
        }
        List<DataPlan> data = new ArrayList<>();
        for (DataSection d : spec.dataSections()) {
            if (d.size() > 0) {
                data.add(dataPlan(d));
            }
        }
        if (externs.kconfig().size() > 0) {
            data.add(kconfigPlan(externs));
        }
        data.forEach(d -> mapNames.add(d.name()));
        List<ProgramPlan> programs = new ArrayList<>();
        for (ProgramDef def : spec.programs()) {
            if (options.autoload(def.name())) {
                programs.add(programPlan(def, core, externs, mapNames));
            }
        }
        return new LoadPlan(spec, options, btfBytes, maps, data, programs);
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

    // ---- maps ----

    private MapPlan mapPlan(MapDef def) {
        MapSpec mapSpec = mapSpec(def);
        Path pin = null;
        if (def.pinning() != 0) {
            if (def.pinning() != PIN_BY_NAME) {
                throw new BpfException(file + ": map '" + def.name() + "' asks for pinning type " + def.pinning()
                        + "; only LIBBPF_PIN_BY_NAME (1) is known");
            }
            pin = options.pinRoot().resolve(def.name()).toAbsolutePath();
        }
        return new MapPlan(def.name(), mapSpec, pin, def.initialValues(), def.mapType() == MapType.PROG_ARRAY);
    }

    /** The map's spec; its BTF type ids are set, the BTF fd (0 here) is the loader's to fill in. */
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
        if (btf != null && takesBtf(type) && (def.keyTypeId() != 0 || def.valueTypeId() != 0)) {
            b.btf(0, def.keyTypeId(), def.valueTypeId());
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

    // ---- global data ----

    private DataPlan dataPlan(DataSection d) {
        int valueTypeId = btf == null ? 0 : datasecIds().getOrDefault(d.name(), 0);
        int flags = MapFlags.MMAPABLE | (d.readOnly() ? MapFlags.RDONLY_PROG : 0);
        MapSpec.Builder b = MapSpec.builder(MapType.ARRAY).name(dataMapName(objectName, d.name()))
                .keySize(4).valueSize((int) d.size()).maxEntries(1).flags(flags);
        if (valueTypeId != 0) {
            b.btf(0, 0, valueTypeId);
        }
        byte[] contents = d.contents();
        for (String v : options.variableNames()) {
            VariableDef def = spec.variable(v).orElseThrow();
            if (def.section().equals(d.name())) {
                byte[] value = options.variable(v).orElseThrow();
                System.arraycopy(value, 0, contents, def.offset(), value.length);
            }
        }
        // programs may rely on .rodata never changing: the verifier treats it as constant
        return new DataPlan(d.name(), b.build(), contents, d.readOnly());
    }

    private Map<String, Integer> datasecIds() {
        if (datasecIds == null) {
            datasecIds = new HashMap<>();
            for (BtfType d : btf.typesOfKind(BtfKind.DATASEC)) {
                datasecIds.putIfAbsent(d.name(), d.id());
            }
        }
        return datasecIds;
    }

    /**
     * The .kconfig map, as libbpf makes it: one array entry holding every kconfig value, read-only
     * for programs and frozen, so the verifier treats the values as constants.
     */
    private DataPlan kconfigPlan(ObjectExterns externs) {
        MapSpec mapSpec = MapSpec.builder(MapType.ARRAY).name(dataMapName(objectName, ObjectExterns.KCONFIG))
                .keySize(4).valueSize(externs.kconfig().size()).maxEntries(1)
                .flags(MapFlags.MMAPABLE | MapFlags.RDONLY_PROG).build();
        byte[] values;
        try {
            values = externs.kconfig().values();
        } catch (BpfException e) {
            throw new BpfException(file + ": " + e.getMessage(), e);
        }
        return new DataPlan(ObjectExterns.KCONFIG, mapSpec, values, true);
    }

    /**
     * The object's name as libbpf takes it: the file name up to its first dot. The last part of the
     * path is found by hand: a Path would run the file system's parsing, cold, on every load.
     */
    static String objectName(String fileName) {
        int end = fileName.length();
        while (end > 1 && fileName.charAt(end - 1) == '/') {
            end--;
        }
        String name = fileName.substring(fileName.lastIndexOf('/', end - 1) + 1, end);
        if (name.isEmpty()) {
            name = fileName; // "/" or ""
        }
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

    private ProgramPlan programPlan(ProgramDef def, ObjectCore core, ObjectExterns externs, Set<String> mapNames) {
        SectionMatch match = def.match().orElseThrow();
        AttachTarget target = match.attachBtf() ? AttachTarget.resolve(def, file) : null;
        ObjectLinker.Linked linked = ObjectLinker.linkForLoad(spec, def, core, externs);
        LinkedProgram link = linked.program();
        for (String name : linked.mapNames()) {
            if (!mapNames.contains(name)) {
                throw new BpfException(file + ": program '" + link.name() + "' uses '" + name
                        + "', for which no map was made");
            }
        }
        int flags = (match.sleepable() ? ProgramSpec.F_SLEEPABLE : 0)
                | (match.xdpFrags() ? ProgramSpec.F_XDP_HAS_FRAGS : 0);
        ProgramSpec.Builder b = ProgramSpec.builder(match.type(), link.instructions())
                .name(kernelName(def.name())).license(spec.license()).kernelVersion(spec.kernelVersion())
                .flags(flags).expectedAttachType(match.attachType()).logLevel(options.logLevel());
        if (target != null) {
            b.attachBtfId(target.typeId()); // attach_btf_obj_fd stays 0: the target is in vmlinux
        }
        if (btf != null) {
            byte[] funcInfo = funcInfo(link);
            if (funcInfo.length > 0) {
                b.funcInfo(funcInfo, FUNC_INFO_SIZE);
                b.lineInfo(lineInfo(link), LINE_INFO_SIZE);
            }
        }
        // laid out here, once: a load then copies the bytes and patches the fds
        return new ProgramPlan(def, match, target, link, ProgLoadImage.of(b.build()), linked.mapSlots(),
                linked.mapNames());
    }

    static byte[] funcInfo(LinkedProgram link) {
        for (LinkedProgram.Function f : link.functions()) {
            if (f.btfTypeId() == 0) {
                return new byte[0]; // all or none: the kernel wants one record per function
            }
        }
        ByteBuffer out = ByteBuffer.allocate(link.functions().size() * FUNC_INFO_SIZE).order(ByteOrder.nativeOrder());
        for (LinkedProgram.Function f : link.functions()) {
            out.putInt(f.slot()).putInt(f.btfTypeId());
        }
        return out.array();
    }

    /** Line info for the kernel: the object's string offsets stay valid, as the loaded BTF keeps its string table. */
    private static byte[] lineInfo(LinkedProgram link) {
        ByteBuffer out = ByteBuffer.allocate(link.lines().size() * LINE_INFO_SIZE).order(ByteOrder.nativeOrder());
        for (LinkedProgram.SourceLine l : link.lines()) {
            BtfExt.LineInfo info = l.info();
            out.putInt(l.slot()).putInt(info.fileNameOffset()).putInt(info.lineOffset())
                    .putInt(info.lineNumber() << 10 | info.column());
        }
        return out.array();
    }
}
