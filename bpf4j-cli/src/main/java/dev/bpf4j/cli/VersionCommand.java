package dev.bpf4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** bpf4j version: this build, the JDK and the kernel it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Show bpf4j, JDK and kernel versions.")
final class VersionCommand implements Runnable {
    static final String VERSION = "0.1.0-SNAPSHOT";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public void run() {
        Map<String, Object> facts = facts();
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(facts));
        } else {
            facts.forEach((k, v) -> out.println(k + ": " + v));
        }
        out.flush();
    }

    static Map<String, Object> facts() {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("bpf4j", VERSION);
        facts.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        facts.put("kernel", read("/proc/sys/kernel/osrelease"));
        facts.put("arch", System.getProperty("os.arch"));
        facts.put("jit", switch (read("/proc/sys/net/core/bpf_jit_enable")) {
            case "0" -> "off";
            case "1" -> "on";
            case "2" -> "on (debug)";
            default -> "unknown";
        });
        facts.put("kernel_btf", Files.exists(Path.of("/sys/kernel/btf/vmlinux")));
        return facts;
    }

    private static String read(String path) {
        try {
            return Files.readString(Path.of(path)).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"bpf4j " + VERSION};
        }
    }
}
