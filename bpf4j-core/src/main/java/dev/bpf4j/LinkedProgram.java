package dev.bpf4j;

import dev.bpf4j.btf.BtfExt;

import dev.bpf4j.asm.Disassembler;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.core.CoreResolution;
import dev.bpf4j.btf.core.CoreResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One program of an object with the {@code .text} subprograms it calls appended (depth-first in
 * call order, as libbpf does), calls and callback addresses patched, and its func_info and
 * line_info rebased to the linked instructions. Map and global-data loads still name their map
 * symbolically ({@link dev.bpf4j.asm.Instruction#reference()}): the loader puts in the fds.
 *
 * @param functions the program and each appended subprogram, with the slot where it starts
 * @param lines     source lines by slot, in increasing slot order (empty without .BTF.ext)
 * @param coreRelocations what each CO-RE relocation of the program and its subprograms resolved
 *                  to, with slots and instruction indexes in the linked program
 */
public record LinkedProgram(ObjectSpec.ProgramDef program, Instructions instructions, List<Function> functions,
                            List<SourceLine> lines, List<CoreResolution> coreRelocations) {
    private static final Pattern KFUNC_POISON = Pattern.compile("(?m)^(\\d+): \\(85\\) call [^\\n]*#20020\\d{5}\\b");
    private static final Pattern INSTRUCTION_LINE = Pattern.compile("^(\\d+): \\([0-9a-f]{2}\\)");

    public LinkedProgram {
        functions = List.copyOf(functions);
        lines = List.copyOf(lines);
        coreRelocations = List.copyOf(coreRelocations);
    }

    /**
     * Why the verifier rejected this program, when its log shows it reached an instruction the
     * loader poisoned: a CO-RE relocation that did not resolve (naming the type and field path),
     * or a call to a weak kfunc this kernel lacks.
     */
    public Optional<String> explainPoison(String verifierLog) {
        if (verifierLog == null) {
            return Optional.empty();
        }
        Optional<String> core = new CoreResult(instructions, coreRelocations).explain(verifierLog);
        if (core.isPresent()) {
            return core;
        }
        Matcher m = KFUNC_POISON.matcher(verifierLog);
        if (m.find()) {
            return Optional.of("instruction " + m.group(1) + " calls a weak kfunc this kernel does not have"
                    + " (the loader made it an invalid call); check it with bpf_ksym_exists() first");
        }
        return Optional.empty();
    }

    /** A function placed in the linked program; {@code btfTypeId} is its BTF FUNC (0 without func_info). */
    public record Function(String name, int slot, int btfTypeId) {
    }

    /** A C source line for the instructions from {@code slot} on: the object's line info, placed. */
    public record SourceLine(int slot, BtfExt.LineInfo info) {
        public String file() {
            return info.fileName();
        }

        public String line() {
            return info.line();
        }

        public int lineNumber() {
            return info.lineNumber();
        }

        public int column() {
            return info.column();
        }

        /** {@code ; return x + 1; @ file.c:12}, as the verifier and bpftool write it. */
        public String annotation() {
            String file = file();
            Path name = Path.of(file).getFileName();
            return "; " + line().strip() + " @ " + (name == null ? file : name.toString()) + ":" + lineNumber();
        }
    }

    public String name() {
        return program.name();
    }

    /** The source line in effect at {@code slot}: the last one starting at or before it. */
    public Optional<SourceLine> sourceLineAt(int slot) {
        SourceLine found = null;
        for (SourceLine l : lines) {
            if (l.slot() > slot) {
                break;
            }
            found = l;
        }
        return Optional.ofNullable(found);
    }

    /**
     * The listing with each function's name and, where line_info gives one, the C source line
     * before the instructions it produced.
     */
    public String disassemble() {
        StringBuilder out = new StringBuilder();
        List<String> text = Disassembler.standard().lines(instructions);
        int nextLine = 0;
        int nextFunction = 0;
        String printed = null;
        for (int i = 0; i < instructions.size(); i++) {
            int slot = instructions.slotOf(i);
            while (nextFunction < functions.size() && functions.get(nextFunction).slot() <= slot) {
                out.append(functions.get(nextFunction++).name()).append(":\n");
            }
            SourceLine last = null;
            while (nextLine < lines.size() && lines.get(nextLine).slot() <= slot) {
                last = lines.get(nextLine++);
            }
            if (last != null && !last.annotation().equals(printed)) {
                printed = last.annotation();
                out.append(printed).append('\n');
            }
            out.append(text.get(i)).append('\n');
        }
        return out.toString();
    }

    /**
     * A verifier log with every instruction line preceded by its C source line, unless the line
     * just before already says it (the kernel writes some itself).
     */
    public String annotate(String verifierLog) {
        if (lines.isEmpty()) {
            return verifierLog;
        }
        StringBuilder out = new StringBuilder();
        String current = null;
        for (String line : verifierLog.split("\n", -1)) {
            Matcher m = INSTRUCTION_LINE.matcher(line);
            if (m.find()) {
                Optional<SourceLine> source = sourceLineAt(Integer.parseInt(m.group(1)));
                if (source.isPresent() && !source.get().annotation().equals(current)) {
                    current = source.get().annotation();
                    out.append(current).append('\n');
                }
            } else if (line.startsWith("; ")) {
                current = line.strip();
            }
            out.append(line).append('\n');
        }
        out.setLength(out.length() - 1); // the split kept the original end
        return out.toString();
    }
}
