package dev.bpf4j.features;

import dev.bpf4j.ProgramSpec;
import dev.bpf4j.ProgramType;
import dev.bpf4j.SectionTable;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.asm.Register;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Sys;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses, for each program type, how its probe program is loaded: the expected attach type and
 * flags of the type's first section rule ({@link SectionTable}, the one source for these), and a
 * real attach target where the kernel insists on one: a kernel tracepoint's BTF id for tp_btf, an
 * LSM hook for LSM, {@code tcp_congestion_ops} for STRUCT_OPS, a loaded program with BTF for EXT.
 * Owns the descriptors it creates for that (BTF objects, the EXT target) and closes them.
 */
final class ProbeTargets implements AutoCloseable {
    /** Tracepoints tried, in order, as the tp_btf target. */
    private static final List<String> RAW_TRACEPOINTS = List.of("sched_switch", "sys_enter", "task_newtask");
    private static final String LSM_HOOK = "bpf_lsm_file_open";
    private static final String STRUCT_OPS = "tcp_congestion_ops";
    private static final String STRUCT_OPS_MEMBER = "ssthresh";

    private final ProbeLoader loader;
    private final Map<ProgramType, ProbeTarget> targets = new EnumMap<>(ProgramType.class);
    private final List<Integer> ownedFds = new ArrayList<>();

    ProbeTargets(ProbeLoader loader) {
        this.loader = loader;
    }

    ProbeTarget forType(ProgramType type) {
        return targets.computeIfAbsent(type, this::choose);
    }

    private ProbeTarget choose(ProgramType type) {
        SectionTable.Rule rule = SectionTable.rules().stream().filter(r -> r.type() == type && !r.legacy())
                .findFirst().orElse(null);
        int attach = rule == null ? -1 : rule.expectedAttachType();
        int flags = rule != null && rule.flags().contains(SectionTable.Flag.SLEEPABLE) ? ProgramSpec.F_SLEEPABLE : 0;
        String section = rule == null ? "no section rule" : "as SEC(\"" + rule.pattern() + "\")";
        return switch (type) {
            case TRACING -> rawTracepoint(attach, section);
            case LSM -> btfTarget(type, attach, LSM_HOOK, BtfKind.FUNC, section);
            case STRUCT_OPS -> structOps();
            case EXT -> extension();
            default -> ProbeTarget.plain(type, attach, flags, section);
        };
    }

    private ProbeTarget rawTracepoint(int attach, String section) {
        for (String tp : RAW_TRACEPOINTS) {
            int id = KernelBtf.id("btf_trace_" + tp, BtfKind.TYPEDEF);
            if (id > 0) {
                return new ProbeTarget(ProgramType.TRACING, attach, id, 0, 0, 0, 0,
                        section + " on tracepoint " + tp + " (BTF id " + id + ")", "");
            }
        }
        return ProbeTarget.missing(ProgramType.TRACING, "no kernel BTF with a btf_trace_* typedef for tp_btf");
    }

    private ProbeTarget btfTarget(ProgramType type, int attach, String name, BtfKind kind, String section) {
        int id = KernelBtf.id(name, kind);
        if (id == 0) {
            return ProbeTarget.missing(type, "kernel BTF has no " + kind + " " + name + " to attach to");
        }
        return new ProbeTarget(type, attach, id, 0, 0, 0, 0, section + " on " + name + " (BTF id " + id + ")", "");
    }

    /** struct_ops programs implement one member of a kernel struct: the expected attach type is its index. */
    private ProbeTarget structOps() {
        int id = KernelBtf.id(STRUCT_OPS, BtfKind.STRUCT);
        if (id == 0) {
            return ProbeTarget.missing(ProgramType.STRUCT_OPS, "kernel BTF has no struct " + STRUCT_OPS);
        }
        BtfType.Struct ops = (BtfType.Struct) KernelBtf.vmlinux().type(id);
        int member = 0;
        while (member < ops.members().size() && !ops.members().get(member).name().equals(STRUCT_OPS_MEMBER)) {
            member++;
        }
        if (member == ops.members().size()) {
            return ProbeTarget.missing(ProgramType.STRUCT_OPS, "struct " + STRUCT_OPS + " has no " + STRUCT_OPS_MEMBER);
        }
        return new ProbeTarget(ProgramType.STRUCT_OPS, member, id, 0, 0, 0, 0,
                STRUCT_OPS + "." + STRUCT_OPS_MEMBER + " (BTF id " + id + ", member " + member + ")", "");
    }

    /**
     * An extension replaces a function of another loaded program, matched by BTF: load a BTF
     * with {@code int bpf4j_probe(void)}, a SOCKET_FILTER program described by it, then point the
     * EXT probe at that program's function.
     */
    private ProbeTarget extension() {
        BtfBlob blob = new BtfBlob();
        int func = blob.addFunc("bpf4j_probe");
        int btfFd = blob.tryLoad();
        if (btfFd < 0) {
            return ProbeTarget.missing(ProgramType.EXT, "cannot load the target's BTF: " + Errno.name(-btfFd));
        }
        ownedFds.add(btfFd);
        ProbeTarget host = new ProbeTarget(ProgramType.SOCKET_FILTER, -1, 0, 0, 0, btfFd, func, "", "");
        int progFd = loader.loadAndKeep(host, returnZero());
        if (progFd < 0) {
            return ProbeTarget.missing(ProgramType.EXT,
                    "cannot load a SOCKET_FILTER program to extend: " + Errno.name(-progFd));
        }
        ownedFds.add(progFd);
        return new ProbeTarget(ProgramType.EXT, -1, func, progFd, 0, btfFd, func,
                "replacing bpf4j_probe() of a SOCKET_FILTER program", "");
    }

    static Instructions returnZero() {
        return new Assembler().mov64(Register.R0, 0).exit().build();
    }

    @Override
    public void close() {
        ownedFds.forEach(Sys::close);
        ownedFds.clear();
        targets.clear();
    }
}
