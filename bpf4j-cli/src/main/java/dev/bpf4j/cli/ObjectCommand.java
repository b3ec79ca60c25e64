package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.BpfMap;
import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.MapFlags;
import dev.bpf4j.ObjectSpec;
import dev.bpf4j.Program;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.core.CoreResolution;
import dev.bpf4j.elf.ElfSection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** bpf4j object: what a BPF ELF object holds, and loading it. */
@Command(name = "object", mixinStandardHelpOptions = true, description = "Inspect or load a BPF ELF object.",
        subcommands = {ObjectCommand.Inspect.class, ObjectCommand.Load.class})
final class ObjectCommand {

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Sections, programs, maps, global variables and BTF of an object file.")
    static final class Inspect extends CommandBase {
        @Parameters(index = "0", paramLabel = "FILE", description = "The object file (clang -target bpf).")
        Path file;

        @Override
        public void run() {
            ObjectSpec spec = ObjectSpec.read(file);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("file", spec.fileName());
            result.put("license", spec.license());
            result.put("kernel_version", spec.kernelVersion());
            result.put("sections", sections(spec));
            result.put("programs", programs(spec));
            result.put("maps", maps(spec));
            result.put("variables", variables(spec));
            result.put("btf", btf(spec));
            result.put("core", core(spec));
            if (json) {
                out().println(Json.write(result));
            } else {
                printText(spec, result);
            }
            out().flush();
        }

        private static List<Map<String, Object>> sections(ObjectSpec spec) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ElfSection s : spec.elf().sections()) {
                if (s.index() == 0) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", s.index());
                m.put("name", s.name());
                m.put("type", sectionType(s.type()));
                m.put("size", s.size());
                rows.add(m);
            }
            return rows;
        }

        private static String sectionType(int type) {
            return switch (type) {
                case ElfSection.SHT_PROGBITS -> "PROGBITS";
                case ElfSection.SHT_SYMTAB -> "SYMTAB";
                case ElfSection.SHT_STRTAB -> "STRTAB";
                case ElfSection.SHT_NOBITS -> "NOBITS";
                case ElfSection.SHT_REL -> "REL";
                case ElfSection.SHT_RELA -> "RELA";
                default -> "0x" + Integer.toHexString(type);
            };
        }

        private static List<Map<String, Object>> programs(ObjectSpec spec) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ObjectSpec.ProgramDef p : spec.programs()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", p.name());
                m.put("section", p.section());
                m.put("type", String.valueOf(p.type()));
                m.put("attach", p.attachType() == null ? "" : p.attachType().toString());
                m.put("target", p.match().map(x -> x.target()).orElse(""));
                m.put("instructions", p.instructionCount());
                rows.add(m);
            }
            return rows;
        }

        private static List<Map<String, Object>> maps(ObjectSpec spec) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ObjectSpec.MapDef d : spec.maps()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("type", d.mapType() == null ? String.valueOf(d.type()) : d.mapType().toString());
                m.put("key_size", d.keySize());
                m.put("value_size", d.valueSize());
                m.put("max_entries", d.maxEntries());
                m.put("flags", d.flags());
                m.put("source", d.source().toString());
                m.put("pinning", d.pinning());
                m.put("initial_values", new TreeMap<>(d.initialValues()).toString());
                rows.add(m);
            }
            for (ObjectSpec.DataSection d : spec.dataSections()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", d.name());
                m.put("type", "ARRAY");
                m.put("key_size", 4);
                m.put("value_size", d.size());
                m.put("max_entries", 1);
                m.put("flags", MapFlags.MMAPABLE | (d.readOnly() ? MapFlags.RDONLY_PROG : 0));
                m.put("source", "DATA");
                m.put("pinning", 0);
                m.put("initial_values", "");
                rows.add(m);
            }
            return rows;
        }

        private static List<Map<String, Object>> variables(ObjectSpec spec) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (ObjectSpec.VariableDef v : spec.variables()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", v.name());
                m.put("section", v.section());
                m.put("offset", v.offset());
                m.put("size", v.size());
                m.put("read_only", v.readOnly());
                rows.add(m);
            }
            return rows;
        }

        private static Map<String, Object> btf(ObjectSpec spec) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("present", spec.btf().isPresent());
            spec.btf().ifPresent(btf -> {
                m.put("types", btf.typeCount() - 1);
                m.put("strings_bytes", btf.strings().size());
                Map<String, Integer> kinds = new TreeMap<>();
                for (BtfType t : btf.types().subList(1, btf.typeCount())) {
                    kinds.merge(t.kind().toString(), 1, Integer::sum);
                }
                m.put("kinds", kinds);
            });
            spec.btfExt().ifPresent(ext -> {
                m.put("func_info", ext.funcInfos().values().stream().mapToInt(List::size).sum());
                m.put("line_info", ext.lineInfos().values().stream().mapToInt(List::size).sum());
                m.put("core_relos", ext.coreRelos().values().stream().mapToInt(List::size).sum());
            });
            return m;
        }

        /**
         * Each CO-RE relocation of each program (with the subprograms it calls), resolved against
         * this kernel's BTF: kind, local type and field path, and the value or why it was poisoned.
         */
        private static List<Map<String, Object>> core(ObjectSpec spec) {
            List<Map<String, Object>> rows = new ArrayList<>();
            boolean any = spec.btfExt().map(e -> e.coreRelos().values().stream().anyMatch(l -> !l.isEmpty()))
                    .orElse(false);
            if (!any) {
                return rows;
            }
            for (ObjectSpec.ProgramDef p : spec.programs()) {
                List<CoreResolution> list;
                try {
                    list = spec.link(p.name()).coreRelocations();
                } catch (BpfException e) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("program", p.name());
                    m.put("error", e.getMessage());
                    rows.add(m);
                    continue;
                }
                for (CoreResolution r : list) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("program", p.name());
                    m.put("insn", r.slot());
                    m.put("kind", r.kind().toString());
                    m.put("local", r.local());
                    m.put("access", r.access());
                    m.put("local_value", r.localValue());
                    m.put("value", r.poisoned() ? "poisoned" : Long.toUnsignedString(r.targetValue()));
                    m.put("target", r.target());
                    m.put("note", r.note());
                    rows.add(m);
                }
            }
            return rows;
        }

        @SuppressWarnings("unchecked")
        private void printText(ObjectSpec spec, Map<String, Object> result) {
            out().println("file: " + spec.fileName() + "  license: " + spec.license()
                    + (spec.kernelVersion() != 0 ? "  version: 0x" + Integer.toHexString(spec.kernelVersion()) : ""));
            out().println();
            out().println("sections:");
            Table sections = new Table("IDX", "NAME", "TYPE", "SIZE");
            ((List<Map<String, Object>>) result.get("sections")).forEach(r ->
                    sections.row(r.get("index"), r.get("name"), r.get("type"), r.get("size")));
            sections.print(out());
            out().println();
            out().println("programs:");
            Table programs = new Table("NAME", "SECTION", "TYPE", "ATTACH", "INSNS");
            ((List<Map<String, Object>>) result.get("programs")).forEach(r -> programs.row(r.get("name"),
                    r.get("section"), r.get("type"), dash(r.get("attach")), r.get("instructions")));
            programs.print(out());
            out().println();
            out().println("maps:");
            Table maps = new Table("NAME", "TYPE", "KEY", "VALUE", "MAX", "FLAGS", "SOURCE", "PIN");
            ((List<Map<String, Object>>) result.get("maps")).forEach(r -> maps.row(r.get("name"), r.get("type"),
                    r.get("key_size"), r.get("value_size"), r.get("max_entries"),
                    "0x" + Integer.toHexString((Integer) r.get("flags")), r.get("source"),
                    ((Integer) r.get("pinning")) == 1 ? "by-name" : "-"));
            maps.print(out());
            out().println();
            out().println("variables:");
            Table vars = new Table("NAME", "SECTION", "OFFSET", "SIZE", "READ-ONLY");
            ((List<Map<String, Object>>) result.get("variables")).forEach(r -> vars.row(r.get("name"),
                    r.get("section"), r.get("offset"), r.get("size"), r.get("read_only")));
            vars.print(out());
            out().println();
            Map<String, Object> btf = (Map<String, Object>) result.get("btf");
            out().println("btf: " + (Boolean.TRUE.equals(btf.get("present"))
                    ? btf.get("types") + " types " + btf.get("kinds") + ", func_info " + btf.get("func_info")
                    + ", line_info " + btf.get("line_info") + ", CO-RE relocations " + btf.get("core_relos")
                    : "none"));
            List<Map<String, Object>> core = (List<Map<String, Object>>) result.get("core");
            if (!core.isEmpty()) {
                out().println();
                out().println("CO-RE relocations on this kernel:");
                Table t = new Table("PROGRAM", "INSN", "KIND", "LOCAL", "ACCESS", "VALUE", "TARGET");
                for (Map<String, Object> r : core) {
                    if (r.containsKey("error")) {
                        t.row(r.get("program"), "-", "error", r.get("error"), "", "", "");
                        continue;
                    }
                    String value = r.get("value") + (r.get("note").toString().isEmpty() ? "" : " (" + r.get("note") + ")");
                    t.row(r.get("program"), r.get("insn"), r.get("kind"), r.get("local"), r.get("access"), value,
                            dash(r.get("target")));
                }
                t.print(out());
            }
        }

        private static Object dash(Object o) {
            return o == null || o.toString().isEmpty() ? "-" : o;
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true,
            description = "Load an object's programs (all, or those named) and maps; print their ids.")
    static final class Load extends CommandBase {
        @Parameters(index = "0", paramLabel = "FILE", description = "The object file.")
        Path file;

        @Option(names = "--program", paramLabel = "NAME", description = "Load only this program (repeatable).")
        List<String> programs = new ArrayList<>();

        @Option(names = "--pin", paramLabel = "DIR",
                description = "Pin programs and maps under DIR (on bpffs) by name; they stay after exit.")
        Path pinDir;

        @Override
        public void run() {
            ObjectSpec spec = ObjectSpec.read(file);
            LoadOptions.Builder options = LoadOptions.builder();
            if (!programs.isEmpty()) {
                options.only(programs.toArray(String[]::new));
            }
            LoadOptions loadOptions = options.build();
            try (BpfObject obj = BpfObject.load(spec, loadOptions)) {
                if (pinDir != null) {
                    obj.pin(pinDir);
                }
                List<Map<String, Object>> progs = new ArrayList<>();
                for (Map.Entry<String, Program> p : obj.programs().entrySet()) {
                    Path path = pinDir == null ? null : pinDir.resolve(BpfObject.programPinName(p.getKey()));
                    progs.add(row("program", p.getKey(), p.getValue().info().id(), p.getValue().type(),
                            pinnedPath(obj, path)));
                }
                for (Map.Entry<String, BpfMap> e : obj.maps().entrySet()) {
                    // a map pinned by name (LIBBPF_PIN_BY_NAME) lives under the pin root, made now or reused
                    Path byName = spec.map(e.getKey()).filter(d -> d.pinning() != 0)
                            .map(d -> loadOptions.pinRoot().resolve(d.name())).filter(Files::exists).orElse(null);
                    Path path = byName != null ? byName
                            : pinDir == null ? null : pinDir.resolve(BpfObject.pinName(e.getKey(), e.getValue()));
                    progs.add(row("map", e.getKey(), e.getValue().info().id(), e.getValue().type(),
                            byName != null ? byName.toString() : pinnedPath(obj, path)));
                }
                boolean anyPinned = progs.stream().anyMatch(r -> !r.get("pinned").toString().isEmpty());
                if (json) {
                    out().println(Json.write(progs));
                } else {
                    Table t = new Table("KIND", "NAME", "ID", "TYPE", "PINNED");
                    progs.forEach(r -> t.row(r.get("kind"), r.get("name"), r.get("id"), r.get("type"),
                            r.get("pinned").toString().isEmpty() ? "-" : r.get("pinned")));
                    t.print(out());
                    out().println(!anyPinned ? "released at exit (use --pin DIR to keep them)"
                            : "what is pinned stays loaded after exit; the rest is released");
                }
                out().flush();
            }
        }

        private static Map<String, Object> row(String kind, String name, int id, Object type, String pinned) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", kind);
            m.put("name", name);
            m.put("id", id);
            m.put("type", String.valueOf(type));
            m.put("pinned", pinned);
            return m;
        }

        /** {@code path} if the object pinned something there, else empty. */
        private static String pinnedPath(BpfObject obj, Path path) {
            return path != null && obj.pins().contains(path.toAbsolutePath()) ? path.toString() : "";
        }
    }
}
