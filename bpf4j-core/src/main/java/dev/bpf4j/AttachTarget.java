package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.KernelBtf;

import java.util.Optional;

/**
 * The BTF attach target of a program whose section names a kernel function or tracepoint
 * ({@code tp_btf/NAME}, {@code fentry/NAME}, {@code lsm/NAME}, {@code iter/NAME}...): the kernel
 * type the section name stands for, found in the running kernel's BTF as libbpf finds it.
 *
 * @param typeId the id in vmlinux BTF (attach_btf_id; attach_btf_obj_fd stays 0 for vmlinux)
 * @param kind   the kind looked for, {@code name} the name looked up
 */
record AttachTarget(int typeId, BtfKind kind, String name) {

    /** The kernel type name and kind for a section's target, or empty when the section takes none this way. */
    static Optional<AttachTarget> wanted(SectionMatch match) {
        if (!match.attachBtf()) {
            return Optional.empty();
        }
        String target = match.target();
        String prefix = match.rule().prefix();
        if (prefix.startsWith("tp_btf")) {
            return Optional.of(new AttachTarget(0, BtfKind.TYPEDEF, "btf_trace_" + target));
        }
        if (prefix.startsWith("lsm")) {
            return Optional.of(new AttachTarget(0, BtfKind.FUNC, "bpf_lsm_" + target));
        }
        if (prefix.startsWith("iter")) {
            return Optional.of(new AttachTarget(0, BtfKind.FUNC, "bpf_iter_" + target));
        }
        return Optional.of(new AttachTarget(0, BtfKind.FUNC, target));
    }

    /**
     * The attach target of a program in the running kernel's BTF.
     *
     * @throws BpfException when the section names no target, the section type needs another
     *                      program as target (freplace), or the kernel has no such type
     */
    static AttachTarget resolve(ObjectSpec.ProgramDef def, String file) {
        SectionMatch match = def.match().orElseThrow();
        String who = file + ": program '" + def.name() + "' (section '" + def.section() + "')";
        if (match.type() == ProgramType.EXT) {
            throw new BpfException(who + " replaces a function of another program (freplace): give that program"
                    + " as attach target; loading it from an object is not supported");
        }
        if (!match.hasTarget()) {
            throw new BpfException(who + " names no attach target: write it after the prefix, such as"
                    + " '" + def.section() + "/NAME'");
        }
        AttachTarget want = wanted(match).orElseThrow();
        Btf kernel = KernelBtf.find().orElseThrow(() -> new BpfException(who + " needs the kernel's BTF to find "
                + want.name() + ", and this kernel publishes none (/sys/kernel/btf/vmlinux)"));
        Optional<BtfType> found = kernel.typeByName(want.name(), want.kind());
        if (found.isEmpty()) {
            throw new BpfException(who + ": the kernel has no " + want.kind() + " '" + want.name()
                    + "' in its BTF to attach to");
        }
        return new AttachTarget(found.get().id(), want.kind(), want.name());
    }
}
