package dev.bpf4j;

import dev.bpf4j.asm.Helper;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.features.Probe;
import dev.bpf4j.features.Probes;
import dev.bpf4j.features.SystemInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the running kernel supports, probed the way bpftool does (load a minimal program, create
 * a minimal map) and cached for the life of the JVM: each question reaches the kernel at most
 * once. Helper probes load one program per helper (about 200 per program type, paced), so ask
 * {@link #helpers} only for the types you need.
 */
public final class Features {
    private static final Features KERNEL = new Features();

    private final Map<ProgramType, Probe> programs = new EnumMap<>(ProgramType.class);
    private final Map<MapType, Probe> maps = new EnumMap<>(MapType.class);
    private final Map<ProgramType, Set<Helper>> helpers = new EnumMap<>(ProgramType.class);
    private final Map<BtfKind, Probe> btfKinds = new EnumMap<>(BtfKind.class);
    private final Map<ProgramType, Probe> attach = new EnumMap<>(ProgramType.class);
    private SystemInfo system;
    private Map<String, Probe> misc;

    private Features() {
    }

    /** The running kernel's answers (one shared, caching instance). */
    public static Features kernel() {
        return KERNEL;
    }

    /** Whether programs of this type load here. */
    public boolean supports(ProgramType type) {
        return probe(type).supported();
    }

    /** The program-type probe's full answer (errno and reason when refused). */
    public synchronized Probe probe(ProgramType type) {
        return programs.computeIfAbsent(type, Probes::programType);
    }

    /** Whether maps of this type can be created here. */
    public boolean supports(MapType type) {
        return probe(type).supported();
    }

    public synchronized Probe probe(MapType type) {
        return maps.computeIfAbsent(type, Probes::mapType);
    }

    /**
     * The helpers programs of this type may call here; empty when the type does not load. Not
     * probed (never included): {@link Probes#NOT_PROBED}, which write warnings to the kernel log.
     */
    public synchronized Set<Helper> helpers(ProgramType type) {
        Set<Helper> set = helpers.get(type);
        if (set == null) {
            set = supports(type) ? Collections.unmodifiableSet(EnumSet.copyOf(withNone(Probes.helpers(type))))
                    : Set.of();
            helpers.put(type, set);
        }
        return set;
    }

    private static Set<Helper> withNone(Set<Helper> set) {
        return set.isEmpty() ? EnumSet.noneOf(Helper.class) : set;
    }

    /** Whether the kernel accepts BTF of this kind. */
    public synchronized Probe probe(BtfKind kind) {
        return btfKinds.computeIfAbsent(kind, Probes::btfKind);
    }

    /** bpf() availability, sysctls and kernel config. */
    public synchronized SystemInfo system() {
        if (system == null) {
            system = Probes.system();
        }
        return system;
    }

    /** Other features by name: kernel_btf, bpf_link, bpf_cookie, ring_buffer, sleepable_programs. */
    public synchronized Map<String, Probe> misc() {
        if (misc == null) {
            misc = Probes.misc();
        }
        return misc;
    }

    /**
     * Why programs of this type do not load here, for error messages (the loader's refusal
     * explained): the errno, the verifier's last words, and the kernel option the type needs when
     * the kernel config shows it unset. Empty when the type loads.
     */
    public Optional<String> whyNot(ProgramType type) {
        Probe p = probe(type);
        if (p.supported()) {
            return Optional.empty();
        }
        StringBuilder why = new StringBuilder(type + " programs do not load on this kernel: " + p.describe());
        if (type != ProgramType.UNSPEC) {
            String option = ProgramTypeCatalog.entry(type).config();
            system().config().filter(c -> !option.isEmpty() && c.value(option).isEmpty())
                    .ifPresent(c -> why.append("; ").append(option).append(" is not set in ").append(c.source()));
        }
        return Optional.of(why.toString());
    }

    /**
     * Whether programs of this type can be attached on this kernel: the type loads and the
     * kernel offers its attach point here (tracefs probe files, perf events, a cgroup v2 mount, an
     * lirc device...). Says nothing about whether bpf4j implements that attach path
     * ({@link ProgramTypeCatalog.Entry#bpf4jAttaches()}).
     */
    public synchronized Probe attachable(ProgramType type) {
        Probe cached = attach.get(type);
        if (cached == null) {
            cached = checkAttachPoint(type);
            attach.put(type, cached);
        }
        return cached;
    }

    private Probe checkAttachPoint(ProgramType type) {
        Probe loads = probe(type);
        if (!loads.supported()) {
            return new Probe(false, loads.errno(), "the type does not load here");
        }
        Path tracing = Files.isDirectory(Path.of("/sys/kernel/tracing/events")) ? Path.of("/sys/kernel/tracing")
                : Path.of("/sys/kernel/debug/tracing");
        return switch (type) {
            case KPROBE -> {
                boolean kprobes = Files.exists(tracing.resolve("kprobe_events"))
                        || Files.exists(Path.of("/sys/bus/event_source/devices/kprobe"));
                boolean uprobes = Files.exists(tracing.resolve("uprobe_events"))
                        || Files.exists(Path.of("/sys/bus/event_source/devices/uprobe"));
                if (kprobes) {
                    yield new Probe(true, 0, uprobes ? "kprobes and uprobes" : "kprobes only (no uprobe_events)");
                }
                yield uprobes ? new Probe(true, 0, "uprobes only: no kprobe_events and no kprobe PMU "
                        + "(CONFIG_KPROBES off), so kernel functions cannot be probed")
                        : new Probe(false, 0, "neither kprobe_events nor uprobe_events in " + tracing);
            }
            case TRACEPOINT -> present(tracing.resolve("events"), "tracefs events");
            case PERF_EVENT -> present(Path.of("/proc/sys/kernel/perf_event_paranoid"), "perf events");
            case LIRC_MODE2 -> present(Path.of("/dev/lirc0"), "an lirc device");
            case CGROUP_SKB, CGROUP_SOCK, CGROUP_DEVICE, CGROUP_SOCK_ADDR, CGROUP_SYSCTL, CGROUP_SOCKOPT, SOCK_OPS ->
                    Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))
                            ? new Probe(true, 0, "cgroup v2 at /sys/fs/cgroup")
                            : present(Path.of("/sys/fs/cgroup/unified/cgroup.controllers"), "cgroup v2");
            default -> new Probe(true, 0, "the type loads and its attach point is built in");
        };
    }

    private static Probe present(Path path, String what) {
        return Files.exists(path) ? new Probe(true, 0, what + " at " + path)
                : new Probe(false, 0, "no " + what + " (" + path + " is missing)");
    }

    /** Every program type in probe order (UNSPEC excluded). */
    public static List<ProgramType> programTypes() {
        return java.util.Arrays.stream(ProgramType.values()).filter(t -> t != ProgramType.UNSPEC).toList();
    }

    /** Every map type in probe order (UNSPEC excluded). */
    public static List<MapType> mapTypes() {
        return java.util.Arrays.stream(MapType.values()).filter(t -> t != MapType.UNSPEC).toList();
    }
}
