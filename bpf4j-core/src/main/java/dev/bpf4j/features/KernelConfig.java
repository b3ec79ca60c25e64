package dev.bpf4j.features;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The BPF-related options of the running kernel's build configuration, read from
 * {@code /proc/config.gz} or {@code /boot/config-<release>}. {@code source} names the file read,
 * or is empty when neither exists; {@code options} maps every option of {@link #OPTIONS} to its
 * value ({@code y}, {@code m}, a number), or to null when it is not set.
 */
public record KernelConfig(String source, Map<String, String> options) {
    /** The options worth knowing for BPF: the syscall, JIT, BTF, the attach points' subsystems. */
    public static final List<String> OPTIONS = List.of(
            "CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_HAVE_EBPF_JIT", "CONFIG_BPF_JIT", "CONFIG_BPF_JIT_ALWAYS_ON",
            "CONFIG_BPF_UNPRIV_DEFAULT_OFF", "CONFIG_DEBUG_INFO_BTF", "CONFIG_DEBUG_INFO_BTF_MODULES",
            "CONFIG_CGROUPS", "CONFIG_CGROUP_BPF", "CONFIG_CGROUP_NET_CLASSID", "CONFIG_SOCK_CGROUP_DATA",
            "CONFIG_BPF_EVENTS", "CONFIG_KPROBES", "CONFIG_KPROBE_EVENTS", "CONFIG_UPROBE_EVENTS", "CONFIG_TRACING",
            "CONFIG_FTRACE_SYSCALLS", "CONFIG_FUNCTION_TRACER", "CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS",
            "CONFIG_FUNCTION_ERROR_INJECTION", "CONFIG_BPF_KPROBE_OVERRIDE", "CONFIG_BPF_LSM", "CONFIG_NET",
            "CONFIG_XDP_SOCKETS", "CONFIG_LWTUNNEL_BPF", "CONFIG_NET_ACT_BPF", "CONFIG_NET_CLS_BPF",
            "CONFIG_NET_CLS_ACT", "CONFIG_NET_SCH_INGRESS", "CONFIG_NET_XGRESS", "CONFIG_XFRM",
            "CONFIG_IP_ROUTE_CLASSID", "CONFIG_IPV6_SEG6_BPF", "CONFIG_BPF_LIRC_MODE2", "CONFIG_BPF_STREAM_PARSER",
            "CONFIG_NETFILTER_BPF_LINK", "CONFIG_NETFILTER_XT_MATCH_BPF", "CONFIG_BPF_PRELOAD", "CONFIG_TEST_BPF",
            "CONFIG_HZ");

    public KernelConfig {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
    }

    /** True when a config file was found and read. */
    public boolean found() {
        return !source.isEmpty();
    }

    /** The option's value, or null when unset (or no config was found). */
    public String get(String option) {
        return options.get(option);
    }

    /** Reads the running kernel's config; an empty {@code source} when there is none. */
    public static KernelConfig read() {
        Path proc = Path.of("/proc/config.gz");
        try {
            if (Files.isReadable(proc)) {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(proc))) {
                    return parse(proc.toString(), in);
                }
            }
            Path boot = Path.of("/boot/config-" + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
            if (Files.isReadable(boot)) {
                try (InputStream in = Files.newInputStream(boot)) {
                    return parse(boot.toString(), in);
                }
            }
        } catch (IOException e) {
            return new KernelConfig("", Map.of());
        }
        return new KernelConfig("", Map.of());
    }

    /** Parses {@code CONFIG_X=value} lines; every option of {@link #OPTIONS} missing from the text is unset. */
    static KernelConfig parse(String source, InputStream text) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(text, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                int eq = line.indexOf('=');
                if (line.startsWith("CONFIG_") && eq > 0) {
                    String value = line.substring(eq + 1);
                    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                        value = value.substring(1, value.length() - 1);
                    }
                    all.put(line.substring(0, eq), value);
                }
            }
        }
        Map<String, String> chosen = new LinkedHashMap<>();
        OPTIONS.forEach(o -> chosen.put(o, all.get(o)));
        return new KernelConfig(source, chosen);
    }
}
