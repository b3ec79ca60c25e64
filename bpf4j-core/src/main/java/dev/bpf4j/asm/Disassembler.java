package dev.bpf4j.asm;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns instructions into the text the kernel's verifier and {@code bpftool prog dump xlated}
 * print, such as {@code (b7) r0 = 0}, {@code (85) call bpf_map_lookup_elem#1} or
 * {@code (db) lock *(u64 *)(r1 +0) += r2}, so a listing can be compared with bpftool's line for line.
 *
 * <p>{@link #standard()} reads instructions as a program is written (a map load's immediate is an
 * fd). {@link #forXlated(KernelSymbols)} reads instructions as the kernel reports them after
 * verification: map loads carry map ids and helper calls carry an address relative to
 * {@code __bpf_call_base}, named through the kernel's symbol table the way bpftool does.
 */
public final class Disassembler {
    private static final Disassembler STANDARD = new Disassembler(null);
    private static final String[] SIZE_NAMES = {"u32", "u16", "u8", "u64"};
    private static final String[] SIGNED_SIZE_NAMES = {"s32", "s16", "s8", "s64"};

    private final KernelSymbols symbols;

    private Disassembler(KernelSymbols symbols) {
        this.symbols = symbols;
    }

    /** For instructions as written: map immediates are fds, calls name helpers by number. */
    public static Disassembler standard() {
        return STANDARD;
    }

    /** For a loaded program's translated instructions, naming call targets through {@code symbols}. */
    public static Disassembler forXlated(KernelSymbols symbols) {
        return new Disassembler(java.util.Objects.requireNonNull(symbols, "symbols"));
    }

    /** The listing: one {@code %4d: text} line per instruction, numbered by slot as bpftool does. */
    public String format(Instructions instructions) {
        StringBuilder out = new StringBuilder();
        for (String line : lines(instructions)) {
            out.append(line).append('\n');
        }
        return out.toString();
    }

    /** The numbered lines of {@link #format}, without line ends. */
    public List<String> lines(Instructions instructions) {
        List<String> lines = new ArrayList<>(instructions.size());
        for (int i = 0; i < instructions.size(); i++) {
            lines.add(String.format("%4d: %s", instructions.slotOf(i), line(instructions.get(i))));
        }
        return lines;
    }

    /** One instruction's text without its number, such as {@code (bf) r6 = r1}. */
    public String line(Instruction insn) {
        int code = insn.opcode();
        String head = String.format("(%02x) ", code);
        return switch (insn.opClass()) {
            case ALU, ALU64 -> alu(insn, head);
            case STX -> stx(insn, head);
            case ST -> st(insn, head);
            case LDX -> ldx(insn, head);
            case LD -> ld(insn, head);
            case JMP, JMP32 -> jump(insn, head);
        };
    }

    private static String alu(Instruction insn, String head) {
        boolean wide = insn.opClass() == OpClass.ALU64;
        char r = wide ? 'r' : 'w';
        AluOp op = AluOp.of(insn.opcode());
        if (op == null) {
            return String.format("BUG_alu%s_%02x", wide ? "64" : "", insn.opcode());
        }
        int dst = insn.dst();
        if (op == AluOp.END) {
            if (wide) {
                return head + "r" + dst + " = bswap" + insn.imm32() + " r" + dst;
            }
            String endian = Source.of(insn.opcode()) == Source.X ? "be" : "le";
            return head + "r" + dst + " = " + endian + insn.imm32() + " r" + dst;
        }
        if (op == AluOp.NEG) {
            return head + r + dst + " = -" + r + dst;
        }
        boolean signed = (op == AluOp.DIV || op == AluOp.MOD) && insn.offset() == 1;
        String symbol = signed ? (op == AluOp.DIV ? "s/=" : "s%=") : op.symbol();
        if (Source.of(insn.opcode()) == Source.X) {
            String cast = "";
            int off = insn.offset();
            if (op == AluOp.MOV && (off == 8 || off == 16 || off == 32)) {
                cast = "(s" + off + ")";
            }
            return head + r + dst + " " + symbol + " " + cast + r + insn.src();
        }
        return head + r + dst + " " + symbol + " " + insn.imm32();
    }

    private static String mem(int size, int reg, int offset) {
        return "*(" + SIZE_NAMES[size] + " *)(r" + reg + " " + signed(offset) + ")";
    }

    private static String stx(Instruction insn, String head) {
        int size = (insn.opcode() >> 3) & 3;
        Mode mode = Mode.of(insn.opcode());
        int dst = insn.dst();
        int src = insn.src();
        int off = insn.offset();
        if (mode == Mode.MEM) {
            return head + mem(size, dst, off) + " = r" + src;
        }
        AtomicOp op = mode == Mode.ATOMIC ? AtomicOp.ofImm(insn.imm32()) : null;
        if (op == null) {
            return String.format("BUG_%02x", insn.opcode());
        }
        String bits = size == 3 ? "64" : "";
        String place = "(" + SIZE_NAMES[size] + " *)(r" + dst + " " + signed(off) + ")";
        return switch (op) {
            case ADD, OR, AND, XOR -> head + "lock " + mem(size, dst, off) + " "
                    + AluOp.of(op.imm()).symbol() + " r" + src;
            case FETCH_ADD, FETCH_OR, FETCH_AND, FETCH_XOR -> head + "r" + src + " = atomic" + bits + "_fetch_"
                    + AluOp.of(op.imm() & ~AtomicOp.FETCH).name().toLowerCase(java.util.Locale.ROOT)
                    + "(" + place + ", r" + src + ")";
            case CMPXCHG -> head + "r0 = atomic" + bits + "_cmpxchg(" + place + ", r0, r" + src + ")";
            case XCHG -> head + "r" + src + " = atomic" + bits + "_xchg(" + place + ", r" + src + ")";
            case LOAD_ACQ -> head + "r" + dst + " = load_acquire((" + SIZE_NAMES[size] + " *)(r" + src + " "
                    + signed(off) + "))";
            case STORE_REL -> head + "store_release(" + place + ", r" + src + ")";
        };
    }

    private static String st(Instruction insn, String head) {
        Mode mode = Mode.of(insn.opcode());
        if (mode == Mode.MEM) {
            return head + mem((insn.opcode() >> 3) & 3, insn.dst(), insn.offset()) + " = " + insn.imm32();
        }
        if (mode == Mode.ATOMIC) { // the kernel's internal speculation barrier, BPF_ST | BPF_NOSPEC
            return head + "nospec";
        }
        return String.format("BUG_st_%02x", insn.opcode());
    }

    private static String ldx(Instruction insn, String head) {
        Mode mode = Mode.of(insn.opcode());
        if (mode != Mode.MEM && mode != Mode.MEMSX) {
            return String.format("BUG_ldx_%02x", insn.opcode());
        }
        int size = (insn.opcode() >> 3) & 3;
        String type = mode == Mode.MEM ? SIZE_NAMES[size] : SIGNED_SIZE_NAMES[size];
        return head + "r" + insn.dst() + " = *(" + type + " *)(r" + insn.src() + " " + signed(insn.offset()) + ")";
    }

    private String ld(Instruction insn, String head) {
        Mode mode = Mode.of(insn.opcode());
        String size = SIZE_NAMES[(insn.opcode() >> 3) & 3];
        if (mode == Mode.ABS) {
            return head + "r0 = *(" + size + " *)skb[" + insn.imm32() + "]";
        }
        if (mode == Mode.IND) {
            return head + "r0 = *(" + size + " *)skb[r" + insn.src() + " + " + insn.imm32() + "]";
        }
        if (insn.isWide()) {
            return head + "r" + insn.dst() + " = " + immediate64(insn);
        }
        return String.format("BUG_ld_%02x", insn.opcode());
    }

    private String immediate64(Instruction insn) {
        String kind = symbols != null ? "id" : "fd";
        long low = insn.imm() & 0xffffffffL;
        long high = insn.imm() >>> 32;
        return switch (insn.src()) {
            case Instruction.PSEUDO_MAP_FD -> insn.reference() != null && symbols == null
                    ? "map[" + insn.reference() + "]" : "map[" + kind + ":" + low + "]";
            case Instruction.PSEUDO_MAP_VALUE -> insn.reference() != null && symbols == null
                    ? "map[" + insn.reference() + "]+" + high : "map[" + kind + ":" + low + "][0]+" + high;
            case Instruction.PSEUDO_MAP_IDX_VALUE -> "map[idx:" + low + "]+" + high;
            case Instruction.PSEUDO_FUNC -> "subprog[" + signed(insn.imm32()) + "]";
            default -> "0x" + Long.toHexString(insn.imm());
        };
    }

    private String jump(Instruction insn, String head) {
        int code = insn.opcode();
        JumpOp op = JumpOp.of(code);
        boolean jmp32 = insn.opClass() == OpClass.JMP32;
        if (op == null) {
            return String.format("(%02x) %s", code, jmp32 ? "jmp32" : "jmp");
        }
        if (op == JumpOp.CALL) {
            if (insn.isSubprogramCall()) {
                return head + "call pc" + callName(insn, signed(insn.imm32()));
            }
            String fallback = insn.isKfuncCall() ? "kernel-function" : "unknown";
            return head + "call " + callName(insn, fallback) + "#" + insn.imm32();
        }
        if (code == (OpClass.JMP.bits() | JumpOp.JA.bits())) {
            return head + "goto pc" + signed(insn.offset());
        }
        if (code == (OpClass.JMP.bits() | JumpOp.JCOND.bits()) && insn.src() == 0) {
            return head + "may_goto pc" + signed(insn.offset());
        }
        if (code == (OpClass.JMP32.bits() | JumpOp.JA.bits())) {
            return head + "gotol pc" + signed(insn.imm32());
        }
        if (code == (OpClass.JMP.bits() | JumpOp.EXIT.bits())) {
            return head + "exit";
        }
        char r = jmp32 ? 'w' : 'r';
        String right = Source.of(code) == Source.X
                ? r + String.valueOf(insn.src())
                : "0x" + Integer.toHexString(insn.imm32());
        return head + "if " + r + insn.dst() + " " + op.symbol() + " " + right + " goto pc" + signed(insn.offset());
    }

    /** The name of a call target, as bpftool resolves it: helper table first, then kernel symbols. */
    private String callName(Instruction insn, String fallback) {
        if (insn.src() == 0) {
            Helper helper = Helper.ofId(insn.imm32());
            if (helper != null) {
                return helper.kernelName();
            }
        }
        if (symbols != null) {
            if (insn.isSubprogramCall()) {
                return fallback; // subprogram symbols need the program's jited ksyms
            }
            long address = symbols.callBase() + insn.imm32();
            String name = symbols.nameAt(address);
            if (name != null) {
                return name;
            }
            return address != 0 ? "0x" + Long.toHexString(address) : "unknown";
        }
        if (insn.reference() != null && !insn.isSubprogramCall()) {
            return insn.reference();
        }
        return fallback;
    }

    private static String signed(int value) {
        return value < 0 ? String.valueOf(value) : "+" + value;
    }
}
