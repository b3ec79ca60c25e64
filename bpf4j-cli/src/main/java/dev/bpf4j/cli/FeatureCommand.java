package dev.bpf4j.cli;

import dev.bpf4j.Features;
import dev.bpf4j.MapType;
import dev.bpf4j.ProgramType;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.KernelConfig;
import dev.bpf4j.features.Probe;
import dev.bpf4j.features.Probes;
import dev.bpf4j.features.SystemInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** bpf4j feature probe: what this kernel offers for BPF, like bpftool feature probe. */
@Command(name = "feature", mixinStandardHelpOptions = true, description = "Probe the kernel's BPF features.",
        subcommands = {FeatureCommand.ProbeCommand.class})
final class FeatureCommand {

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = {"bpf() and its restrictions, JIT settings, kernel config, program and map types, helpers "
                    + "per program type, BTF kinds, links, cookies, ring buffers.",
                    "Helper probes load one small program per helper and type (paced)."})
    static final class ProbeCommand extends CommandBase {
        @Option(names = "--helper-types", split = ",", paramLabel = "TYPE",
                description = "Probe helpers only for these program types (default: every type that loads).")
        List<String> helperTypes;

        @Option(names = "--no-helpers", description = "Skip the helper probes.")
        boolean noHelpers;

        @Override
        public void run() {
            Features f = Features.kernel();
            Map<String, Object> result = new LinkedHashMap<>();
            SystemInfo sys = f.system();
            Map<String, Object> system = new LinkedHashMap<>(sys.sysctls());
            system.put("kernel_config_source", sys.config().map(KernelConfig::source).orElse(null));
            system.put("kernel_config", sys.configOptions());
            result.put("system_config", system);
            result.put("syscall_config", Map.of("bpf_syscall", TypesCommand.probeJson(sys.syscall())));
            Map<String, Object> programs = new LinkedHashMap<>();
            Features.programTypes().forEach(t -> programs.put(lower(t.name()), TypesCommand.probeJson(f.probe(t))));
            result.put("program_types", programs);
            Map<String, Object> maps = new LinkedHashMap<>();
            Features.mapTypes().forEach(t -> maps.put(lower(t.name()), TypesCommand.probeJson(f.probe(t))));
            result.put("map_types", maps);
            Map<String, Object> helpers = new LinkedHashMap<>();
            for (ProgramType t : helperTypes()) {
                helpers.put(lower(t.name()), f.helpers(t).stream().map(Helper::kernelName).toList());
            }
            result.put("helpers", helpers);
            result.put("helpers_not_probed", Probes.NOT_PROBED.stream().map(Helper::kernelName).sorted().toList());
            Map<String, Object> btf = new LinkedHashMap<>();
            for (BtfKind k : BtfKind.values()) {
                if (k != BtfKind.VOID) {
                    btf.put(lower(k.name()), TypesCommand.probeJson(f.probe(k)));
                }
            }
            result.put("btf_kinds", btf);
            Map<String, Object> misc = new LinkedHashMap<>();
            f.misc().forEach((name, p) -> misc.put(name, TypesCommand.probeJson(p)));
            result.put("misc", misc);
            if (json) {
                out().println(Json.write(result));
            } else {
                print(f, sys);
            }
            out().flush();
        }

        private List<ProgramType> helperTypes() {
            if (noHelpers) {
                return List.of();
            }
            List<ProgramType> types = new ArrayList<>();
            if (helperTypes == null) {
                Features.programTypes().stream().filter(Features.kernel()::supports).forEach(types::add);
                return types;
            }
            for (String name : helperTypes) {
                ProgramType t = ProgramType.ofName(name);
                if (t == null || t == ProgramType.UNSPEC) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "unknown program type '" + name + "'");
                }
                types.add(t);
            }
            return types;
        }

        private void print(Features f, SystemInfo sys) {
            PrintWriter out = out();
            out.println("System:");
            out.println("  bpf() system call: " + sys.syscall().describe());
            out.println("  unprivileged_bpf_disabled = " + value(sys.sysctls().get("unprivileged_bpf_disabled"))
                    + ": " + sys.unprivilegedMeaning());
            out.println("  JIT: bpf_jit_enable = " + value(sys.sysctls().get("bpf_jit_enable"))
                    + ", bpf_jit_harden = " + value(sys.sysctls().get("bpf_jit_harden"))
                    + ", bpf_jit_kallsyms = " + value(sys.sysctls().get("bpf_jit_kallsyms"))
                    + ", bpf_jit_limit = " + value(sys.sysctls().get("bpf_jit_limit")));
            if (sys.config().isPresent()) {
                out.println("  kernel config (from " + sys.config().get().source() + "):");
                sys.configOptions().forEach((k, v) -> out.println("    " + k + (v == null ? " is not set" : "=" + v)));
            } else {
                out.println("  kernel config: none found (no /proc/config.gz, no /boot/config-<release>)");
            }
            out.println();
            out.println("Program types:");
            Features.programTypes().forEach(t -> out.println("  " + lower(t.name()) + ": " + f.probe(t).describe()));
            out.println();
            out.println("Map types:");
            Features.mapTypes().forEach(t -> out.println("  " + lower(t.name()) + ": " + f.probe(t).describe()));
            List<ProgramType> types = helperTypes();
            if (!types.isEmpty()) {
                out.println();
                out.println("Helpers per program type (not probed: " + String.join(", ",
                        Probes.NOT_PROBED.stream().map(Helper::kernelName).sorted().toList()) + "):");
                for (ProgramType t : types) {
                    List<String> names = f.helpers(t).stream().map(Helper::kernelName).toList();
                    out.println("  " + lower(t.name()) + " (" + names.size() + "): " + String.join(" ", names));
                }
            }
            out.println();
            out.println("BTF kinds:");
            for (BtfKind k : BtfKind.values()) {
                if (k != BtfKind.VOID) {
                    out.println("  " + lower(k.name()) + ": " + f.probe(k).describe());
                }
            }
            out.println();
            out.println("Other features:");
            f.misc().forEach((name, p) -> out.println("  " + name + ": " + p.describe()));
        }

        private static String value(String v) {
            return v == null ? "(absent)" : v;
        }
    }

    static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
