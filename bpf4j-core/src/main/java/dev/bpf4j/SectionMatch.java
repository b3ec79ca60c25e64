package dev.bpf4j;

/**
 * A program section name matched against {@link SectionTable}: the rule that matched and the
 * attach target written after its prefix ({@code "syscalls/sys_enter_getpid"} for
 * {@code "tp/syscalls/sys_enter_getpid"}, {@code "ingress"} for legacy
 * {@code "classifier/ingress"}; empty when the name has none).
 */
public record SectionMatch(String sectionName, SectionTable.Rule rule, String target) {

    public ProgramType type() {
        return rule.type();
    }

    /** The expected attach type, or null when the program type takes none (or this enum lacks it). */
    public AttachType attachType() {
        return rule.attachType();
    }

    /** The kernel's number for the expected attach type, -1 when none. */
    public int attachTypeValue() {
        return rule.expectedAttachType();
    }

    public boolean sleepable() {
        return rule.flags().contains(SectionTable.Flag.SLEEPABLE);
    }

    public boolean xdpFrags() {
        return rule.flags().contains(SectionTable.Flag.XDP_FRAGS);
    }

    /** True when loading needs a BTF attach target (fentry, lsm, tp_btf, iter, freplace...). */
    public boolean attachBtf() {
        return rule.flags().contains(SectionTable.Flag.ATTACH_BTF);
    }

    public boolean hasTarget() {
        return !target.isEmpty();
    }

    /** True when only an older, looser naming rule matched. */
    public boolean legacy() {
        return rule.legacy();
    }
}
