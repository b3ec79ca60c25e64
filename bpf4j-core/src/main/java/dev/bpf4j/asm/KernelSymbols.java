package dev.bpf4j.asm;

import dev.bpf4j.BpfException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.HashMap;

/**
 * The kernel's symbol table ({@code /proc/kallsyms}) by address, for naming the call targets in a
 * loaded program's translated instructions: the kernel stores a helper call as the helper's address
 * minus {@code __bpf_call_base}.
 */
public final class KernelSymbols {
    private final long[] addresses;
    private final String[] names;
    private final long callBase;

    private KernelSymbols(long[] addresses, String[] names) {
        this.addresses = addresses;
        this.names = names;
        long base = 0;
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals("__bpf_call_base")) {
                base = addresses[i];
            }
        }
        this.callBase = base;
    }

    /** Reads /proc/kallsyms (addresses read as zero unless the reader has CAP_SYSLOG). */
    public static KernelSymbols load() {
        return load(Path.of("/proc/kallsyms"));
    }

    /** Reads a kallsyms-format file: {@code address type name [module]} per line. */
    public static KernelSymbols load(Path file) {
        List<long[]> order = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            while ((line = reader.readLine()) != null) {
                String name = nameOf(line);
                long address = name == null ? 0 : addressOf(line);
                if (address != 0) {
                    order.add(new long[] {address, names.size()});
                    names.add(name);
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read kernel symbols from " + file + ": " + e.getMessage(), e);
        }
        order.sort((a, b) -> Long.compareUnsigned(a[0], b[0]));
        long[] addresses = new long[order.size()];
        String[] sorted = new String[order.size()];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = order.get(i)[0];
            sorted[i] = names.get((int) order.get(i)[1]);
        }
        return new KernelSymbols(addresses, sorted);
    }

    /**
     * Addresses of {@code names} only, streaming the file once (cheaper than {@link #load} when few
     * are wanted). A name listed twice with different addresses (static symbols of one name) is
     * ambiguous and an error; zero addresses (shown without CAP_SYSLOG) count as absent.
     */
    public static Map<String, Long> find(Path file, Set<String> names) {
        Map<String, Long> found = new HashMap<>();
        if (names.isEmpty()) {
            return found;
        }
        try (BufferedReader reader = Files.newBufferedReader(file)) {
            String line;
            while ((line = reader.readLine()) != null) {
                String name = nameOf(line);
                if (name == null || !names.contains(name)) {
                    continue;
                }
                long address = addressOf(line);
                if (address == 0) {
                    continue;
                }
                Long before = found.putIfAbsent(name, address);
                if (before != null && before != address) {
                    throw new BpfException("kernel symbol " + name + " is ambiguous in " + file + ": 0x"
                            + Long.toHexString(before) + " and 0x" + Long.toHexString(address));
                }
            }
        } catch (IOException | NumberFormatException e) {
            throw new BpfException("cannot read kernel symbols from " + file + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** The name in a kallsyms line ({@code address type name [module]}), or null for a malformed line. */
    private static String nameOf(String line) {
        int a = line.indexOf(' ');
        int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
        if (b < 0) {
            return null;
        }
        int end = line.indexOf('\t', b + 1);
        String name = line.substring(b + 1, end < 0 ? line.length() : end).strip();
        return name.isEmpty() ? null : name;
    }

    private static long addressOf(String line) {
        return Long.parseUnsignedLong(line.substring(0, line.indexOf(' ')), 16);
    }

    /** Address of {@code __bpf_call_base}, or 0 when the table does not show it. */
    public long callBase() {
        return callBase;
    }

    /** The symbol at exactly {@code address}, or null. */
    public String nameAt(long address) {
        int lo = 0;
        int hi = addresses.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Long.compareUnsigned(addresses[mid], address);
            if (c == 0) {
                return names[mid];
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return null;
    }

    /** Number of symbols with an address. */
    public int size() {
        return addresses.length;
    }

    @Override
    public String toString() {
        return "KernelSymbols[" + addresses.length + " symbols, __bpf_call_base=0x" + Long.toHexString(callBase)
                + "]";
    }
}
