package dev.bpf4j.features;

import dev.bpf4j.ProgramType;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Register;
import dev.bpf4j.internal.sys.Errno;

import java.util.EnumSet;
import java.util.Set;

/**
 * Program-type and helper probes. A type is available when a two-instruction program of it
 * ({@code r0 = 0; exit}) loads, with the attach target {@link ProbeTargets} chose. A helper is
 * available to a type unless the verifier says it does not know it ({@code invalid func
 * unknown#N}) or that this type may not call it ({@code program of this type cannot use helper},
 * {@code unknown func} on older kernels): any other verdict, a load included, means the verifier
 * got past the call, which is how bpftool decides too.
 */
final class ProgramProbes {
    /**
     * Helpers never probed: loading a program that calls them writes warnings to the kernel log
     * (bpftool skips them too unless asked for its "full" probe).
     */
    static final Set<Helper> NOT_PROBED = Set.of(Helper.TRACE_PRINTK, Helper.PROBE_WRITE_USER, Helper.TRACE_VPRINTK);

    private static final String[] UNAVAILABLE = {
        "invalid func unknown#", "program of this type cannot use helper", "unknown func "};

    private ProgramProbes() {
    }

    static Probe probeType(ProbeLoader loader, ProbeTargets targets, ProgramType type) {
        if (type == ProgramType.UNSPEC) {
            return Probe.no(0, "not a program type");
        }
        ProbeTarget target = targets.forType(type);
        if (!target.usable()) {
            return Probe.no(0, target.problem());
        }
        ProbeLoader.Outcome first = loader.load(target, ProbeTargets.returnZero(), false);
        if (first.loaded()) {
            return Probe.yes(target.description());
        }
        if (first.errno() == Errno.EPERM) {
            return Probe.no(Errno.EPERM, "the kernel refuses to load this type here (loaded "
                    + target.description() + "); a security policy or missing capability, not the program");
        }
        ProbeLoader.Outcome logged = loader.load(target, ProbeTargets.returnZero(), true);
        String why = lastLine(logged.log());
        if (why.isEmpty()) {
            why = first.errno() == Errno.EINVAL ? "the kernel does not know this program type or its attributes"
                    : Errno.description(first.errno());
        }
        return Probe.no(first.errno(), why + " (loaded " + target.description() + ")");
    }

    /** The helpers {@code type} may call; empty when the type itself does not load. */
    static Set<Helper> probeHelpers(ProbeLoader loader, ProbeTargets targets, ProgramType type) {
        EnumSet<Helper> available = EnumSet.noneOf(Helper.class);
        ProbeTarget target = targets.forType(type);
        if (!target.usable() || !loader.load(target, ProbeTargets.returnZero(), false).loaded()) {
            return available; // without the type, a refusal would say nothing about the helper
        }
        for (Helper helper : Helper.values()) {
            if (NOT_PROBED.contains(helper)) {
                continue;
            }
            var insns = new Assembler().call(helper).mov64(Register.R0, 0).exit().build();
            ProbeLoader.Outcome outcome = loader.load(target, insns, true);
            if (outcome.loaded() || !refusesHelper(outcome.log())) {
                available.add(helper);
            }
        }
        return available;
    }

    /** True when the verifier log says the helper is unknown or forbidden for the type. */
    static boolean refusesHelper(String log) {
        for (String marker : UNAVAILABLE) {
            if (log.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.isEmpty() && !line.startsWith("processed ")) {
                return line;
            }
        }
        return "";
    }
}
