package dev.bpf4j.asm;

/** Jump operations: the top four bits of a JMP or JMP32 opcode. */
public enum JumpOp {
    JA(0x00, "jmp"), JEQ(0x10, "=="), JGT(0x20, ">"), JGE(0x30, ">="), JSET(0x40, "&"), JNE(0x50, "!="),
    JSGT(0x60, "s>"), JSGE(0x70, "s>="), CALL(0x80, "call"), EXIT(0x90, "exit"), JLT(0xa0, "<"),
    JLE(0xb0, "<="), JSLT(0xc0, "s<"), JSLE(0xd0, "s<="),
    /** Conditional pseudo-jump; with src 0 it is {@code may_goto}. */
    JCOND(0xe0, "cond");

    private final int bits;
    private final String symbol;

    JumpOp(int bits, String symbol) {
        this.bits = bits;
        this.symbol = symbol;
    }

    public int bits() {
        return bits;
    }

    /** The comparison as the kernel's disassembler writes it, such as {@code s>=}. */
    public String symbol() {
        return symbol;
    }

    /** True for the two-operand conditional jumps (not JA, CALL, EXIT, JCOND). */
    public boolean isConditional() {
        return this != JA && this != CALL && this != EXIT && this != JCOND;
    }

    /** The operation of {@code opcode}, or null for the unassigned value 0xf0. */
    public static JumpOp of(int opcode) {
        int index = (opcode & 0xf0) >> 4;
        return index < values().length ? values()[index] : null;
    }
}
