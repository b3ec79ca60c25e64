package dev.bpf4j.features;

import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Errno;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.bpf4j.KernelConfig;

/**
 * Whether bpf() exists and what restricts it: the syscall's answer to an invalid request, the
 * sysctls ({@code kernel.unprivileged_bpf_disabled}, the JIT's {@code net.core.bpf_jit_*}) and
 * the kernel configuration. A sysctl the kernel does not have maps to null.
 */
public record SystemInfo(Probe syscall, Map<String, String> sysctls, Optional<KernelConfig> config) {
    /** The kernel options worth knowing for BPF: the syscall, JIT, BTF, the attach points' subsystems. */
    public static final List<String> CONFIG_OPTIONS = List.of(
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

    /** The sysctls read, with their /proc/sys paths. */
    public static final List<String> SYSCTLS = List.of("kernel/unprivileged_bpf_disabled", "net/core/bpf_jit_enable",
            "net/core/bpf_jit_harden", "net/core/bpf_jit_kallsyms", "net/core/bpf_jit_limit");

    public SystemInfo {
        sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
    }

    static SystemInfo read() {
        Map<String, String> sysctls = new LinkedHashMap<>();
        for (String name : SYSCTLS) {
            sysctls.put(name.substring(name.lastIndexOf('/') + 1), readSysctl(name));
        }
        return new SystemInfo(probeSyscall(), sysctls, KernelConfig.runningIfFound());
    }

    /** {@link #CONFIG_OPTIONS} with their values in the kernel config (null: not set); empty without a config. */
    public Map<String, String> configOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        config.ifPresent(c -> CONFIG_OPTIONS.forEach(o -> options.put(o, c.value(o).orElse(null))));
        return Collections.unmodifiableMap(options);
    }

    /** bpf(BPF_MAP_CREATE) of map type 0: EINVAL means the syscall is there and checked the request. */
    private static Probe probeSyscall() {
        try (Arena arena = Arena.ofConfined()) {
            int result = Bpf.tryCall(BpfCommand.BPF_MAP_CREATE, Bpf.attr(arena, 8), 8);
            int errno = result < 0 ? -result : 0;
            return switch (errno) {
                case Errno.EINVAL -> Probe.yes("an invalid BPF_MAP_CREATE was refused with EINVAL, as it should be");
                case Errno.ENOSYS -> Probe.no(errno, "this kernel has no bpf() system call (CONFIG_BPF_SYSCALL off)");
                case Errno.EPERM -> Probe.no(errno, "bpf() exists but this process may not use it (needs CAP_BPF)");
                default -> Probe.yes("BPF_MAP_CREATE of map type 0 answered " + Errno.name(errno));
            };
        }
    }

    private static String readSysctl(String name) {
        Path path = Path.of("/proc/sys", name);
        try {
            return Files.isReadable(path) ? Files.readString(path).strip() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A sentence for kernel.unprivileged_bpf_disabled. */
    public String unprivilegedMeaning() {
        String v = sysctls.get("unprivileged_bpf_disabled");
        return switch (v == null ? "" : v) {
            case "0" -> "unprivileged users may call bpf()";
            case "1" -> "bpf() needs privileges (CAP_BPF), and this cannot be undone until reboot";
            case "2" -> "bpf() needs privileges (CAP_BPF); an administrator may re-enable unprivileged use";
            case "" -> "unknown (no sysctl)";
            default -> "value " + v;
        };
    }
}
