package dev.bpf4j.asm;

/** ALU operations: the top four bits of an ALU or ALU64 opcode. */
public enum AluOp {
    ADD(0x00, "+="), SUB(0x10, "-="), MUL(0x20, "*="), DIV(0x30, "/="), OR(0x40, "|="), AND(0x50, "&="),
    LSH(0x60, "<<="), RSH(0x70, ">>="), NEG(0x80, "neg"), MOD(0x90, "%="), XOR(0xa0, "^="), MOV(0xb0, "="),
    ARSH(0xc0, "s>>="),
    /** Byte swap; the source bit picks little or big endian, the immediate the width. */
    END(0xd0, "endian");

    private final int bits;
    private final String symbol;

    AluOp(int bits, String symbol) {
        this.bits = bits;
        this.symbol = symbol;
    }

    public int bits() {
        return bits;
    }

    /** The operator as the kernel's disassembler writes it, such as {@code +=}. */
    public String symbol() {
        return symbol;
    }

    /** The operation of {@code opcode}, or null for the unassigned values 0xe0 and 0xf0. */
    public static AluOp of(int opcode) {
        int index = (opcode & 0xf0) >> 4;
        return index < values().length ? values()[index] : null;
    }
}
