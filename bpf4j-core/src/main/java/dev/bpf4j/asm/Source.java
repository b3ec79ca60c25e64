package dev.bpf4j.asm;

/** Operand source of ALU and jump instructions: bit 3 of the opcode. */
public enum Source {
    /** The 32-bit immediate. */
    K(0x00),
    /** The src register. */
    X(0x08);

    private final int bits;

    Source(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    public static Source of(int opcode) {
        return (opcode & 0x08) == 0 ? K : X;
    }
}
