package dev.bpf4j.asm;

/** The instruction class: the low three bits of the opcode. */
public enum OpClass {
    LD(0x00), LDX(0x01), ST(0x02), STX(0x03), ALU(0x04), JMP(0x05), JMP32(0x06), ALU64(0x07);

    private final int bits;

    OpClass(int bits) {
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    public static OpClass of(int opcode) {
        return values()[opcode & 0x07];
    }
}
