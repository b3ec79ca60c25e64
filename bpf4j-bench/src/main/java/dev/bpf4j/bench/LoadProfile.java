package dev.bpf4j.bench;

import one.profiler.AsyncProfiler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the user time of a load goes, by method: after the load benchmark's warm-up ({@link LoadWarmUp}),
 * async-profiler samples this thread's user-space CPU time every 100 µs over paced whole loads (as the
 * benchmark's), and the samples are summed per step (parse, prepare, execute, close) and per bpf4j
 * method, the deepest bpf4j frame of each sample counted. It also counts the samples whose stack has a
 * bpf4j method in C1 code or the interpreter: a warm-up too short for the JIT's last tier shows there.
 * <p>
 * {@code java -cp <bench jar and its lib/> dev.bpf4j.bench.LoadProfile [OBJECT [LOADS]]}, run as
 * LoadPhases is (README, Benchmarks); the collapsed stacks go to {@code target/load-profile.collapsed}
 * ({@code -Dbench.profileOut=FILE} to change it), with
 * frame types ({@code _[j]} C2, {@code _[i]} inlined, {@code _[1]} C1, {@code _[0]} interpreted), for
 * flame graphs or a closer look.
 */
public final class LoadProfile {
    private static final String[][] STEPS = {
            {"parse", "dev/bpf4j/ObjectSpec.parse"},
            {"prepare", "dev/bpf4j/ObjectPlanner.run"},
            {"execute", "dev/bpf4j/ObjectLoader.load"},
            {"close", "dev/bpf4j/BpfObject.close"},
    };

    private LoadProfile() {
    }

    public static void main(String[] args) throws Exception {
        LoadWarmUp.Command command = LoadWarmUp.Command.start(args);
        String object = command.object();
        int loads = command.loads();
        AsyncProfiler profiler = AsyncProfiler.getInstance(nativeLibrary().toString());
        LoadWarmUp.run(object, command.bytes());

        Path out = Path.of(System.getProperty("bench.profileOut", "target/load-profile.collapsed")).toAbsolutePath();
        Files.createDirectories(out.getParent());
        profiler.execute("start,event=cpu,interval=100000,alluser,threads");
        long sum = measure(object, command.bytes(), loads);
        profiler.execute("stop,collapsed,ann,file=" + out);
        System.out.printf("%s: %d paced loads after the warm-up (checksum %d), stacks in %s%n", object, loads,
                sum % 10, out);
        summarise(Files.readAllLines(out), loads);
    }

    /** The profiled loads; the samples that count are those with this method on the stack. */
    private static long measure(String object, byte[] bytes, int loads) throws InterruptedException {
        return LoadWarmUp.pacedLoads(object, bytes, loads);
    }

    private static void summarise(List<String> lines, int loads) {
        String here = "dev/bpf4j/bench/LoadProfile.measure";
        long total = 0, notC2 = 0;
        Map<String, Long> steps = new LinkedHashMap<>();
        Map<String, Long> methods = new HashMap<>();
        Map<String, Long> notC2Methods = new HashMap<>();
        for (String line : lines) {
            int space = line.lastIndexOf(' ');
            String[] frames = line.substring(0, space).split(";");
            long samples = Long.parseLong(line.substring(space + 1));
            int from = indexOf(frames, here);
            if (from < 0) {
                continue; // another thread, or the pauses between batches
            }
            total += samples;
            for (String[] step : STEPS) {
                if (indexOf(frames, step[1]) > from) {
                    steps.merge(step[0], samples, Long::sum);
                }
            }
            String deepest = null, slow = null;
            for (int k = from + 1; k < frames.length; k++) {
                String f = frames[k];
                if (f.startsWith("dev/bpf4j/") && !f.startsWith("dev/bpf4j/bench/")) {
                    deepest = f;
                    if (f.endsWith("_[1]") || f.endsWith("_[0]")) {
                        slow = f;
                    }
                }
            }
            methods.merge(deepest == null ? "(no bpf4j frame)" : withoutType(deepest), samples, Long::sum);
            if (slow != null) {
                notC2 += samples;
                notC2Methods.merge(slow, samples, Long::sum);
            }
        }
        double perLoad = 100.0 / loads; // a sample is 100 µs of user time
        System.out.printf("user µs per load: %.0f%n  by step:", total * perLoad);
        steps.forEach((step, n) -> System.out.printf(" %s %.0f", step, n * perLoad));
        System.out.printf("%n  by deepest bpf4j method (top 15):%n");
        top(methods, 15).forEach(e -> System.out.printf("    %6.1f %s%n", e.getValue() * perLoad, e.getKey()));
        System.out.printf("  with a bpf4j method in C1 or interpreted code: %.1f µs per load%n", notC2 * perLoad);
        top(notC2Methods, 5).forEach(e -> System.out.printf("    %6.1f %s%n", e.getValue() * perLoad, e.getKey()));
    }

    private static int indexOf(String[] frames, String prefix) {
        for (int k = 0; k < frames.length; k++) {
            if (frames[k].startsWith(prefix)) {
                return k;
            }
        }
        return -1;
    }

    private static String withoutType(String frame) {
        int at = frame.lastIndexOf("_[");
        return at < 0 ? frame : frame.substring(0, at);
    }

    private static List<Map.Entry<String, Long>> top(Map<String, Long> counts, int n) {
        List<Map.Entry<String, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return entries.subList(0, Math.min(n, entries.size()));
    }

    /** async-profiler's library for this machine, copied out of its jar (a library loads from a file). */
    private static Path nativeLibrary() throws IOException {
        String arch = System.getProperty("os.arch").equals("aarch64") ? "linux-arm64" : "linux-x64";
        Path lib = Files.createTempFile("libasyncProfiler", ".so");
        lib.toFile().deleteOnExit();
        try (InputStream in = AsyncProfiler.class.getResourceAsStream("/" + arch + "/libasyncProfiler.so")) {
            if (in == null) {
                throw new IOException("async-profiler's jar has no " + arch + "/libasyncProfiler.so");
            }
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
        }
        return lib;
    }
}
