package dev.bpf4j;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Everything {@link BpfObject#load(LoadPlan)} will hand the kernel, worked out without creating
 * anything: the object's BTF made loadable, each map's spec and initial contents, each program
 * linked (maps still symbolic) with its func and line info and attach target. Made by
 * {@link BpfObject#prepare}, which reports every error the object and options have that does not
 * need the kernel to find: a dry run. Immutable; one plan may be loaded many times.
 */
public final class LoadPlan {
    private final ObjectSpec spec;
    private final LoadOptions options;
    final byte[] btf; // native-order BTF to load, or null when the object has none
    final List<MapPlan> maps;
    final List<DataPlan> dataMaps;
    final List<ProgramPlan> programs;

    LoadPlan(ObjectSpec spec, LoadOptions options, byte[] btf, List<MapPlan> maps, List<DataPlan> dataMaps,
             List<ProgramPlan> programs) {
        this.spec = spec;
        this.options = options;
        this.btf = btf;
        // the planner hands over lists it made for this plan and keeps no reference: wrapped, not copied
        this.maps = Collections.unmodifiableList(maps);
        this.dataMaps = Collections.unmodifiableList(dataMaps);
        this.programs = Collections.unmodifiableList(programs);
    }

    public ObjectSpec spec() {
        return spec;
    }

    public LoadOptions options() {
        return options;
    }

    /** The maps a load creates or reuses, by object name: definitions, then global data sections. */
    public List<String> mapNames() {
        return java.util.stream.Stream.concat(maps.stream().map(MapPlan::name), dataMaps.stream().map(DataPlan::name))
                .toList();
    }

    /** The programs a load loads (those switched on), in object order, each linked with its subprograms. */
    public Map<String, LinkedProgram> programs() {
        Map<String, LinkedProgram> out = new java.util.LinkedHashMap<>();
        programs.forEach(p -> out.put(p.def().name(), p.link()));
        return java.util.Collections.unmodifiableMap(out);
    }

    /**
     * A map definition to create; {@code spec}'s BTF fd (its inner spec's too) is filled in at load.
     *
     * @param pin   where to pin it (reuse what is pinned there), or null
     * @param slots {@code values = {...}} initialisers: key to the name of a map (or program, for a
     *              PROG_ARRAY) whose fd goes there
     */
    record MapPlan(String name, MapSpec spec, Path pin, Map<Integer, String> slots, boolean progArray) {
    }

    /** A global data (or .kconfig) map: one entry holding {@code contents}, frozen when read-only for programs. */
    record DataPlan(String name, MapSpec spec, byte[] contents, boolean freeze) {
    }

    /**
     * A program to load: its linked instructions and the BPF_PROG_LOAD request laid out for them
     * (func and line info included when the object has BTF for them), complete but for the BTF fd
     * and the map fds: the fd of map {@code mapNames[k]} goes into the instruction at slot
     * {@code mapSlots[k]}.
     */
    record ProgramPlan(ObjectSpec.ProgramDef def, SectionMatch match, AttachTarget target, LinkedProgram link,
                       ProgLoadImage image, int[] mapSlots, String[] mapNames) {
    }
}
