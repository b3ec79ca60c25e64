package dev.bpf4j.internal.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK; newer ones use memory cgroups. The limit
 * is raised once, and only where the kernel still charges it.
 */
public final class Memlock {
    private static volatile boolean done;

    private Memlock() {
    }

    public static void ensureRaised() {
        if (done) {
            return;
        }
        synchronized (Memlock.class) {
            if (!done) {
                if (kernelChargesMemlock(kernelRelease())) {
                    raise();
                }
                done = true;
            }
        }
    }

    /** True for releases before 5.11. */
    static boolean kernelChargesMemlock(String release) {
        String[] parts = release.split("[.-]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major < 5 || (major == 5 && minor < 11);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return "0.0";
        }
    }

    private static void raise() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment limit = arena.allocate(16, 8);
            limit.set(ValueLayout.JAVA_LONG, 0, -1L); // RLIM_INFINITY
            limit.set(ValueLayout.JAVA_LONG, 8, -1L);
            Sys.prlimit(Sys.RLIMIT_MEMLOCK, limit, null);
        } catch (RuntimeException e) {
            // Not fatal: creation may still fit under the current limit, and its error will say ENOMEM/EPERM.
        }
    }
}
