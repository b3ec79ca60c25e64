package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.Program;
import dev.bpf4j.ProgramInfo;
import dev.bpf4j.asm.Disassembler;
import dev.bpf4j.asm.KernelSymbols;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bpf4j prog: the kernel's programs. */
@Command(name = "prog", mixinStandardHelpOptions = true, description = "List, show and dump loaded programs.",
        subcommands = {ProgCommand.ListProgs.class, ProgCommand.Show.class, ProgCommand.Dump.class})
final class ProgCommand {

    static Program open(String ref) {
        return ObjectRef.open(ref, "program", Program.ids(), Program::byId, Program::pinned, p -> p.info().name());
    }

    static String typeName(ProgramInfo info) {
        return info.type() == null ? "unknown(" + info.typeValue() + ")" : info.type().name().toLowerCase();
    }

    static Map<String, Object> describe(ProgramInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", info.id());
        m.put("type", typeName(info));
        m.put("name", info.name());
        m.put("tag", info.tag());
        m.put("gpl_compatible", info.gplCompatible());
        m.put("xlated_insns", info.xlated().size());
        m.put("jited_bytes", info.jitedLength());
        m.put("map_ids", info.mapIds());
        m.put("btf_id", info.btfId());
        m.put("verified_insns", info.verifiedInstructions());
        m.put("run_count", info.runCount());
        m.put("run_time_ns", info.runTimeNs());
        m.put("uid", info.createdByUid());
        return m;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every loaded program.")
    static final class ListProgs extends CommandBase {
        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int id : Program.ids()) {
                try (Program p = Program.byId(id)) {
                    rows.add(describe(p.info()));
                } catch (BpfException gone) {
                    // unloaded between listing and opening
                }
            }
            if (json) {
                out().println(Json.write(rows));
            } else {
                Table table = new Table("ID", "TYPE", "NAME", "TAG", "INSNS", "JITED", "MAPS");
                rows.forEach(r -> table.row(r.get("id"), r.get("type"), r.get("name"), r.get("tag"),
                        r.get("xlated_insns"), r.get("jited_bytes"), r.get("map_ids")));
                table.print(out());
            }
            out().flush();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one program.")
    static final class Show extends CommandBase {
        @Parameters(paramLabel = "PROG", description = "id, pinned:PATH or name:NAME")
        String ref;

        @Override
        public void run() {
            try (Program p = open(ref)) {
                printObject(describe(p.info()));
            }
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print a program's translated instructions (as bpftool prog dump xlated) or JIT bytes.")
    static final class Dump extends CommandBase {
        @Parameters(index = "0", paramLabel = "KIND", description = "xlated or jited")
        String kind;

        @Parameters(index = "1", paramLabel = "PROG", description = "id, pinned:PATH or name:NAME")
        String ref;

        @Override
        public void run() {
            if (!kind.equals("xlated") && !kind.equals("jited")) {
                throw new IllegalArgumentException("dump " + kind + ": expected xlated or jited");
            }
            try (Program p = open(ref)) {
                ProgramInfo info = p.info();
                if (kind.equals("xlated")) {
                    if (info.xlated().size() == 0) {
                        throw new BpfException("the kernel withholds program " + ref + "'s instructions"
                                + " (kernel.kptr_restrict or not root?)");
                    }
                    List<String> lines = Disassembler.forXlated(KernelSymbols.load()).lines(info.xlated());
                    out().println(json ? Json.write(lines) : String.join("\n", lines));
                } else {
                    String hex = HexFormat.ofDelimiter(" ").formatHex(info.jited());
                    out().println(json ? Json.write(Map.of("jited", hex, "length", info.jitedLength())) : hex);
                }
            }
            out().flush();
        }
    }
}
