package dev.bpf4j.asm;

/** The eleven BPF registers: R0 return value, R1-R5 arguments, R6-R9 callee-saved, R10 frame pointer. */
public enum Register {
    R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10;

    /** The register's number in an instruction's dst or src field. */
    public int number() {
        return ordinal();
    }

    /** The register with this number; throws for numbers outside 0..10. */
    public static Register of(int number) {
        if (number < 0 || number > 10) {
            throw new IllegalArgumentException("no BPF register r" + number + " (r0..r10 exist)");
        }
        return values()[number];
    }
}
