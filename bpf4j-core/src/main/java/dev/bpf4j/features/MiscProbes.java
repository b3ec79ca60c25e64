package dev.bpf4j.features;

import dev.bpf4j.AttachType;
import dev.bpf4j.MapType;
import dev.bpf4j.ProgramType;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Register;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;

/** Features beyond types and helpers: kernel BTF, BPF links, bpf cookies, ring buffers, sleepable programs. */
final class MiscProbes {
    private MiscProbes() {
    }

    static Map<String, Probe> probeAll(ProbeLoader loader, ProbeTargets targets) {
        Map<String, Probe> out = new LinkedHashMap<>();
        out.put("kernel_btf", KernelBtf.find().isPresent() ? Probe.yes(KernelBtf.VMLINUX.toString())
                : Probe.no(Errno.ENOENT, KernelBtf.VMLINUX + " is missing (CONFIG_DEBUG_INFO_BTF off)"));
        out.put("bpf_link", link(loader));
        out.put("bpf_cookie", helper(loader, targets, ProgramType.KPROBE, Helper.GET_ATTACH_COOKIE));
        Probe ringMap = MapProbes.probe(MapType.RINGBUF);
        out.put("ring_buffer", ringMap.supported()
                ? helper(loader, targets, ProgramType.SOCKET_FILTER, Helper.RINGBUF_OUTPUT) : ringMap);
        out.put("sleepable_programs", ProgramProbes.probeType(loader, targets, ProgramType.SYSCALL));
        return out;
    }

    /**
     * A BPF link that attaches to nothing running: an iterator program over BPF maps, linked
     * with BPF_LINK_CREATE, then closed.
     */
    private static Probe link(ProbeLoader loader) {
        int iter = KernelBtf.id("bpf_iter_bpf_map", BtfKind.FUNC);
        if (iter == 0) {
            return Probe.no(0, "kernel BTF has no bpf_iter_bpf_map to make an iterator link with");
        }
        ProbeTarget target = new ProbeTarget(ProgramType.TRACING, AttachType.TRACE_ITER.value(), iter, 0, 0, 0, 0,
                "iter/bpf_map", "");
        int prog = loader.loadAndKeep(target, ProbeTargets.returnZero());
        if (prog < 0) {
            return Probe.no(-prog, "cannot load an iter/bpf_map program to link");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.LinkCreate.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.LinkCreate.PROG_FD, prog);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.LinkCreate.ATTACH_TYPE, AttachType.TRACE_ITER.value());
            int link = Bpf.tryCall(BpfCommand.BPF_LINK_CREATE, attr, BpfAttr.LinkCreate.SIZE);
            if (link < 0) {
                return Probe.no(-link, "BPF_LINK_CREATE of an iterator refused");
            }
            Sys.close(link);
            return Probe.yes("BPF_LINK_CREATE of an iter/bpf_map program");
        } finally {
            Sys.close(prog);
        }
    }

    private static Probe helper(ProbeLoader loader, ProbeTargets targets, ProgramType type, Helper helper) {
        ProbeTarget target = targets.forType(type);
        if (!target.usable()) {
            return Probe.no(0, target.problem());
        }
        var insns = new Assembler().call(helper).mov64(Register.R0, 0).exit().build();
        ProbeLoader.Outcome outcome = loader.load(target, insns, true);
        if (outcome.loaded() || !ProgramProbes.refusesHelper(outcome.log())) {
            return Probe.yes(type + " programs may call " + helper.kernelName());
        }
        return Probe.no(outcome.errno(), type + " programs may not call " + helper.kernelName());
    }
}
