package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU lists such as {@code 0-3,8} from sysfs; per-CPU map values have one slot per possible CPU. */
public final class CpuList {
    private static volatile int possible;

    private CpuList() {
    }

    /** Number of possible CPUs: highest index in {@code /sys/devices/system/cpu/possible} plus one. */
    public static int possibleCpus() {
        int n = possible;
        if (n == 0) {
            try {
                n = count(Files.readString(Path.of("/sys/devices/system/cpu/possible")));
            } catch (IOException e) {
                throw new BpfException("cannot read /sys/devices/system/cpu/possible: " + e.getMessage(), e);
            }
            possible = n;
        }
        return n;
    }

    /** Highest CPU index in a list like {@code 0-3,8} plus one. */
    static int count(String list) {
        int max = -1;
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            String[] range = part.split("-");
            try {
                max = Math.max(max, Integer.parseInt(range[range.length - 1].strip()));
            } catch (NumberFormatException e) {
                throw new BpfException("malformed CPU list '" + list.strip() + "'");
            }
        }
        if (max < 0) {
            throw new BpfException("empty CPU list");
        }
        return max + 1;
    }
}
