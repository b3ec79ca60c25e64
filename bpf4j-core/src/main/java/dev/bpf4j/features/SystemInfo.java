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

/**
 * Whether bpf() exists and what restricts it: the syscall's answer to an invalid request, the
 * sysctls ({@code kernel.unprivileged_bpf_disabled}, the JIT's {@code net.core.bpf_jit_*}) and
 * the kernel configuration. A sysctl the kernel does not have maps to null.
 */
public record SystemInfo(Probe syscall, Map<String, String> sysctls, KernelConfig config) {
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
        return new SystemInfo(probeSyscall(), sysctls, KernelConfig.read());
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
