package dev.bpf4j.testing;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The external tools and files tests compare with (bpftool, llvm-readelf-19, libbpf-dev, kernel
 * BTF), found one way. Missing ones skip the test on a developer's machine, but fail it under
 * {@code BPF4J_REQUIRE_KERNEL=1}: CI installs them all, so a missing one there is a broken set-up.
 */
public final class Tools {
    private Tools() {
    }

    /** The path of executable {@code name} (from /usr/sbin, /usr/bin, /sbin, /bin or PATH). */
    public static Path require(String name) {
        List<String> dirs = new ArrayList<>(List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        for (String dir : dirs) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        missing(name + " is not installed (scripts/setup.sh installs it)");
        throw new AssertionError("unreachable");
    }

    /** {@code file}, which must exist (a header of libbpf-dev, the kernel's BTF...). */
    public static Path requireFile(Path file, String what) {
        if (!Files.exists(file)) {
            missing(what + " is missing: " + file);
        }
        return file;
    }

    private static void missing(String why) {
        if (KernelCondition.required()) {
            throw new AssertionError("BPF4J_REQUIRE_KERNEL=1 but " + why);
        }
        Assumptions.abort(why);
    }
}
