package dev.bpf4j;

import dev.bpf4j.LoadPlan.DataPlan;
import dev.bpf4j.LoadPlan.MapPlan;
import dev.bpf4j.LoadPlan.ProgramPlan;
import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.VariableDef;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Fd;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The kernel half of {@link BpfObject#load}: makes the bpf() calls a {@link LoadPlan} lists (BTF,
 * maps, data, programs, initialisers: libbpf's order, but map-in-map slots are written last) and puts
 * the fds they return where the plan's maps and programs refer to each other.
 */
final class ObjectLoader {
    private final LoadPlan plan;
    private final ObjectSpec spec;
    private final String file;
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Map<String, LinkedProgram> linked = new LinkedHashMap<>();
    private final List<Path> pins = new ArrayList<>();
    private final List<String> reused = new ArrayList<>();
    private Fd btfFd;
    private long scratchSpilled;

    ObjectLoader(LoadPlan plan) {
        this.plan = plan;
        this.spec = plan.spec();
        this.file = spec.fileName();
    }

    BpfObject load() {
        LoadScratch scratch = LoadScratch.open(scratchBytes());
        try (scratch) {
            if (plan.btf != null) {
                String what = "the BTF of " + file;
                btfFd = new Fd(BtfLoad.load(scratch, plan.btf, what), what);
            }
            for (MapPlan m : plan.maps) {
                maps.put(m.name(), createOrReuse(scratch, m));
            }
            for (DataPlan d : plan.dataMaps) {
                createDataMap(scratch, d);
            }
            for (ProgramPlan p : plan.programs) {
                linked.put(p.def().name(), p.link());
                programs.put(p.def().name(), loadProgram(scratch, p));
            }
            for (MapPlan m : plan.maps) {
                if (!reused.contains(m.name()) && m.progArray()) {
                    fillSlots(scratch, m, name -> programs.containsKey(name) ? programs.get(name).fd() : -1, "program");
                }
            }
            // Map-in-map slots last (libbpf fills them right after creating the maps): the kernel waits
            // for an RCU grace period after such an update, milliseconds in which this CPU's caches and
            // branch predictors go cold, so only the little that follows the wait runs cold. Program
            // loads do not read the slots: the verifier checks against the inner map's template.
            for (MapPlan m : plan.maps) {
                if (!reused.contains(m.name()) && !m.progArray()) {
                    fillSlots(scratch, m, name -> maps.get(name).fd(), "map");
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
        } finally {
            scratchSpilled = scratch.spilled();
        }
    }

    /** What the load's requests took beyond the block {@link #scratchBytes} planned: 0 when it planned right. */
    long scratchSpilled() {
        return scratchSpilled;
    }

    /**
     * What the load's requests take (8-aligned): the BTF, map creations (with an inner map's template),
     * program images, and a key and a value per initialiser.
     */
    private long scratchBytes() {
        long bytes = plan.btf == null ? 0 : align8(plan.btf.length) + align8(BpfAttr.BtfLoad.SIZE);
        for (MapPlan m : plan.maps) {
            bytes += align8(BpfAttr.MapCreate.SIZE) * (m.spec().innerSpec() != null ? 2 : 1);
        }
        bytes += align8(BpfAttr.MapCreate.SIZE) * plan.dataMaps.size();
        for (ProgramPlan p : plan.programs) {
            bytes += align8(p.image().size());
        }
        for (MapPlan m : plan.maps) {
            int n = m.slots().size();
            if (n > 0) { // a batch of slots (keys, values), and one slot
                bytes += align8((long) m.spec().keySize() * n) + align8(4L * n) + align8(m.spec().keySize()) + 8;
            }
        }
        for (DataPlan d : plan.dataMaps) {
            bytes += 8 + align8(d.contents().length);
        }
        return bytes;
    }

    private static long align8(long n) {
        return (n + 7) & -8L;
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

    // ---- maps ----

    private BpfMap createOrReuse(SegmentAllocator memory, MapPlan plan) {
        MapSpec mapSpec = plan.spec();
        if (plan.pin() == null) {
            return create(memory, mapSpec, plan.name());
        }
        Path path = plan.pin();
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
                throw new BpfException(file + ": map '" + plan.name() + "' cannot reuse the map pinned at " + path
                        + ": " + mismatch);
            }
            reused.add(plan.name());
            return existing;
        }
        BpfMap created = create(memory, mapSpec, plan.name());
        try {
            Files.createDirectories(path.getParent());
            created.pin(path);
        } catch (IOException | RuntimeException e) {
            created.close();
            throw new BpfException(file + ": cannot pin map '" + plan.name() + "' at " + path + ": " + e.getMessage(), e);
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

    /**
     * Creates a map, its BTF type ids (planned without an fd) referring to the object's BTF; a
     * refusal with BTF is retried without, as libbpf does for older kernels.
     */
    private BpfMap create(SegmentAllocator memory, MapSpec mapSpec, String name) {
        int objectBtf = btfFd != null ? btfFd.get() : 0;
        try {
            return BpfMap.create(memory, mapSpec, objectBtf);
        } catch (BpfSyscallException e) {
            if (objectBtf == 0 || mapSpec.btfKeyTypeId() == 0 && mapSpec.btfValueTypeId() == 0) {
                throw new BpfException(file + ": map '" + name + "': " + e.getMessage(), e);
            }
            try {
                return BpfMap.create(memory, mapSpec.toBuilder().btf(0, 0, 0).build(), objectBtf);
            } catch (BpfSyscallException again) {
                throw new BpfException(file + ": map '" + name + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * Writes {@code values = {...}} initialisers: map fds for map-in-map, program fds for prog arrays.
     * A map-in-map's slots go in one batch where the kernel takes it (see {@link #fillAtOnce}); slot by
     * slot otherwise, which also names the slot the kernel refuses.
     */
    private void fillSlots(SegmentAllocator memory, MapPlan plan, ToIntFunction<String> fdOf, String what) {
        if (plan.slots().isEmpty()) {
            return;
        }
        BpfMap m = maps.get(plan.name());
        if (!plan.progArray() && plan.slots().size() > 1 && fillAtOnce(memory, m, plan, fdOf)) {
            return;
        }
        MemorySegment key = memory.allocate(m.keySize(), 8);
        MemorySegment value = memory.allocate(4, 8);
        for (Map.Entry<Integer, String> slot : plan.slots().entrySet()) {
            int fd = fdOf.applyAsInt(slot.getValue());
            if (fd < 0) {
                continue; // a program switched off: its slot stays empty
            }
            key.set(ValueLayout.JAVA_INT_UNALIGNED, 0, slot.getKey());
            value.set(ValueLayout.JAVA_INT, 0, fd);
            try {
                m.update(key, value);
            } catch (BpfSyscallException e) {
                throw new BpfException(file + ": map '" + plan.name() + "' slot " + slot.getKey() + " = " + what
                        + " '" + slot.getValue() + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * Writes a map-in-map's slots with one BPF_MAP_UPDATE_BATCH. The kernel waits for an RCU grace
     * period (milliseconds) after every update of a map-of-maps, and after a batch only once; libbpf
     * writes slot by slot. False when the kernel refuses the batch (an older kernel without batch
     * operations, or a slot it will not take): the caller then writes every slot on its own.
     */
    private boolean fillAtOnce(SegmentAllocator memory, BpfMap m, MapPlan plan, ToIntFunction<String> fdOf) {
        int n = plan.slots().size();
        int keySize = m.keySize();
        MemorySegment keys = memory.allocate((long) keySize * n, 8);
        MemorySegment values = memory.allocate(4L * n, 8);
        int i = 0;
        for (Map.Entry<Integer, String> slot : plan.slots().entrySet()) {
            keys.set(ValueLayout.JAVA_INT_UNALIGNED, (long) i * keySize, slot.getKey());
            values.setAtIndex(ValueLayout.JAVA_INT, i, fdOf.applyAsInt(slot.getValue()));
            i++;
        }
        try {
            return m.updateBatch(keys, values, n) == n;
        } catch (BpfSyscallException e) {
            return false;
        }
    }

    // ---- global data ----

    private void createDataMap(SegmentAllocator memory, DataPlan d) {
        BpfMap m = create(memory, d.spec(), d.name());
        maps.put(d.name(), m); // closed with the rest if filling fails
        byte[] contents = d.contents();
        MemorySegment key = memory.allocate(4, 8);
        MemorySegment value = memory.allocate(contents.length, 8);
        MemorySegment.copy(contents, 0, value, ValueLayout.JAVA_BYTE, 0, contents.length);
        m.update(key, value);
        if (d.freeze()) {
            m.freeze();
        }
    }

    // ---- programs ----

    private Program loadProgram(SegmentAllocator memory, ProgramPlan p) {
        ProgramDef def = p.def();
        SectionMatch match = p.match();
        AttachTarget target = p.target();
        LinkedProgram link = p.link();
        try {
            String[] names = p.mapNames();
            int[] fds = new int[names.length];
            for (int k = 0; k < names.length; k++) {
                fds[k] = maps.get(names[k]).fd();
            }
            return Program.load(memory, p.image(), btfFd != null ? btfFd.get() : 0, p.mapSlots(), fds);
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
}
