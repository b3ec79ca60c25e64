package dev.bpf4j.cli;

import dev.bpf4j.AttachType;
import dev.bpf4j.ContextLayout;
import dev.bpf4j.Features;
import dev.bpf4j.ProgramType;
import dev.bpf4j.ProgramTypeCatalog;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.features.Probe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** bpf4j types [TYPE]: the program-type catalog, and one type's three answers checked on this kernel. */
@Command(name = "types", mixinStandardHelpOptions = true,
        description = {"List every program type: category, context, section names, whether it loads here.",
                "With a TYPE (such as kprobe): what it does and when it runs, how it is loaded and attached, "
                        + "its context struct's layout from the kernel's BTF, and whether it loads and attaches "
                        + "on this kernel."})
final class TypesCommand extends CommandBase {
    @Parameters(arity = "0..1", paramLabel = "TYPE", description = "A program type, any case: kprobe, XDP, "
            + "BPF_PROG_TYPE_SCHED_CLS.")
    String typeName;

    @Override
    public void run() {
        if (typeName == null) {
            listAll();
        } else {
            showOne();
        }
        out().flush();
    }

    private void listAll() {
        Features features = Features.kernel();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ProgramTypeCatalog.Entry e : ProgramTypeCatalog.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", e.type().name());
            m.put("category", e.category().label());
            m.put("context", e.context());
            m.put("sections", e.sections());
            m.put("loads_here", features.supports(e.type()));
            m.put("bpf4j_attach", e.bpf4jAttach());
            rows.add(m);
        }
        Map<Integer, String> kernelOnly = new LinkedHashMap<>();
        KernelBtf.find().map(ProgramTypeCatalog::kernelTypes).orElse(Map.of()).forEach((n, name) -> {
            if (ProgramType.ofValue(n) == null) {
                kernelOnly.put(n, name);
            }
        });
        if (json) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("types", rows);
            all.put("kernel_only", kernelOnly.entrySet().stream()
                    .map(en -> Map.<String, Object>of("value", en.getKey(), "name", en.getValue())).toList());
            out().println(Json.write(all));
            return;
        }
        Table table = new Table("TYPE", "CATEGORY", "CONTEXT", "HERE", "BPF4J ATTACH", "SECTIONS");
        for (Map<String, Object> r : rows) {
            @SuppressWarnings("unchecked")
            List<String> sections = (List<String>) r.get("sections");
            String shown = sections.size() <= 3 ? String.join(" ", sections)
                    : String.join(" ", sections.subList(0, 3)) + " (+" + (sections.size() - 3) + ")";
            table.row(r.get("type"), r.get("category"), r.get("context"),
                    (Boolean) r.get("loads_here") ? "loads" : "no", attachColumn(r), shown);
        }
        kernelOnly.forEach((n, name) -> table.row(name, "(kernel only, #" + n + ")", "-", "?", "not yet", "-"));
        table.print(out());
    }

    private static String attachColumn(Map<String, Object> r) {
        return "not yet".equals(r.get("bpf4j_attach")) ? "not yet" : "yes";
    }

    private void showOne() {
        Optional<ProgramTypeCatalog.Entry> found = ProgramTypeCatalog.find(typeName);
        if (found.isEmpty()) {
            String norm = typeName.strip().toUpperCase(Locale.ROOT).replaceFirst("^BPF_PROG_TYPE_", "");
            Optional<Map.Entry<Integer, String>> kernelOnly = KernelBtf.find()
                    .map(ProgramTypeCatalog::kernelTypes).orElse(Map.of()).entrySet().stream()
                    .filter(en -> en.getValue().equals(norm)).findFirst();
            if (kernelOnly.isPresent()) {
                out().println(norm + ": known to this kernel as program type " + kernelOnly.get().getKey()
                        + ", but bpf4j has no catalog entry for it yet");
                return;
            }
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown program type '" + typeName
                    + "' (try 'bpf4j types' for the list)");
        }
        ProgramTypeCatalog.Entry e = found.get();
        Features features = Features.kernel();
        Optional<Btf> btf = KernelBtf.find();
        Optional<ContextLayout> layout = e.contextStruct().isEmpty() || btf.isEmpty() ? Optional.empty()
                : ContextLayout.read(btf.get(), e.contextStruct());
        Optional<ContextLayout.Registers> regs = e.contextStruct().equals("pt_regs")
                ? ContextLayout.Registers.current() : Optional.empty();
        Probe loads = features.probe(e.type());
        Probe attaches = features.attachable(e.type());
        if (json) {
            out().println(Json.write(toJson(e, layout, regs, loads, attaches)));
            return;
        }
        PrintWriter out = out();
        out.println(e.type().name() + " (" + e.type().kernelName() + " = " + e.type().value() + "), category: "
                + e.category().label());
        out.println();
        out.println("What it does and when it runs:");
        out.println("  " + e.runsWhen());
        out.println();
        out.println("How it is loaded and attached:");
        out.println("  " + e.attachedBy());
        for (int i = 0; i < e.syscalls().size(); i++) {
            out.println("  " + (i + 1) + ". " + e.syscalls().get(i));
        }
        out.println("  section names: " + String.join(" ", e.sections())
                + (e.legacySections().isEmpty() ? "" : " (older: " + String.join(" ", e.legacySections()) + ")"));
        out.println("  attach types: " + (e.attachTypes().isEmpty() ? "none"
                : String.join(" ", e.attachTypes().stream().map(AttachType::kernelName).toList())));
        out.println("  bpf4j attaches it: " + e.bpf4jAttach());
        out.println();
        out.println("What context it receives: " + e.context());
        if (layout.isPresent()) {
            ContextLayout l = layout.get();
            out.println("  struct " + l.struct() + " from " + KernelBtf.VMLINUX + ", " + l.size() + " bytes:");
            Table fields = new Table("  OFFSET", "SIZE", "FIELD", "TYPE");
            for (ContextLayout.Field f : l.fields()) {
                String off = f.isBitfield() ? f.offset() + ":" + f.bitOffset() : String.valueOf(f.offset());
                String size = f.isBitfield() ? f.bits() + " bits" : String.valueOf(f.size());
                fields.row("  " + off, size, f.name(), f.cType());
            }
            fields.print(out);
        } else if (!e.contextStruct().isEmpty()) {
            out.println("  (no kernel BTF describes struct " + e.contextStruct() + " here)");
        }
        if (regs.isPresent() && layout.isPresent()) {
            ContextLayout.Registers r = regs.get();
            out.println("  on " + r.arch() + ", function arguments 1-6 are in:");
            for (int i = 0; i < r.arguments().size(); i++) {
                out.println("    arg" + (i + 1) + "  " + r.arguments().get(i) + " (offset "
                        + layout.get().offsetOf(r.arguments().get(i)).map(String::valueOf).orElse("?") + ")");
            }
            out.println("    return value  " + r.returnValue() + " (offset "
                    + layout.get().offsetOf(r.returnValue()).map(String::valueOf).orElse("?") + ")");
        }
        out.println();
        out.println("On this kernel:");
        out.println("  loads: " + features.whyNot(e.type()).map(why -> "no: " + why).orElse(loads.describe()));
        out.println("  attaches: " + attaches.describe());
    }

    private static Map<String, Object> toJson(ProgramTypeCatalog.Entry e, Optional<ContextLayout> layout,
            Optional<ContextLayout.Registers> regs, Probe loads, Probe attaches) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", e.type().name());
        m.put("value", e.type().value());
        m.put("category", e.category().label());
        m.put("runs_when", e.runsWhen());
        m.put("attached_by", e.attachedBy());
        m.put("syscalls", e.syscalls());
        m.put("sections", e.sections());
        m.put("legacy_sections", e.legacySections());
        m.put("attach_types", e.attachTypes().stream().map(AttachType::kernelName).toList());
        m.put("bpf4j_attach", e.bpf4jAttach());
        m.put("context", e.context());
        layout.ifPresent(l -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("struct", l.struct());
            s.put("size", l.size());
            s.put("fields", l.fields().stream().map(f -> {
                Map<String, Object> fm = new LinkedHashMap<>();
                fm.put("name", f.name());
                fm.put("type", f.cType());
                fm.put("offset", f.offset());
                fm.put("size", f.size());
                if (f.isBitfield()) {
                    fm.put("bit_offset", f.bitOffset());
                    fm.put("bits", f.bits());
                }
                return fm;
            }).toList());
            regs.ifPresent(r -> {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("arch", r.arch());
                rm.put("arguments", r.arguments());
                rm.put("argument_offsets", r.arguments().stream().map(a -> l.offsetOf(a).orElse(-1L)).toList());
                rm.put("return_value", r.returnValue());
                rm.put("return_offset", l.offsetOf(r.returnValue()).orElse(-1L));
                s.put("registers", rm);
            });
            m.put("context_layout", s);
        });
        m.put("loads", probeJson(loads));
        m.put("attaches", probeJson(attaches));
        return m;
    }

    static Map<String, Object> probeJson(Probe p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("supported", p.supported());
        if (p.errno() != 0) {
            m.put("errno", p.errnoName());
        }
        if (!p.detail().isEmpty()) {
            m.put("detail", p.detail());
        }
        return m;
    }
}
