package dev.bpf4j.asm;

/**
 * One BPF instruction. A 64-bit immediate load ({@code lddw}, opcode 0x18) is one instruction that
 * occupies two 8-byte slots; every other instruction occupies one.
 *
 * @param opcode    class, size/source, mode/operation bits (0..255)
 * @param dst       destination register number (0..15; 0..10 are valid registers)
 * @param src       source register number, or the pseudo source of calls and 64-bit loads
 * @param offset    signed 16-bit offset of memory accesses and jumps
 * @param imm       the immediate: 32-bit signed, or 64-bit for {@link #isWide() wide} instructions
 * @param reference a symbolic name still to be resolved (a map, a subprogram, a kfunc), or null
 */
public record Instruction(int opcode, int dst, int src, short offset, long imm, String reference) {
    /** Opcode of the two-slot 64-bit immediate load: LD | IMM | DW. */
    public static final int LD_IMM64 = 0x18;

    /** Pseudo sources of LD_IMM64: what the immediate refers to. */
    public static final int PSEUDO_MAP_FD = 1, PSEUDO_MAP_VALUE = 2, PSEUDO_BTF_ID = 3, PSEUDO_FUNC = 4,
            PSEUDO_MAP_IDX = 5, PSEUDO_MAP_IDX_VALUE = 6;
    /** Pseudo sources of CALL: a BPF subprogram (pc-relative) or a kernel function (BTF id). */
    public static final int PSEUDO_CALL = 1, PSEUDO_KFUNC_CALL = 2;

    public Instruction {
        if (opcode < 0 || opcode > 0xff) {
            throw new IllegalArgumentException("opcode " + opcode + " is not a byte");
        }
        if (dst < 0 || dst > 15 || src < 0 || src > 15) {
            throw new IllegalArgumentException("register fields must be 0..15, got dst " + dst + " src " + src);
        }
        if (opcode != LD_IMM64 && (imm < Integer.MIN_VALUE || imm > 0xffffffffL)) {
            throw new IllegalArgumentException(String.format(
                    "immediate 0x%x does not fit the 32 bits of opcode 0x%02x (only lddw takes 64)", imm, opcode));
        }
        if (opcode != LD_IMM64) {
            imm = (int) imm; // unsigned 32-bit spellings are normalised to the signed value
        }
    }

    /** An instruction without a symbolic reference. */
    public Instruction(int opcode, int dst, int src, int offset, long imm) {
        this(opcode, dst, src, checkedOffset(offset), imm, null);
    }

    private static short checkedOffset(int offset) {
        if (offset < Short.MIN_VALUE || offset > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset " + offset + " does not fit 16 bits");
        }
        return (short) offset;
    }

    public OpClass opClass() {
        return OpClass.of(opcode);
    }

    /** True for the 64-bit immediate load, which takes two slots. */
    public boolean isWide() {
        return opcode == LD_IMM64;
    }

    /** Number of 8-byte slots: 2 for a 64-bit immediate load, else 1. */
    public int slots() {
        return isWide() ? 2 : 1;
    }

    /** The immediate as the 32-bit field holds it (the low half for wide instructions). */
    public int imm32() {
        return (int) imm;
    }

    public Register dstRegister() {
        return Register.of(dst);
    }

    public Register srcRegister() {
        return Register.of(src);
    }

    /** True for JMP/JMP32 class instructions other than call and exit. */
    public boolean isJump() {
        OpClass c = opClass();
        if (c != OpClass.JMP && c != OpClass.JMP32) {
            return false;
        }
        JumpOp op = JumpOp.of(opcode);
        return op != JumpOp.CALL && op != JumpOp.EXIT;
    }

    /** True for a helper call (src 0), false for subprogram or kfunc calls. */
    public boolean isHelperCall() {
        return opcode == 0x85 && src == 0;
    }

    public boolean isSubprogramCall() {
        return opcode == 0x85 && src == PSEUDO_CALL;
    }

    public boolean isKfuncCall() {
        return opcode == 0x85 && src == PSEUDO_KFUNC_CALL;
    }

    public Instruction withImm(long newImm) {
        return new Instruction(opcode, dst, src, offset, newImm, reference);
    }

    public Instruction withOffset(int newOffset) {
        return new Instruction(opcode, dst, src, checkedOffset(newOffset), imm, reference);
    }

    public Instruction withSrc(int newSrc) {
        return new Instruction(opcode, dst, newSrc, offset, imm, reference);
    }

    /** This instruction marked as referring to {@code name} (null clears the mark). */
    public Instruction withReference(String name) {
        return new Instruction(opcode, dst, src, offset, imm, name);
    }

    @Override
    public String toString() {
        return Disassembler.standard().line(this);
    }
}
