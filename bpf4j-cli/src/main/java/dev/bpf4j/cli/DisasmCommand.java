package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.ObjectSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bpf4j disasm: an object's programs as linked for loading, with C source lines from line_info. */
@Command(name = "disasm", mixinStandardHelpOptions = true,
        description = "Disassemble an object's programs (with the subprograms they call), C source lines interleaved.")
final class DisasmCommand extends CommandBase {
    @Parameters(index = "0", paramLabel = "FILE", description = "The object file.")
    Path file;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PROGRAM", description = "Only this program.")
    String program;

    @Override
    public void run() {
        ObjectSpec spec = ObjectSpec.read(file);
        List<String> names = program != null ? List.of(program)
                : spec.programs().stream().map(ObjectSpec.ProgramDef::name).toList();
        if (json) {
            List<Map<String, Object>> programs = new ArrayList<>();
            for (String name : names) {
                ObjectSpec.ProgramDef def = spec.program(name)
                        .orElseThrow(() -> new BpfException(file + " has no program '" + name + "'"));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("program", name);
                m.put("section", def.section());
                m.put("type", String.valueOf(def.type()));
                m.put("lines", spec.link(name).disassemble().lines().toList());
                programs.add(m);
            }
            out().println(Json.write(programs));
            out().flush();
            return;
        }
        boolean first = true;
        for (String name : names) {
            if (!first) {
                out().println();
            }
            first = false;
            ObjectSpec.ProgramDef def = spec.program(name).orElse(null);
            out().println("; program " + name + (def == null ? "" : " (section " + def.section() + ", "
                    + def.type() + ")"));
            out().print(spec.link(name).disassemble());
        }
        out().flush();
    }
}
