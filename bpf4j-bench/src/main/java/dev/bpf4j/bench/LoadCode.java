package dev.bpf4j.bench;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much machine code the JIT made for object loads: after the load benchmark's warm-up
 * ({@link LoadWarmUp}), the size of every compiled method in use, from the JVM's code list
 * ({@code jcmd PID Compiler.codelist}), by tier and by owner (bpf4j, the JDK), with the largest
 * bpf4j methods.
 * <p>
 * Why it matters: a load runs after the kernel's work has left the caches cold, and most of its user
 * time is then spent fetching code. On this VM a synthetic chain of C2-compiled methods cost about
 * 0.4 µs per KB of code run cold (20 ms after the last run) against a tenth of that warm. Unlike a
 * timing, the size is the same from run to run for the same code, so it shows what a change does to
 * the load path's footprint at once; the cold A/B ({@code ab-load.sh}) then says what that is worth.
 * <p>
 * Each method counts once, by its newest compilation at its highest tier (a method compiled for a
 * loop already running, on-stack replacement, is listed beside its normal compilation and would count
 * twice). The sum is an upper bound on what one load runs: it includes paths of the warm-up a load
 * does not take, and every branch of each method, taken or not.
 * <p>
 * {@code java -cp <bench jar and its lib/> dev.bpf4j.bench.LoadCode [OBJECT [TOP]]}.
 */
public final class LoadCode {
    // compile id, tier, state (0: in use), method, [header, code begin - code end]
    private static final Pattern ROW = Pattern.compile(
            "(\\d+) (\\d) (\\d) (\\S+) \\[(0x\\p{XDigit}+), (0x\\p{XDigit}+) - (0x\\p{XDigit}+)]");

    private LoadCode() {
    }

    record Compiled(int id, int tier, String method, long bytes) {
        /** bpf4j's library code; the bench's own (the warm-up loops, this class) counts as other. */
        String owner() {
            return method.startsWith("dev.bpf4j.") && !method.startsWith("dev.bpf4j.bench.") ? "bpf4j" : "other";
        }
    }

    public static void main(String[] args) throws Exception {
        String object = args.length > 0 ? args[0] : "socket_xdp.o";
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        byte[] bytes = LoadWarmUp.objectBytes(object);
        LoadWarmUp.run(object, bytes);

        List<Compiled> methods = inUse(codeList());
        Map<String, long[]> byTier = new HashMap<>();
        for (Compiled c : methods) {
            long[] sum = byTier.computeIfAbsent(c.owner() + " tier " + c.tier(), k -> new long[2]);
            sum[0]++;
            sum[1] += c.bytes();
        }
        System.out.printf("%s: compiled code in use after the warm-up (each method once)%n", object);
        byTier.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> System.out.printf(
                "  %-14s %5d methods %8.1f KB%n", e.getKey(), e.getValue()[0], e.getValue()[1] / 1024.0));
        long c2 = methods.stream().filter(c -> c.tier() == 4 && c.owner().equals("bpf4j")).mapToLong(Compiled::bytes).sum();
        System.out.printf("  bpf4j C2 total %.1f KB; largest:%n", c2 / 1024.0);
        methods.stream().filter(c -> c.owner().equals("bpf4j")).sorted(Comparator.comparingLong(Compiled::bytes).reversed())
                .limit(top).forEach(c -> System.out.printf("  %8d  tier %d  %s%n", c.bytes(), c.tier(), c.method()));
    }

    private static String codeList() throws Exception {
        ObjectName dcmd = new ObjectName("com.sun.management:type=DiagnosticCommand");
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(dcmd, "compilerCodelist",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    /** Per method, the newest in-use compilation at the highest tier. */
    static List<Compiled> inUse(String codeList) {
        Map<String, Compiled> best = new HashMap<>();
        for (String line : codeList.split("\n")) {
            Matcher m = ROW.matcher(line.strip());
            if (!m.matches() || !m.group(3).equals("0")) {
                continue;
            }
            Compiled c = new Compiled(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(4),
                    Long.decode(m.group(7)) - Long.decode(m.group(6)));
            best.merge(c.method(), c, (a, b) -> a.tier() != b.tier() ? (a.tier() > b.tier() ? a : b)
                    : (a.id() > b.id() ? a : b));
        }
        return new ArrayList<>(best.values());
    }
}
