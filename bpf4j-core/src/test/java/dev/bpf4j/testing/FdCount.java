package dev.bpf4j.testing;

import java.io.File;

/** Counts this process's open file descriptors, to prove an operation leaks none. */
public final class FdCount {
    private FdCount() {
    }

    public static int open() {
        String[] entries = new File("/proc/self/fd").list();
        if (entries == null) {
            throw new IllegalStateException("/proc/self/fd is not readable");
        }
        return entries.length;
    }
}
