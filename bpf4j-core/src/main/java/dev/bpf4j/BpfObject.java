package dev.bpf4j;

import dev.bpf4j.internal.sys.Fd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * An ELF object loaded into the kernel: its maps (BTF-defined, legacy, and one per global data
 * section), its BTF, and the programs that were switched on, each linked with the subprograms it
 * calls. Closing releases every descriptor; pins stay (remove them with {@link #unpin()}).
 *
 * <pre>{@code
 * try (BpfObject obj = BpfObject.load(Path.of("prog.o"))) {
 *     obj.variable("threshold").setInt(10);
 *     int ret = obj.program("my_filter").testRun(TestRun.withData(packet)).returnValue();
 * }
 * }</pre>
 */
public final class BpfObject implements AutoCloseable {
    private final ObjectSpec spec;
    private final Map<String, BpfMap> maps;
    private final Map<String, Program> programs;
    private final Map<String, LinkedProgram> linked;
    private final Map<String, GlobalVariable> variables;
    private final Fd btf;
    private final List<Path> pins;
    /** Directories {@link #pin} created, deepest first: {@link #unpin} removes them again once empty. */
    private final List<Path> pinDirs = new ArrayList<>();

    /** Takes over the loader's maps and list (not copied: the loader makes new ones for each load). */
    BpfObject(ObjectSpec spec, Map<String, BpfMap> maps, Map<String, Program> programs,
              Map<String, LinkedProgram> linked, Map<String, GlobalVariable> variables, Fd btf, List<Path> pins) {
        this.spec = spec;
        this.maps = Collections.unmodifiableMap(maps);
        this.programs = Collections.unmodifiableMap(programs);
        this.linked = Collections.unmodifiableMap(linked);
        this.variables = Collections.unmodifiableMap(variables);
        this.btf = btf;
        this.pins = pins;
    }

    /** Reads and loads an object with the default options. */
    public static BpfObject load(Path path) {
        return load(ObjectSpec.read(path), LoadOptions.defaults());
    }

    /**
     * Loads an object: BTF, maps (created, or reused from a pin), programs; initial contents filled.
     * A failure closes everything created so far and removes the pins it made.
     *
     * @throws VerifierException when a program is rejected; its log is annotated with C source lines
     * @throws BpfException      for everything else, naming the object and the map or program
     */
    public static BpfObject load(ObjectSpec spec, LoadOptions options) {
        return load(prepare(spec, options));
    }

    /**
     * Works out everything a load will hand the kernel and creates nothing: checks the options,
     * makes the BTF loadable, lays out the maps and their contents, links every program switched
     * on. Reads the kernel's BTF (CO-RE, attach targets, ksyms) and its configuration as a load
     * does. A dry run: it reports each error a load would report before reaching the kernel.
     *
     * @throws BpfException as {@link #load(ObjectSpec, LoadOptions)}, for errors that need no bpf() call
     */
    public static LoadPlan prepare(ObjectSpec spec, LoadOptions options) {
        return ObjectPlanner.prepare(spec, options);
    }

    /**
     * Loads a prepared object: makes the bpf() calls the plan lists. A plan may be loaded more than
     * once; each load makes its own maps and programs (pinned maps are reused as usual).
     *
     * @throws VerifierException when a program is rejected; its log is annotated with C source lines
     * @throws BpfException      for everything else, naming the object and the map or program
     */
    public static BpfObject load(LoadPlan plan) {
        return new ObjectLoader(plan).load();
    }

    public ObjectSpec spec() {
        return spec;
    }

    /** The loaded programs by name, in object order (switched-off programs are absent). */
    public Map<String, Program> programs() {
        return programs;
    }

    public Program program(String name) {
        Program p = programs.get(name);
        if (p == null) {
            throw new BpfException(spec.fileName() + ": no loaded program '" + name + "' (loaded: "
                    + programs.keySet() + ")");
        }
        return p;
    }

    /** The instructions a program was loaded with (fds aside): the program and its subprograms. */
    public LinkedProgram linked(String program) {
        program(program);
        return linked.get(program);
    }

    /** Maps by name; global data maps by their section name ({@code .data}, {@code .rodata}...). */
    public Map<String, BpfMap> maps() {
        return maps;
    }

    public BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) {
            throw new BpfException(spec.fileName() + ": no map '" + name + "' (maps: " + maps.keySet() + ")");
        }
        return m;
    }

    /** Every global variable, by name. */
    public Map<String, GlobalVariable> variables() {
        return variables;
    }

    public GlobalVariable variable(String name) {
        GlobalVariable v = variables.get(name);
        if (v == null) {
            throw new BpfException(spec.fileName() + ": no global variable '" + name + "' (variables: "
                    + variables.keySet() + ")");
        }
        return v;
    }

    /** The fd of the object's BTF in the kernel, or -1 when the object has none. */
    public int btfFd() {
        return btf == null ? -1 : btf.get();
    }

    /** Pins this object made (maps pinned by name that it created, and those of {@link #pin}). */
    public synchronized List<Path> pins() {
        return List.copyOf(pins);
    }

    /**
     * Pins every loaded program and every map under {@code dir} (on bpffs) by name; data maps by
     * their kernel name. bpffs refuses dots in names: they become '_' (as libbpf does), so
     * {@code prog.data} is pinned as {@code prog_data}. Maps already pinned there are skipped.
     * Returns the paths pinned.
     */
    public synchronized List<Path> pin(Path dir) {
        List<Path> made = new ArrayList<>();
        List<Path> madeDirs = new ArrayList<>();
        try {
            Bpffs.requireOnBpffs(dir.resolve("x")); // before creating anything
            for (Path d = dir.toAbsolutePath(); !Files.isDirectory(d); d = d.getParent()) {
                madeDirs.add(d);
            }
            Files.createDirectories(dir);
            for (Map.Entry<String, Program> p : programs.entrySet()) {
                Path path = dir.resolve(programPinName(p.getKey()));
                p.getValue().pin(path);
                made.add(path);
            }
            for (Map.Entry<String, BpfMap> m : maps.entrySet()) {
                Path path = dir.resolve(pinName(m.getKey(), m.getValue()));
                if (pins.contains(path.toAbsolutePath())) {
                    continue;
                }
                m.getValue().pin(path);
                made.add(path);
            }
        } catch (IOException | RuntimeException e) {
            made.forEach(BpfObject::removePin);
            madeDirs.forEach(BpfObject::removePin); // deepest first; each is empty again
            throw e instanceof BpfException b ? b
                    : new BpfException("cannot pin " + spec.fileName() + " under " + dir + ": " + e.getMessage(), e);
        }
        made.forEach(p -> pins.add(p.toAbsolutePath()));
        pinDirs.addAll(madeDirs);
        return made;
    }

    /** The file name {@link #pin} gives a program: its name without dots (bpffs refuses them). */
    public static String programPinName(String name) {
        return name.replace('.', '_');
    }

    /** The file name {@link #pin} gives a map: its name, its kernel name for data maps; no dots. */
    public static String pinName(String name, BpfMap map) {
        return (name.startsWith(".") ? map.name() : name).replace('.', '_');
    }

    /** Removes every pin this object made, and the directories {@link #pin} made for them. */
    public synchronized void unpin() {
        pins.forEach(BpfObject::removePin);
        pins.clear();
        pinDirs.forEach(BpfObject::removePin); // only if empty: others may have pinned there too
        pinDirs.clear();
    }

    static void removePin(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // best effort: it was ours, and is gone or unreachable
        }
    }

    /** Closes programs, maps and BTF. */
    @Override
    public void close() {
        programs.values().forEach(Program::close);
        maps.values().forEach(BpfMap::close);
        if (btf != null) {
            btf.close();
        }
    }

    @Override
    public String toString() {
        return "BpfObject[" + spec.fileName() + ", programs " + programs.keySet() + ", maps " + maps.keySet() + "]";
    }
}
