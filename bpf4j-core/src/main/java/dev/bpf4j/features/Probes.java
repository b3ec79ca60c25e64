package dev.bpf4j.features;

import dev.bpf4j.MapType;
import dev.bpf4j.ProgramType;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.btf.BtfKind;

import java.util.Map;
import java.util.Set;

/**
 * The probes' entry points, each opening its own paced loader and attach targets and closing
 * them (with every descriptor they made) before returning. {@link dev.bpf4j.Features} caches the
 * answers; call that instead.
 */
public final class Probes {
    /** Helpers never probed (their loads write warnings to the kernel log), as bpftool's default probe. */
    public static final Set<Helper> NOT_PROBED = ProgramProbes.NOT_PROBED;

    private Probes() {
    }

    public static Probe programType(ProgramType type) {
        try (ProbeLoader loader = new ProbeLoader(); ProbeTargets targets = new ProbeTargets(loader)) {
            return ProgramProbes.probeType(loader, targets, type);
        }
    }

    public static Set<Helper> helpers(ProgramType type) {
        try (ProbeLoader loader = new ProbeLoader(); ProbeTargets targets = new ProbeTargets(loader)) {
            return ProgramProbes.probeHelpers(loader, targets, type);
        }
    }

    public static Probe mapType(MapType type) {
        return MapProbes.probe(type);
    }

    public static Probe btfKind(BtfKind kind) {
        return BtfKindProbes.probe(kind);
    }

    /** Whether the kernel accepts a FUNC with global linkage (5.6), which the loader's sanitizer asks. */
    public static Probe btfGlobalFunction() {
        return BtfKindProbes.globalFunction();
    }

    public static SystemInfo system() {
        return SystemInfo.read();
    }

    public static Map<String, Probe> misc() {
        try (ProbeLoader loader = new ProbeLoader(); ProbeTargets targets = new ProbeTargets(loader)) {
            return java.util.Collections.unmodifiableMap(MiscProbes.probeAll(loader, targets));
        }
    }
}
