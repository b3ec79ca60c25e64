package dev.bpf4j.internal.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process runs as root: an EPERM then means policy, not missing privileges. */
final class Privileges {
    private static volatile Boolean root;

    private Privileges() {
    }

    static boolean isRoot() {
        Boolean r = root;
        if (r == null) {
            r = effectiveUid() == 0;
            root = r;
        }
        return r;
    }

    /** The effective uid from the "Uid:" line of /proc/self/status (real, effective, saved, fs). */
    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: assume unprivileged, whose hint is the more common answer
        }
        return -1;
    }
}
