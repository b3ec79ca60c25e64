package dev.bpf4j.asm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes BPF programs in Java: one method per instruction form, labels for jump targets and
 * subprograms, fixed up to slot offsets by {@link #build()}.
 *
 * <pre>{@code
 * Instructions prog = new Assembler()
 *         .mov64(R0, 0)
 *         .ldxw(R1, R2, 4)
 *         .jeq(R1, 5, "out")
 *         .mov64(R0, 1)
 *         .label("out")
 *         .exit()
 *         .build();
 * }</pre>
 *
 * Methods ending in 64 operate on whole registers (ALU64, JMP); those ending in 32 on their low
 * halves (ALU, JMP32), which zero the upper half of the destination.
 */
public final class Assembler {
    private enum Slot { OFFSET, IMM }

    private record Fixup(int index, String label, Slot field) {
    }

    private final List<Instruction> code = new ArrayList<>();
    private final Map<String, Integer> labels = new HashMap<>();
    private final List<Fixup> fixups = new ArrayList<>();

    /** Appends an instruction as is. */
    public Assembler raw(Instruction insn) {
        code.add(Objects.requireNonNull(insn, "insn"));
        return this;
    }

    /** Appends all of {@code instructions} (their jumps are relative, so they stay valid). */
    public Assembler append(Instructions instructions) {
        instructions.forEach(this::raw);
        return this;
    }

    /** Names the position of the next instruction. */
    public Assembler label(String name) {
        checkLabel(name);
        if (labels.putIfAbsent(name, code.size()) != null) {
            throw new IllegalArgumentException("label '" + name + "' is defined twice");
        }
        return this;
    }

    /** Number of instructions written so far. */
    public int size() {
        return code.size();
    }

    /** The program, with every label reference resolved to a slot offset. */
    public Instructions build() {
        Instructions draft = new Instructions(code);
        List<Instruction> out = new ArrayList<>(code);
        for (Fixup f : fixups) {
            Integer target = labels.get(f.label());
            if (target == null) {
                throw new IllegalStateException("label '" + f.label() + "' used by instruction " + f.index()
                        + " (" + code.get(f.index()) + ") is never defined");
            }
            int delta = draft.slotOf(target) - (draft.slotOf(f.index()) + 1);
            Instruction insn = out.get(f.index());
            if (f.field() == Slot.OFFSET) {
                if (delta < Short.MIN_VALUE || delta > Short.MAX_VALUE) {
                    throw new IllegalStateException("jump from instruction " + f.index() + " to label '" + f.label()
                            + "' spans " + delta + " slots, beyond a 16-bit offset (use gotol)");
                }
                out.set(f.index(), insn.withOffset(delta));
            } else {
                out.set(f.index(), insn.withImm(delta));
            }
        }
        return new Instructions(out);
    }

    // ---- ALU -------------------------------------------------------------------------------

    public Assembler alu64(AluOp op, Register dst, Register src) {
        return emit(OpClass.ALU64.bits() | op.bits() | Source.X.bits(), dst, src, 0, 0);
    }

    public Assembler alu64(AluOp op, Register dst, int imm) {
        return emit(OpClass.ALU64.bits() | op.bits() | Source.K.bits(), dst, Register.R0, 0, imm);
    }

    public Assembler alu32(AluOp op, Register dst, Register src) {
        return emit(OpClass.ALU.bits() | op.bits() | Source.X.bits(), dst, src, 0, 0);
    }

    public Assembler alu32(AluOp op, Register dst, int imm) {
        return emit(OpClass.ALU.bits() | op.bits() | Source.K.bits(), dst, Register.R0, 0, imm);
    }

    public Assembler mov64(Register dst, Register src) { return alu64(AluOp.MOV, dst, src); }
    public Assembler mov64(Register dst, int imm) { return alu64(AluOp.MOV, dst, imm); }
    public Assembler mov32(Register dst, Register src) { return alu32(AluOp.MOV, dst, src); }
    public Assembler mov32(Register dst, int imm) { return alu32(AluOp.MOV, dst, imm); }
    public Assembler add64(Register dst, Register src) { return alu64(AluOp.ADD, dst, src); }
    public Assembler add64(Register dst, int imm) { return alu64(AluOp.ADD, dst, imm); }
    public Assembler add32(Register dst, Register src) { return alu32(AluOp.ADD, dst, src); }
    public Assembler add32(Register dst, int imm) { return alu32(AluOp.ADD, dst, imm); }
    public Assembler sub64(Register dst, Register src) { return alu64(AluOp.SUB, dst, src); }
    public Assembler sub64(Register dst, int imm) { return alu64(AluOp.SUB, dst, imm); }
    public Assembler sub32(Register dst, Register src) { return alu32(AluOp.SUB, dst, src); }
    public Assembler sub32(Register dst, int imm) { return alu32(AluOp.SUB, dst, imm); }
    public Assembler mul64(Register dst, Register src) { return alu64(AluOp.MUL, dst, src); }
    public Assembler mul64(Register dst, int imm) { return alu64(AluOp.MUL, dst, imm); }
    public Assembler mul32(Register dst, Register src) { return alu32(AluOp.MUL, dst, src); }
    public Assembler mul32(Register dst, int imm) { return alu32(AluOp.MUL, dst, imm); }
    public Assembler div64(Register dst, Register src) { return alu64(AluOp.DIV, dst, src); }
    public Assembler div64(Register dst, int imm) { return alu64(AluOp.DIV, dst, imm); }
    public Assembler div32(Register dst, Register src) { return alu32(AluOp.DIV, dst, src); }
    public Assembler div32(Register dst, int imm) { return alu32(AluOp.DIV, dst, imm); }
    public Assembler mod64(Register dst, Register src) { return alu64(AluOp.MOD, dst, src); }
    public Assembler mod64(Register dst, int imm) { return alu64(AluOp.MOD, dst, imm); }
    public Assembler mod32(Register dst, Register src) { return alu32(AluOp.MOD, dst, src); }
    public Assembler mod32(Register dst, int imm) { return alu32(AluOp.MOD, dst, imm); }
    public Assembler or64(Register dst, Register src) { return alu64(AluOp.OR, dst, src); }
    public Assembler or64(Register dst, int imm) { return alu64(AluOp.OR, dst, imm); }
    public Assembler or32(Register dst, Register src) { return alu32(AluOp.OR, dst, src); }
    public Assembler or32(Register dst, int imm) { return alu32(AluOp.OR, dst, imm); }
    public Assembler and64(Register dst, Register src) { return alu64(AluOp.AND, dst, src); }
    public Assembler and64(Register dst, int imm) { return alu64(AluOp.AND, dst, imm); }
    public Assembler and32(Register dst, Register src) { return alu32(AluOp.AND, dst, src); }
    public Assembler and32(Register dst, int imm) { return alu32(AluOp.AND, dst, imm); }
    public Assembler xor64(Register dst, Register src) { return alu64(AluOp.XOR, dst, src); }
    public Assembler xor64(Register dst, int imm) { return alu64(AluOp.XOR, dst, imm); }
    public Assembler xor32(Register dst, Register src) { return alu32(AluOp.XOR, dst, src); }
    public Assembler xor32(Register dst, int imm) { return alu32(AluOp.XOR, dst, imm); }
    public Assembler lsh64(Register dst, Register src) { return alu64(AluOp.LSH, dst, src); }
    public Assembler lsh64(Register dst, int imm) { return alu64(AluOp.LSH, dst, imm); }
    public Assembler lsh32(Register dst, Register src) { return alu32(AluOp.LSH, dst, src); }
    public Assembler lsh32(Register dst, int imm) { return alu32(AluOp.LSH, dst, imm); }
    public Assembler rsh64(Register dst, Register src) { return alu64(AluOp.RSH, dst, src); }
    public Assembler rsh64(Register dst, int imm) { return alu64(AluOp.RSH, dst, imm); }
    public Assembler rsh32(Register dst, Register src) { return alu32(AluOp.RSH, dst, src); }
    public Assembler rsh32(Register dst, int imm) { return alu32(AluOp.RSH, dst, imm); }
    public Assembler arsh64(Register dst, Register src) { return alu64(AluOp.ARSH, dst, src); }
    public Assembler arsh64(Register dst, int imm) { return alu64(AluOp.ARSH, dst, imm); }
    public Assembler arsh32(Register dst, Register src) { return alu32(AluOp.ARSH, dst, src); }
    public Assembler arsh32(Register dst, int imm) { return alu32(AluOp.ARSH, dst, imm); }

    public Assembler neg64(Register dst) {
        return alu64(AluOp.NEG, dst, 0);
    }

    public Assembler neg32(Register dst) {
        return alu32(AluOp.NEG, dst, 0);
    }

    /** Signed division (cpu v4: offset 1 marks it signed). */
    public Assembler sdiv64(Register dst, Register src) { return signed(OpClass.ALU64, AluOp.DIV, dst, src); }
    public Assembler sdiv64(Register dst, int imm) { return signed(OpClass.ALU64, AluOp.DIV, dst, imm); }
    public Assembler sdiv32(Register dst, Register src) { return signed(OpClass.ALU, AluOp.DIV, dst, src); }
    public Assembler sdiv32(Register dst, int imm) { return signed(OpClass.ALU, AluOp.DIV, dst, imm); }
    /** Signed modulo (cpu v4). */
    public Assembler smod64(Register dst, Register src) { return signed(OpClass.ALU64, AluOp.MOD, dst, src); }
    public Assembler smod64(Register dst, int imm) { return signed(OpClass.ALU64, AluOp.MOD, dst, imm); }
    public Assembler smod32(Register dst, Register src) { return signed(OpClass.ALU, AluOp.MOD, dst, src); }
    public Assembler smod32(Register dst, int imm) { return signed(OpClass.ALU, AluOp.MOD, dst, imm); }

    private Assembler signed(OpClass c, AluOp op, Register dst, Register src) {
        return emit(c.bits() | op.bits() | Source.X.bits(), dst, src, 1, 0);
    }

    private Assembler signed(OpClass c, AluOp op, Register dst, int imm) {
        return emit(c.bits() | op.bits() | Source.K.bits(), dst, Register.R0, 1, imm);
    }

    /** dst = src sign-extended from its low {@code bits} (8, 16 or 32; cpu v4). */
    public Assembler movsx64(Register dst, Register src, int bits) {
        if (bits != 8 && bits != 16 && bits != 32) {
            throw new IllegalArgumentException("movsx64 extends from 8, 16 or 32 bits, not " + bits);
        }
        return emit(OpClass.ALU64.bits() | AluOp.MOV.bits() | Source.X.bits(), dst, src, bits, 0);
    }

    /** w-dst = w-src sign-extended from its low {@code bits} (8 or 16; cpu v4). */
    public Assembler movsx32(Register dst, Register src, int bits) {
        if (bits != 8 && bits != 16) {
            throw new IllegalArgumentException("movsx32 extends from 8 or 16 bits, not " + bits);
        }
        return emit(OpClass.ALU.bits() | AluOp.MOV.bits() | Source.X.bits(), dst, src, bits, 0);
    }

    /** Converts the low {@code bits} of dst to big endian (host to network on little-endian machines). */
    public Assembler be(Register dst, int bits) {
        return emit(OpClass.ALU.bits() | AluOp.END.bits() | Source.X.bits(), dst, Register.R0, 0, swapBits(bits));
    }

    /** Converts the low {@code bits} of dst to little endian (truncates on little-endian machines). */
    public Assembler le(Register dst, int bits) {
        return emit(OpClass.ALU.bits() | AluOp.END.bits() | Source.K.bits(), dst, Register.R0, 0, swapBits(bits));
    }

    /** Unconditionally reverses the bytes of the low {@code bits} of dst (cpu v4). */
    public Assembler bswap(Register dst, int bits) {
        return emit(OpClass.ALU64.bits() | AluOp.END.bits() | Source.K.bits(), dst, Register.R0, 0, swapBits(bits));
    }

    private static int swapBits(int bits) {
        if (bits != 16 && bits != 32 && bits != 64) {
            throw new IllegalArgumentException("byte swaps take 16, 32 or 64 bits, not " + bits);
        }
        return bits;
    }

    // ---- memory ----------------------------------------------------------------------------

    /** dst = *(size *)(src + off), zero-extended. */
    public Assembler ldx(Size size, Register dst, Register src, int off) {
        return emit(OpClass.LDX.bits() | size.bits() | Mode.MEM.bits(), dst, src, off, 0);
    }

    public Assembler ldxb(Register dst, Register src, int off) { return ldx(Size.B, dst, src, off); }
    public Assembler ldxh(Register dst, Register src, int off) { return ldx(Size.H, dst, src, off); }
    public Assembler ldxw(Register dst, Register src, int off) { return ldx(Size.W, dst, src, off); }
    public Assembler ldxdw(Register dst, Register src, int off) { return ldx(Size.DW, dst, src, off); }

    /** dst = *(size *)(src + off), sign-extended (B, H or W; cpu v4). */
    public Assembler ldxs(Size size, Register dst, Register src, int off) {
        if (size == Size.DW) {
            throw new IllegalArgumentException("sign-extending loads are 1, 2 or 4 bytes, not 8");
        }
        return emit(OpClass.LDX.bits() | size.bits() | Mode.MEMSX.bits(), dst, src, off, 0);
    }

    /** *(size *)(dst + off) = src. */
    public Assembler stx(Size size, Register dst, int off, Register src) {
        return emit(OpClass.STX.bits() | size.bits() | Mode.MEM.bits(), dst, src, off, 0);
    }

    public Assembler stxb(Register dst, int off, Register src) { return stx(Size.B, dst, off, src); }
    public Assembler stxh(Register dst, int off, Register src) { return stx(Size.H, dst, off, src); }
    public Assembler stxw(Register dst, int off, Register src) { return stx(Size.W, dst, off, src); }
    public Assembler stxdw(Register dst, int off, Register src) { return stx(Size.DW, dst, off, src); }

    /** *(size *)(dst + off) = imm. */
    public Assembler st(Size size, Register dst, int off, int imm) {
        return emit(OpClass.ST.bits() | size.bits() | Mode.MEM.bits(), dst, Register.R0, off, imm);
    }

    public Assembler stb(Register dst, int off, int imm) { return st(Size.B, dst, off, imm); }
    public Assembler sth(Register dst, int off, int imm) { return st(Size.H, dst, off, imm); }
    public Assembler stw(Register dst, int off, int imm) { return st(Size.W, dst, off, imm); }
    public Assembler stdw(Register dst, int off, int imm) { return st(Size.DW, dst, off, imm); }

    /** Legacy packet load: r0 = ntoh(*(size *)(skb data + imm)); r6 must hold the skb. */
    public Assembler ldAbs(Size size, int imm) {
        return emit(OpClass.LD.bits() | size.bits() | Mode.ABS.bits(), Register.R0, Register.R0, 0, imm);
    }

    /** Legacy packet load: r0 = ntoh(*(size *)(skb data + src + imm)). */
    public Assembler ldInd(Size size, Register src, int imm) {
        return emit(OpClass.LD.bits() | size.bits() | Mode.IND.bits(), Register.R0, src, 0, imm);
    }

    // ---- atomics ---------------------------------------------------------------------------

    /** An atomic read-modify-write on (dst + off) with src (size W or DW). */
    public Assembler atomic(AtomicOp op, Size size, Register dst, int off, Register src) {
        if (op == AtomicOp.LOAD_ACQ || op == AtomicOp.STORE_REL) {
            throw new IllegalArgumentException("use loadAcquire/storeRelease for " + op);
        }
        if (size != Size.W && size != Size.DW) {
            throw new IllegalArgumentException("atomic " + op + " works on 4 or 8 bytes, not " + size.bytes());
        }
        return emit(OpClass.STX.bits() | size.bits() | Mode.ATOMIC.bits(), dst, src, off, op.imm());
    }

    /** lock *(size *)(dst + off) += src. */
    public Assembler atomicAdd(Size size, Register dst, int off, Register src) {
        return atomic(AtomicOp.ADD, size, dst, off, src);
    }

    /** src = atomic fetch-and-add of src at (dst + off). */
    public Assembler atomicFetchAdd(Size size, Register dst, int off, Register src) {
        return atomic(AtomicOp.FETCH_ADD, size, dst, off, src);
    }

    /** src = atomic exchange of src with (dst + off). */
    public Assembler atomicXchg(Size size, Register dst, int off, Register src) {
        return atomic(AtomicOp.XCHG, size, dst, off, src);
    }

    /** r0 = old value of (dst + off), which is set to src if it equalled r0. */
    public Assembler atomicCmpxchg(Size size, Register dst, int off, Register src) {
        return atomic(AtomicOp.CMPXCHG, size, dst, off, src);
    }

    /** dst = load-acquire *(size *)(src + off) (kernel 6.15+). */
    public Assembler loadAcquire(Size size, Register dst, Register src, int off) {
        return emit(OpClass.STX.bits() | size.bits() | Mode.ATOMIC.bits(), dst, src, off, AtomicOp.LOAD_ACQ.imm());
    }

    /** store-release *(size *)(dst + off) = src (kernel 6.15+). */
    public Assembler storeRelease(Size size, Register dst, int off, Register src) {
        return emit(OpClass.STX.bits() | size.bits() | Mode.ATOMIC.bits(), dst, src, off, AtomicOp.STORE_REL.imm());
    }

    // ---- 64-bit immediates -----------------------------------------------------------------

    /** dst = a 64-bit constant (two slots). */
    public Assembler ldImm64(Register dst, long imm) {
        return wide(dst, 0, imm, null);
    }

    /** dst = the map with this fd (the kernel turns it into the map's address). */
    public Assembler ldMapFd(Register dst, int mapFd) {
        return wide(dst, Instruction.PSEUDO_MAP_FD, mapFd & 0xffffffffL, null);
    }

    /** dst = address of the value at {@code valueOffset} in the array map with this fd. */
    public Assembler ldMapValue(Register dst, int mapFd, int valueOffset) {
        return wide(dst, Instruction.PSEUDO_MAP_VALUE, ((long) valueOffset << 32) | (mapFd & 0xffffffffL), null);
    }

    /** dst = the map named {@code mapName}, whose fd a loader fills in later. */
    public Assembler ldMap(Register dst, String mapName) {
        return wide(dst, Instruction.PSEUDO_MAP_FD, 0, Objects.requireNonNull(mapName, "mapName"));
    }

    /** dst = address of the kernel variable with this BTF id (typed ksym). */
    public Assembler ldBtfId(Register dst, int btfId) {
        return wide(dst, Instruction.PSEUDO_BTF_ID, btfId & 0xffffffffL, null);
    }

    /** dst = address of the subprogram at {@code label} (for callbacks such as bpf_loop). */
    public Assembler ldFunc(Register dst, String label) {
        checkLabel(label);
        fixups.add(new Fixup(code.size(), label, Slot.IMM));
        return wide(dst, Instruction.PSEUDO_FUNC, 0, label);
    }

    private Assembler wide(Register dst, int src, long imm, String reference) {
        code.add(new Instruction(Instruction.LD_IMM64, dst.number(), src, (short) 0, imm, reference));
        return this;
    }

    // ---- jumps and calls -------------------------------------------------------------------

    /** goto label (16-bit offset). */
    public Assembler ja(String label) {
        return jumpTo(OpClass.JMP.bits() | JumpOp.JA.bits(), Register.R0, Register.R0, 0, label);
    }

    /** goto label with a 32-bit offset (cpu v4). */
    public Assembler gotol(String label) {
        checkLabel(label);
        fixups.add(new Fixup(code.size(), label, Slot.IMM));
        return emit(OpClass.JMP32.bits() | JumpOp.JA.bits(), Register.R0, Register.R0, 0, 0);
    }

    /** if (dst op imm) goto label, comparing 64 bits. */
    public Assembler jmp(JumpOp op, Register dst, int imm, String label) {
        checkConditional(op);
        return jumpTo(OpClass.JMP.bits() | op.bits() | Source.K.bits(), dst, Register.R0, imm, label);
    }

    /** if (dst op src) goto label, comparing 64 bits. */
    public Assembler jmp(JumpOp op, Register dst, Register src, String label) {
        checkConditional(op);
        return jumpTo(OpClass.JMP.bits() | op.bits() | Source.X.bits(), dst, src, 0, label);
    }

    /** if (w-dst op imm) goto label, comparing the low 32 bits. */
    public Assembler jmp32(JumpOp op, Register dst, int imm, String label) {
        checkConditional(op);
        return jumpTo(OpClass.JMP32.bits() | op.bits() | Source.K.bits(), dst, Register.R0, imm, label);
    }

    /** if (w-dst op w-src) goto label, comparing the low 32 bits. */
    public Assembler jmp32(JumpOp op, Register dst, Register src, String label) {
        checkConditional(op);
        return jumpTo(OpClass.JMP32.bits() | op.bits() | Source.X.bits(), dst, src, 0, label);
    }

    public Assembler jeq(Register dst, int imm, String label) { return jmp(JumpOp.JEQ, dst, imm, label); }
    public Assembler jeq(Register dst, Register src, String label) { return jmp(JumpOp.JEQ, dst, src, label); }
    public Assembler jne(Register dst, int imm, String label) { return jmp(JumpOp.JNE, dst, imm, label); }
    public Assembler jne(Register dst, Register src, String label) { return jmp(JumpOp.JNE, dst, src, label); }
    public Assembler jgt(Register dst, int imm, String label) { return jmp(JumpOp.JGT, dst, imm, label); }
    public Assembler jgt(Register dst, Register src, String label) { return jmp(JumpOp.JGT, dst, src, label); }
    public Assembler jge(Register dst, int imm, String label) { return jmp(JumpOp.JGE, dst, imm, label); }
    public Assembler jge(Register dst, Register src, String label) { return jmp(JumpOp.JGE, dst, src, label); }
    public Assembler jlt(Register dst, int imm, String label) { return jmp(JumpOp.JLT, dst, imm, label); }
    public Assembler jlt(Register dst, Register src, String label) { return jmp(JumpOp.JLT, dst, src, label); }
    public Assembler jle(Register dst, int imm, String label) { return jmp(JumpOp.JLE, dst, imm, label); }
    public Assembler jle(Register dst, Register src, String label) { return jmp(JumpOp.JLE, dst, src, label); }
    public Assembler jsgt(Register dst, int imm, String label) { return jmp(JumpOp.JSGT, dst, imm, label); }
    public Assembler jsgt(Register dst, Register src, String label) { return jmp(JumpOp.JSGT, dst, src, label); }
    public Assembler jsge(Register dst, int imm, String label) { return jmp(JumpOp.JSGE, dst, imm, label); }
    public Assembler jsge(Register dst, Register src, String label) { return jmp(JumpOp.JSGE, dst, src, label); }
    public Assembler jslt(Register dst, int imm, String label) { return jmp(JumpOp.JSLT, dst, imm, label); }
    public Assembler jslt(Register dst, Register src, String label) { return jmp(JumpOp.JSLT, dst, src, label); }
    public Assembler jsle(Register dst, int imm, String label) { return jmp(JumpOp.JSLE, dst, imm, label); }
    public Assembler jsle(Register dst, Register src, String label) { return jmp(JumpOp.JSLE, dst, src, label); }
    public Assembler jset(Register dst, int imm, String label) { return jmp(JumpOp.JSET, dst, imm, label); }
    public Assembler jset(Register dst, Register src, String label) { return jmp(JumpOp.JSET, dst, src, label); }

    /** may_goto label: jumps when the kernel's loop budget runs out (kernel 6.9+). */
    public Assembler mayGoto(String label) {
        return jumpTo(OpClass.JMP.bits() | JumpOp.JCOND.bits(), Register.R0, Register.R0, 0, label);
    }

    /** Calls a helper function. */
    public Assembler call(Helper helper) {
        return call(helper.id());
    }

    /** Calls the helper with this number. */
    public Assembler call(int helperId) {
        return emit(OpClass.JMP.bits() | JumpOp.CALL.bits(), Register.R0, Register.R0, 0, helperId);
    }

    /** Calls the BPF subprogram that starts at {@code label}. */
    public Assembler callSubprog(String label) {
        checkLabel(label);
        fixups.add(new Fixup(code.size(), label, Slot.IMM));
        code.add(new Instruction(OpClass.JMP.bits() | JumpOp.CALL.bits(), 0, Instruction.PSEUDO_CALL, (short) 0, 0,
                label));
        return this;
    }

    /** Calls the kernel function with this BTF id in vmlinux. */
    public Assembler callKfunc(int btfId) {
        return callKfunc(btfId, 0);
    }

    /** Calls a kernel function of a module: {@code fdArrayIndex} selects its BTF in the load's fd array. */
    public Assembler callKfunc(int btfId, int fdArrayIndex) {
        return emit(OpClass.JMP.bits() | JumpOp.CALL.bits(), Register.R0, Register.of(Instruction.PSEUDO_KFUNC_CALL),
                fdArrayIndex, btfId);
    }

    /** Returns r0 to the caller. */
    public Assembler exit() {
        return emit(OpClass.JMP.bits() | JumpOp.EXIT.bits(), Register.R0, Register.R0, 0, 0);
    }

    // ---- helpers ---------------------------------------------------------------------------

    private Assembler jumpTo(int opcode, Register dst, Register src, int imm, String label) {
        checkLabel(label);
        fixups.add(new Fixup(code.size(), label, Slot.OFFSET));
        return emit(opcode, dst, src, 0, imm);
    }

    private Assembler emit(int opcode, Register dst, Register src, int offset, long imm) {
        Objects.requireNonNull(dst, "dst register");
        Objects.requireNonNull(src, "src register");
        code.add(new Instruction(opcode, dst.number(), src.number(), offset, imm));
        return this;
    }

    private static void checkConditional(JumpOp op) {
        if (!op.isConditional()) {
            throw new IllegalArgumentException(op + " is not a conditional jump; use ja, call or exit");
        }
    }

    private static void checkLabel(String label) {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("a label must be a non-blank name");
        }
    }
}
