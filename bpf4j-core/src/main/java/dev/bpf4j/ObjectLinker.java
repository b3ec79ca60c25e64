package dev.bpf4j;

import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.Relocation;
import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.BtfExt;
import dev.bpf4j.btf.core.CoreResolution;
import dev.bpf4j.elf.ElfSymbol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Links one program of an {@link ObjectSpec}: resolves its relocations and appends the
 * {@code .text} subprograms it reaches. Pure: no kernel calls; maps stay symbolic.
 */
final class ObjectLinker {
    private static final int CALL = 0x85;
    private static final int SLOT = Instructions.SLOT_SIZE;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final ObjectSpec spec;
    private final ProgramDef main;
    // The linked program as the kernel reads it (native order): functions are appended as bytes and
    // patched in place, so a slot is a byte offset / 8 and nothing is decoded.
    // Sized for the program and every subprogram (CO-RE keeps a function's length): it never grows.
    private final byte[] code;
    private int slots; // slots used in code
    private final String[] references; // symbolic name at a slot, for the loader
    private final IdentityTable<ProgramDef, int[]> placed = new IdentityTable<>(); // function -> {first slot, first index}
    private final List<ProgramDef> order = new ArrayList<>();
    private int instructions; // instructions placed (a wide one counts once): CO-RE results give indexes
    private final ObjectCore core;
    private final ObjectExterns externs;

    private ObjectLinker(ObjectSpec spec, ProgramDef main, ObjectCore core, ObjectExterns externs) {
        this.spec = spec;
        this.main = main;
        this.core = core;
        this.externs = externs;
        int most = main.instructionCount(); // the program and every subprogram, each placed at most once
        for (ProgramDef s : spec.subprograms()) {
            most += s.instructionCount();
        }
        this.code = new byte[most * SLOT];
        this.references = new String[most];
    }

    /** Links against the running kernel: CO-RE relocations and externs resolved there. */
    static LinkedProgram link(ObjectSpec spec, ProgramDef program) {
        return link(spec, program, ObjectCore.forKernel(spec), ObjectExterns.of(spec));
    }

    /**
     * Links with CO-RE relocations applied by {@code core} (each function on its own, before it is
     * appended) and extern uses patched from {@code externs}.
     */
    static LinkedProgram link(ObjectSpec spec, ProgramDef program, ObjectCore core, ObjectExterns externs) {
        return linkForLoad(spec, program, core, externs).program();
    }

    /** The linked program and the slots where its instructions take a map's fd, for the loader. */
    static Linked linkForLoad(ObjectSpec spec, ProgramDef program, ObjectCore core, ObjectExterns externs) {
        if (program.isSubprogram()) {
            throw new BpfException(spec.fileName() + ": '" + program.name() + "' is a .text subprogram, not a program");
        }
        return new ObjectLinker(spec, program, core, externs).run();
    }

    /**
     * @param mapSlots the slots of the 64-bit loads that take a map's fd (a map, or global data: its
     *                 value's address), in order
     * @param mapNames the map each of them names, symbolically
     */
    record Linked(LinkedProgram program, int[] mapSlots, String[] mapNames) {
    }

    private Linked run() {
        place(main);
        List<LinkedProgram.Function> functions = new ArrayList<>();
        List<LinkedProgram.SourceLine> lines = new ArrayList<>();
        List<CoreResolution> coreRelocations = new ArrayList<>();
        BtfExt ext = spec.btfExt().orElse(null);
        for (ProgramDef f : order) {
            int[] at = placed.get(f);
            int base = at[0];
            int start = f.sectionOffset();
            int end = start + f.instructionCount() * SLOT;
            int typeId = 0;
            if (ext != null) {
                for (BtfExt.FuncInfo fi : ext.funcInfos().getOrDefault(f.section(), List.of())) {
                    if (fi.insnOffset() == start) {
                        typeId = fi.typeId();
                    }
                }
                for (BtfExt.LineInfo li : ext.lineInfos().getOrDefault(f.section(), List.of())) {
                    if (li.insnOffset() >= start && li.insnOffset() < end) {
                        lines.add(new LinkedProgram.SourceLine(base + (li.insnOffset() - start) / SLOT, li));
                    }
                }
            }
            for (CoreResolution r : core.relocate(f).resolutions()) {
                coreRelocations.add(new CoreResolution(r.index(), at[1] + r.instruction(), base + r.slot(), r.kind(),
                        r.local(), r.access(), r.localValue(), r.targetValue(), r.poisoned(), r.target(), r.note()));
            }
            functions.add(new LinkedProgram.Function(f.name(), base, typeId));
        }
        int[] mapSlots = new int[slots];
        String[] mapNames = new String[slots];
        int n = 0;
        for (int slot = 0; slot < slots; slot++) {
            if (references[slot] != null && wide(slot)
                    && (src(slot) == Instruction.PSEUDO_MAP_FD || src(slot) == Instruction.PSEUDO_MAP_VALUE)) {
                mapSlots[n] = slot;
                mapNames[n++] = references[slot];
            }
        }
        Instructions linked = Instructions.ofNativeEncoding(Arrays.copyOf(code, slots * SLOT),
                Arrays.copyOf(references, slots));
        return new Linked(new LinkedProgram(main, linked, functions, lines, coreRelocations),
                Arrays.copyOf(mapSlots, n), Arrays.copyOf(mapNames, n));
    }

    private String where(ProgramDef f) {
        return spec.fileName() + ": " + (f == main ? "program '" + f.name() + "'"
                : "subprogram '" + f.name() + "' (called by program '" + main.name() + "')");
    }

    /** Appends a function, then resolves its instructions (appending what they call, depth-first). */
    private void place(ProgramDef f) {
        byte[] own = core.relocate(f).code(); // relocated once per function: ObjectCore keeps it
        int count = own.length / SLOT;
        int base = slots;
        placed.put(f, new int[] {base, instructions});
        order.add(f);
        System.arraycopy(own, 0, code, base * SLOT, own.length);
        slots = base + count;
        for (int slot = 0; slot < count; slot += wide(base + slot) ? 2 : 1) {
            if (wide(base + slot) && slot + 1 == count) {
                throw new BpfFormatException(where(f) + ": 64-bit immediate load at instruction " + slot
                        + " lacks its second slot");
            }
            instructions++; // all of this function's, before a call below places the next function
        }
        Relocation[] relocations = new Relocation[count]; // by slot: the last one for a slot wins
        for (Relocation r : f.relocations()) {
            if (r.instruction() >= 0 && r.instruction() < count) {
                relocations[r.instruction()] = r;
            }
        }
        for (int slot = 0; slot < count; slot += wide(base + slot) ? 2 : 1) {
            int at = base + slot;
            Relocation r = relocations[slot];
            if (r != null) {
                relocate(f, at, r, slot);
            } else if (opcode(at) == CALL && src(at) == Instruction.PSEUDO_CALL) {
                // a call inside one section needs no relocation: imm is relative to the call
                if (!f.section().equals(".text")) {
                    throw new BpfException(where(f) + ": instruction " + slot + " calls a function in"
                            + " its own section '" + f.section() + "'; subprograms must be in .text");
                }
                long target = (long) f.sectionOffset() + (slot + imm32(at) + 1L) * SLOT;
                callTo(f, at, target);
            } else if (wide(at) && src(at) == Instruction.PSEUDO_FUNC) {
                throw new BpfException(where(f) + ": instruction " + slot
                        + " takes a function's address without a relocation");
            }
        }
    }

    private void relocate(ProgramDef f, int at, Relocation r, int slotInFunction) {
        ElfSymbol sym = r.symbol();
        String section = r.symbolSection();
        java.util.function.Supplier<String> where = () -> where(f) + ": instruction " + slotInFunction;
        if (section.isEmpty()) {
            patchExtern(at, sym.name(), where);
            return;
        }
        if (opcode(at) == CALL && src(at) == Instruction.PSEUDO_CALL) {
            if (!section.equals(".text")) {
                throw new BpfException(where.get() + " calls '" + sym.name() + "' in section '" + section
                        + "'; subprograms must be in .text");
            }
            callTo(f, at, sym.value() + (imm32(at) + 1L) * SLOT);
            return;
        }
        if (!wide(at)) {
            throw new BpfException(where.get() + " (opcode 0x" + Integer.toHexString(opcode(at)) + ") has a relocation"
                    + " against '" + sym.name() + "' but is neither a 64-bit load nor a call");
        }
        if (section.equals(".maps") || section.equals("maps")) {
            String map = sym.isSection() ? mapAt(section, sym.value() + imm32(at), where) : sym.name();
            if (!isMap(map)) {
                throw new BpfException(where.get() + " refers to '" + map + "', which is not a map definition");
            }
            setSrc(at, Instruction.PSEUDO_MAP_FD);
            setImm64(at, 0);
            references[at] = map;
        } else if (dataSection(section) != null) {
            long offset = (sym.isSection() ? 0 : sym.value()) + imm32(at);
            long size = dataSection(section).size();
            if (offset < 0 || offset > size) {
                throw new BpfException(where.get() + " points at offset " + offset + " of '" + section + "' ("
                        + size + " bytes)");
            }
            setSrc(at, Instruction.PSEUDO_MAP_VALUE);
            setImm64(at, offset << 32);
            references[at] = section;
        } else if (section.equals(".text")) {
            long target = sym.value() + imm32(at);
            setSrc(at, Instruction.PSEUDO_FUNC);
            callTo(f, at, target);
        } else {
            throw new BpfException(where.get() + " refers to '" + sym.name() + "' in section '" + section
                    + "', which holds neither maps, global data nor functions");
        }
    }

    /** An extern use, patched by {@link ObjectExterns} on the decoded instruction, which keeps its width. */
    private void patchExtern(int at, String name, java.util.function.Supplier<String> where) {
        int length = wide(at) ? 2 * SLOT : SLOT;
        Instruction insn = Instructions.decode(Arrays.copyOfRange(code, at * SLOT, at * SLOT + length),
                ByteOrder.nativeOrder()).get(0);
        Instruction patched = externs.patch(insn, name, where);
        if (patched.slots() * SLOT != length) {
            throw new IllegalStateException(where.get() + ": extern '" + name + "' patched to another width");
        }
        Instructions.of(patched).encodeInto(code, at * SLOT);
        references[at] = patched.reference();
    }

    // ---- the instruction at a slot of code, in native order ----

    private int opcode(int slot) {
        return code[slot * SLOT] & 0xff;
    }

    private boolean wide(int slot) {
        return opcode(slot) == Instruction.LD_IMM64;
    }

    private int src(int slot) {
        int regs = code[slot * SLOT + 1] & 0xff;
        return LITTLE ? regs >> 4 : regs & 0x0f;
    }

    private void setSrc(int slot, int src) {
        int at = slot * SLOT + 1;
        int regs = code[at] & 0xff;
        code[at] = (byte) (LITTLE ? (regs & 0x0f) | (src << 4) : (regs & 0xf0) | src);
    }

    private int imm32(int slot) {
        return (int) INT.get(code, slot * SLOT + 4);
    }

    private void setImm32(int slot, int imm) {
        INT.set(code, slot * SLOT + 4, imm);
    }

    /** A 64-bit immediate load's value: the low half in its first slot, the high half in its second. */
    private void setImm64(int slot, long imm) {
        INT.set(code, slot * SLOT + 4, (int) imm);
        INT.set(code, slot * SLOT + SLOT + 4, (int) (imm >>> 32));
    }

    private boolean isMap(String name) {
        for (ObjectSpec.MapDef m : spec.maps()) {
            if (m.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private ObjectSpec.DataSection dataSection(String name) {
        for (ObjectSpec.DataSection d : spec.dataSections()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    private String mapAt(String section, long offset, java.util.function.Supplier<String> where) {
        return spec.elf().section(section).stream()
                .flatMap(s -> spec.elf().symbolsIn(s).stream())
                .filter(s -> !s.isSection() && s.value() == offset)
                .map(ElfSymbol::name).findFirst()
                .orElseThrow(() -> new BpfException(where.get() + " refers to offset " + offset + " of '" + section
                        + "', where no map starts"));
    }

    /** Points a call (or a callback address) at the subprogram starting at {@code target} in .text. */
    private void callTo(ProgramDef f, int at, long target) {
        ProgramDef callee = null;
        for (ProgramDef s : spec.subprograms()) {
            if (target >= s.sectionOffset() && target < s.sectionOffset() + s.instructionCount() * SLOT) {
                callee = s;
                break;
            }
        }
        if (callee == null) {
            throw new BpfException(where(f) + ": call target at .text+0x" + Long.toHexString(target)
                    + " is not inside any subprogram");
        }
        if (callee.sectionOffset() != target) {
            throw new BpfException(where(f) + ": call into the middle of subprogram '" + callee.name() + "'");
        }
        if (!placed.containsKey(callee)) {
            place(callee);
        }
        // relative to the next slot; a callback address (wide) keeps the high half of its value
        setImm32(at, placed.get(callee)[0] - at - 1);
    }
}
