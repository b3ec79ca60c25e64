package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.BtfObject;
import dev.bpf4j.BtfObjectInfo;
import dev.bpf4j.ObjectSpec;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.BtfCDump;
import dev.bpf4j.btf.BtfRawDump;
import dev.bpf4j.btf.KernelBtf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bpf4j btf: BTF objects loaded in the kernel. */
@Command(name = "btf", mixinStandardHelpOptions = true, description = "List BTF objects, dump BTF as C or as a type list.",
        subcommands = {BtfCommand.ListBtf.class, BtfCommand.Dump.class})
final class BtfCommand {

    @Command(name = "dump", mixinStandardHelpOptions = true,
            description = "Print BTF as a C header (vmlinux.h) or as the raw type list (as bpftool does).")
    static final class Dump extends CommandBase {
        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
                description = "A BPF object (its .BTF) or a raw BTF file; default: the kernel's /sys/kernel/btf/vmlinux.")
        Path file;

        @Option(names = "--format", paramLabel = "c|raw", defaultValue = "raw",
                description = "c: a compilable header; raw: one line per type (default).")
        String format;

        @Override
        public void run() {
            if (!format.equals("c") && !format.equals("raw")) {
                throw new BpfException("--format must be c or raw, not '" + format + "'");
            }
            Btf btf = file == null ? KernelBtf.vmlinux() : read(file);
            if (json) {
                if (!format.equals("raw")) {
                    throw new BpfException("--json prints the types, as --format raw does; not a C header");
                }
                List<Map<String, Object>> types = new ArrayList<>();
                for (BtfType t : btf.types().subList(1, btf.typeCount())) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("kind", t.kind().name());
                    m.putAll(Json.components((Record) t));
                    types.add(m);
                }
                out().println(Json.write(types));
            } else if (format.equals("raw")) {
                BtfRawDump.write(btf, out());
            } else {
                BtfCDump.write(btf, file == null ? "__VMLINUX_H__" : guard(file), out());
            }
            out().flush();
        }

        private static Btf read(Path file) {
            byte[] head = new byte[4];
            try (var in = Files.newInputStream(file)) {
                if (in.readNBytes(head, 0, 4) == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
                    return ObjectSpec.read(file).btf().orElseThrow(() -> new BpfException(file + " has no .BTF section"));
                }
            } catch (IOException e) {
                throw new BpfException("cannot read " + file + ": " + e.getMessage(), e);
            }
            return KernelBtf.read(file);
        }

        private static String guard(Path file) {
            String base = file.getFileName().toString().toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
            return "__" + base + "_H__";
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every BTF object in the kernel.")
    static final class ListBtf extends CommandBase {
        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int id : BtfObject.ids()) {
                try (BtfObject btf = BtfObject.byId(id)) {
                    BtfObjectInfo info = btf.info();
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", info.id());
                    m.put("name", info.name());
                    m.put("size", info.size());
                    m.put("kernel", info.kernel());
                    rows.add(m);
                } catch (BpfException gone) {
                    // freed between listing and opening
                }
            }
            if (json) {
                out().println(Json.write(rows));
            } else {
                Table table = new Table("ID", "NAME", "SIZE", "KERNEL");
                rows.forEach(r -> table.row(r.get("id"), r.get("name").toString().isEmpty() ? "-" : r.get("name"),
                        r.get("size"), r.get("kernel")));
                table.print(out());
            }
            out().flush();
        }
    }
}
