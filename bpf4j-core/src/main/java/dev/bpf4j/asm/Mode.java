package dev.bpf4j.asm;

/** Addressing mode of load and store classes: the top three bits of the opcode. */
public enum Mode {
    /** 64-bit immediate (with {@link Size#DW}). */
    IMM(0x00),
    /** Legacy packet access at a constant offset. */
    ABS(0x20),
    /** Legacy packet access at a register plus constant offset. */
    IND(0x40),
    /** Plain memory access. */
    MEM(0x60),
    /** Sign-extending memory load. */
    MEMSX(0x80),
    /** Atomic operation; the immediate selects which ({@link AtomicOp}). */
    ATOMIC(0xc0);

    private final int bits;

    Mode(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** The mode of {@code opcode}, or null for the unassigned values 0xa0 and 0xe0. */
    public static Mode of(int opcode) {
        int bits = opcode & 0xe0;
        for (Mode m : values()) {
            if (m.bits == bits) {
                return m;
            }
        }
        return null;
    }
}
