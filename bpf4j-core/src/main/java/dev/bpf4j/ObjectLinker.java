package dev.bpf4j;

import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.Relocation;
import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.BtfExt;
import dev.bpf4j.btf.core.CoreResolution;
import dev.bpf4j.elf.ElfSymbol;

import java.util.ArrayList;
import java.util.List;

/**
 * Links one program of an {@link ObjectSpec}: resolves its relocations and appends the
 * {@code .text} subprograms it reaches. Pure: no kernel calls; maps stay symbolic.
 */
final class ObjectLinker {
    private static final int CALL = 0x85;

    private final ObjectSpec spec;
    private final ProgramDef main;
    private final List<Instruction> code = new ArrayList<>();
    private int[] slots = new int[64]; // slot of each instruction, then the end: slots[code.size()]
    private final IdentityTable<ProgramDef, Integer> placed = new IdentityTable<>(); // function -> first instruction index
    private final List<ProgramDef> order = new ArrayList<>();
    private final ObjectCore core;
    private final ObjectExterns externs;

    private ObjectLinker(ObjectSpec spec, ProgramDef main, ObjectCore core, ObjectExterns externs) {
        this.spec = spec;
        this.main = main;
        this.core = core;
        this.externs = externs;
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
        if (program.isSubprogram()) {
            throw new BpfException(spec.fileName() + ": '" + program.name() + "' is a .text subprogram, not a program");
        }
        return new ObjectLinker(spec, program, core, externs).run();
    }

    private LinkedProgram run() {
        place(main);
        List<LinkedProgram.Function> functions = new ArrayList<>();
        List<LinkedProgram.SourceLine> lines = new ArrayList<>();
        List<CoreResolution> coreRelocations = new ArrayList<>();
        BtfExt ext = spec.btfExt().orElse(null);
        for (ProgramDef f : order) {
            int base = slots[placed.get(f)];
            int start = f.sectionOffset();
            int end = start + f.instructionCount() * 8;
            int typeId = 0;
            if (ext != null) {
                for (BtfExt.FuncInfo fi : ext.funcInfos().getOrDefault(f.section(), List.of())) {
                    if (fi.insnOffset() == start) {
                        typeId = fi.typeId();
                    }
                }
                for (BtfExt.LineInfo li : ext.lineInfos().getOrDefault(f.section(), List.of())) {
                    if (li.insnOffset() >= start && li.insnOffset() < end) {
                        lines.add(new LinkedProgram.SourceLine(base + (li.insnOffset() - start) / 8, li));
                    }
                }
            }
            int first = placed.get(f);
            for (CoreResolution r : core.relocate(f).relocations()) {
                coreRelocations.add(new CoreResolution(r.index(), first + r.instruction(), base + r.slot(), r.kind(),
                        r.local(), r.access(), r.localValue(), r.targetValue(), r.poisoned(), r.target(), r.note()));
            }
            functions.add(new LinkedProgram.Function(f.name(), base, typeId));
        }
        return new LinkedProgram(main, new Instructions(code), functions, lines, coreRelocations);
    }

    private String where(ProgramDef f) {
        return spec.fileName() + ": " + (f == main ? "program '" + f.name() + "'"
                : "subprogram '" + f.name() + "' (called by program '" + main.name() + "')");
    }

    /** Appends a function, then resolves its instructions (appending what they call, depth-first). */
    private void place(ProgramDef f) {
        Instructions insns = core.relocate(f).instructions(); // relocated once per function: ObjectCore keeps it
        int base = code.size();
        placed.put(f, base);
        order.add(f);
        for (Instruction insn : insns) {
            code.add(insn);
            if (code.size() >= slots.length) {
                slots = java.util.Arrays.copyOf(slots, slots.length * 2);
            }
            slots[code.size()] = slots[code.size() - 1] + insn.slots();
        }
        Relocation[] relocations = new Relocation[insns.slotCount()]; // by slot: the last one for a slot wins
        for (Relocation r : f.relocations()) {
            if (r.instruction() >= 0 && r.instruction() < relocations.length) {
                relocations[r.instruction()] = r;
            }
        }
        for (int i = 0; i < insns.size(); i++) {
            int slotInFunction = insns.slotOf(i);
            Relocation r = relocations[slotInFunction];
            Instruction insn = code.get(base + i);
            if (r != null) {
                relocate(f, base + i, insn, r, slotInFunction);
            } else if (insn.isSubprogramCall()) {
                // a call inside one section needs no relocation: imm is relative to the call
                if (!f.section().equals(".text")) {
                    throw new BpfException(where(f) + ": instruction " + slotInFunction + " calls a function in"
                            + " its own section '" + f.section() + "'; subprograms must be in .text");
                }
                long target = (long) f.sectionOffset() + (slotInFunction + insn.imm32() + 1L) * 8;
                callTo(f, base + i, insn, target);
            } else if (insn.isWide() && insn.src() == Instruction.PSEUDO_FUNC) {
                throw new BpfException(where(f) + ": instruction " + slotInFunction
                        + " takes a function's address without a relocation");
            }
        }
    }

    private void relocate(ProgramDef f, int index, Instruction insn, Relocation r, int slotInFunction) {
        ElfSymbol sym = r.symbol();
        String section = r.symbolSection();
        java.util.function.Supplier<String> where = () -> where(f) + ": instruction " + slotInFunction;
        if (section.isEmpty()) {
            code.set(index, externs.patch(insn, sym.name(), where));
            return;
        }
        boolean call = insn.opcode() == CALL && insn.src() == Instruction.PSEUDO_CALL;
        if (call) {
            if (!section.equals(".text")) {
                throw new BpfException(where.get() + " calls '" + sym.name() + "' in section '" + section
                        + "'; subprograms must be in .text");
            }
            callTo(f, index, insn, sym.value() + (insn.imm32() + 1L) * 8);
            return;
        }
        if (!insn.isWide()) {
            throw new BpfException(where.get() + " (opcode 0x" + Integer.toHexString(insn.opcode()) + ") has a relocation"
                    + " against '" + sym.name() + "' but is neither a 64-bit load nor a call");
        }
        if (section.equals(".maps") || section.equals("maps")) {
            String map = sym.isSection() ? mapAt(section, sym.value() + insn.imm32(), where) : sym.name();
            if (!isMap(map)) {
                throw new BpfException(where.get() + " refers to '" + map + "', which is not a map definition");
            }
            code.set(index, insn.withSrc(Instruction.PSEUDO_MAP_FD).withImm(0).withReference(map));
        } else if (dataSection(section) != null) {
            long offset = (sym.isSection() ? 0 : sym.value()) + insn.imm32();
            long size = dataSection(section).size();
            if (offset < 0 || offset > size) {
                throw new BpfException(where.get() + " points at offset " + offset + " of '" + section + "' ("
                        + size + " bytes)");
            }
            code.set(index, insn.withSrc(Instruction.PSEUDO_MAP_VALUE).withImm(offset << 32).withReference(section));
        } else if (section.equals(".text")) {
            long target = sym.value() + insn.imm32();
            Instruction func = insn.withSrc(Instruction.PSEUDO_FUNC).withImm(insn.imm() & 0xffffffff00000000L);
            code.set(index, func);
            callTo(f, index, func, target);
        } else {
            throw new BpfException(where.get() + " refers to '" + sym.name() + "' in section '" + section
                    + "', which holds neither maps, global data nor functions");
        }
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
    private void callTo(ProgramDef f, int index, Instruction insn, long target) {
        ProgramDef callee = null;
        for (ProgramDef s : spec.subprograms()) {
            if (target >= s.sectionOffset() && target < s.sectionOffset() + s.instructionCount() * 8) {
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
        int relative = slots[placed.get(callee)] - slots[index] - 1;
        long imm = insn.isWide() ? (insn.imm() & 0xffffffff00000000L) | (relative & 0xffffffffL) : relative;
        code.set(index, code.get(index).withImm(imm));
    }
}
