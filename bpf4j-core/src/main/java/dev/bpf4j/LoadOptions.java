package dev.bpf4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link BpfObject#load(ObjectSpec, LoadOptions)} may change before it loads: map sizes and
 * flags, the directory for maps pinned by name, which programs load, initial values of global
 * variables, and the verifier log level. Immutable; build with {@link #builder()}.
 */
public final class LoadOptions {
    /** Where maps with {@code pinning = LIBBPF_PIN_BY_NAME} are pinned, as libbpf does by default. */
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf");

    private static final LoadOptions DEFAULTS = builder().build();

    private final Map<String, Integer> maxEntries;
    private final Map<String, Integer> mapFlags;
    private final Path pinRoot;
    private final Set<String> disabled;
    private final Set<String> only;
    private final Map<String, byte[]> variables;
    private final int logLevel;
    private final Path targetBtf;

    private LoadOptions(Builder b) {
        this.maxEntries = Map.copyOf(b.maxEntries);
        this.mapFlags = Map.copyOf(b.mapFlags);
        this.pinRoot = b.pinRoot;
        this.disabled = Set.copyOf(b.disabled);
        this.only = b.only == null ? null : Set.copyOf(b.only);
        Map<String, byte[]> vars = new HashMap<>();
        b.variables.forEach((k, v) -> vars.put(k, v.clone()));
        this.variables = Map.copyOf(vars);
        this.logLevel = b.logLevel;
        this.targetBtf = b.targetBtf;
    }

    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The max_entries override for a map, if any. */
    public Optional<Integer> maxEntries(String map) {
        return Optional.ofNullable(maxEntries.get(map));
    }

    /** The map_flags override for a map, if any. */
    public Optional<Integer> mapFlags(String map) {
        return Optional.ofNullable(mapFlags.get(map));
    }

    public Path pinRoot() {
        return pinRoot;
    }

    /** True when the program is to be loaded (libbpf's autoload). */
    public boolean autoload(String program) {
        return !disabled.contains(program) && (only == null || only.contains(program));
    }

    /** The initial value given for a global variable, if any. */
    public Optional<byte[]> variable(String name) {
        return Optional.ofNullable(variables.get(name)).map(byte[]::clone);
    }

    /** Names of every variable given a value. */
    public Set<String> variableNames() {
        return variables.keySet();
    }

    /** Names of maps with overrides, to check they exist. */
    Set<String> overriddenMaps() {
        Set<String> s = new HashSet<>(maxEntries.keySet());
        s.addAll(mapFlags.keySet());
        return s;
    }

    /** Names of programs mentioned by {@link Builder#autoload} or {@link Builder#only}, to check they exist. */
    Set<String> mentionedPrograms() {
        Set<String> s = new HashSet<>(disabled);
        if (only != null) {
            s.addAll(only);
        }
        return s;
    }

    public int logLevel() {
        return logLevel;
    }

    /** The BTF file CO-RE relocations resolve against, if one was given instead of the running kernel's. */
    public Optional<Path> targetBtf() {
        return Optional.ofNullable(targetBtf);
    }

    public static final class Builder {
        private final Map<String, Integer> maxEntries = new HashMap<>();
        private final Map<String, Integer> mapFlags = new HashMap<>();
        private Path pinRoot = DEFAULT_PIN_ROOT;
        private final Set<String> disabled = new HashSet<>();
        private Set<String> only;
        private final Map<String, byte[]> variables = new HashMap<>();
        private int logLevel;
        private Path targetBtf;

        private Builder() {
        }

        /** Creates the map with this many entries instead of the object's. */
        public Builder maxEntries(String map, int entries) {
            maxEntries.put(map, entries);
            return this;
        }

        /** Creates the map with these {@link MapFlags} instead of the object's. */
        public Builder mapFlags(String map, int flags) {
            mapFlags.put(map, flags);
            return this;
        }

        /** The directory (on bpffs) for maps pinned by name. */
        public Builder pinRoot(Path dir) {
            pinRoot = dir;
            return this;
        }

        /** Switches a program off (false) or on again (true). */
        public Builder autoload(String program, boolean load) {
            if (load) {
                disabled.remove(program);
            } else {
                disabled.add(program);
            }
            return this;
        }

        /** Loads only these programs (others are switched off). */
        public Builder only(String... programs) {
            only = new HashSet<>(Set.of(programs));
            return this;
        }

        /** The initial bytes of a global variable (exactly its size); {@code .rodata} ones included. */
        public Builder variable(String name, byte[] value) {
            variables.put(name, value.clone());
            return this;
        }

        /** A 4-byte variable's initial value, in native byte order. */
        public Builder variable(String name, int value) {
            return variable(name, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }

        /** An 8-byte variable's initial value, in native byte order. */
        public Builder variable(String name, long value) {
            return variable(name, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(value).array());
        }

        /** Verifier log level for every program (the log is then kept on each {@link Program}). */
        public Builder logLevel(int level) {
            logLevel = level;
            return this;
        }

        /**
         * Resolves CO-RE relocations against this raw BTF file instead of the running kernel's
         * BTF: for kernels that publish none, and for tests. Externs and attach targets still
         * resolve against the running kernel.
         */
        public Builder targetBtf(Path file) {
            targetBtf = file;
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(this);
        }
    }
}
