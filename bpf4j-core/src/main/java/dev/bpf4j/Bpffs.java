package dev.bpf4j;

import dev.bpf4j.internal.sys.Sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The BPF filesystem where objects are pinned: checks that a path is on it, and mounts it if needed. */
public final class Bpffs {
    /** The usual mount point. */
    public static final Path DEFAULT = Path.of("/sys/fs/bpf");

    private Bpffs() {
    }

    /**
     * Checks that {@code path}'s directory is on a bpffs mount, mounting bpffs at /sys/fs/bpf first
     * if the path is under it and nothing is mounted there. Returns the absolute path.
     */
    public static Path requireOnBpffs(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        if (dir == null) {
            throw new BpfException("cannot pin at " + path + ": not a path on bpffs");
        }
        if (absolute.startsWith(DEFAULT) && !isMounted(DEFAULT)) {
            mount(DEFAULT);
        }
        String mount = mountPointOf(dir);
        if (mount == null) {
            throw new BpfException("cannot pin at " + path + ": " + dir + " is not on a bpf filesystem"
                    + " (mount one with 'mount -t bpf bpf " + DEFAULT + "')");
        }
        return absolute;
    }

    /** True if a bpffs is mounted exactly at {@code dir}. */
    public static boolean isMounted(Path dir) {
        for (String[] m : mounts()) {
            if (m[2].equals("bpf") && Path.of(m[1]).equals(dir.toAbsolutePath().normalize())) {
                return true;
            }
        }
        return false;
    }

    /** The bpffs mount point holding {@code dir}, or null if {@code dir} is not on bpffs. */
    static String mountPointOf(Path dir) {
        Path existing = dir.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent(); // directories still to be made sit on their parent's filesystem
        }
        Path real;
        try {
            real = existing == null ? null : existing.toRealPath();
        } catch (IOException e) {
            return null;
        }
        if (real == null) {
            return null;
        }
        String best = null;
        String bestType = null;
        for (String[] m : mounts()) {
            if (real.startsWith(Path.of(m[1])) && (best == null || m[1].length() >= best.length())) {
                best = m[1];
                bestType = m[2];
            }
        }
        return "bpf".equals(bestType) ? best : null;
    }

    private static java.util.List<String[]> mounts() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .map(line -> line.split(" "))
                    .filter(f -> f.length >= 3)
                    .map(f -> new String[] {f[0], f[1].replace("\\040", " "), f[2]})
                    .toList();
        } catch (IOException e) {
            throw new BpfException("cannot read /proc/self/mounts: " + e.getMessage(), e);
        }
    }

    private static void mount(Path dir) {
        Sys.mount("bpf", dir.toString());
    }
}
