package dev.bpf4j.bench;

import dev.bpf4j.LoadOptions;
import dev.bpf4j.LoadPrepare;
import dev.bpf4j.ObjectSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The user-space work of an object load without the kernel ({@link LoadPrepare}): no bpf() calls,
 * so it can run millions of times. {@code prepare} is what BpfObject.load adds to {@code parse}.
 * Run: java -cp ... org.openjdk.jmh.Main LoadPrepareBench, or {@link #main} for a JFR profile.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LoadPrepareBench {
    @Param({"socket_xdp.o", "tailcall.o"})
    public String object;

    byte[] bytes;
    ObjectSpec spec;

    @Setup(Level.Trial)
    public void read() throws IOException {
        bytes = Files.readAllBytes(testdata().resolve(object));
        spec = ObjectSpec.parse(object, bytes);
    }

    static Path testdata() {
        return Path.of(System.getProperty("bench.testdata", "../testdata/bpf"));
    }

    /** Everything but parsing, on a spec parsed once. */
    @Benchmark
    public long prepare() {
        return LoadPrepare.prepare(spec, LoadOptions.defaults());
    }

    /** Parse and prepare: the user-space work of one BpfObject.load(ObjectSpec.parse(...)). */
    @Benchmark
    public long parseAndPrepare() {
        return LoadPrepare.prepare(ObjectSpec.parse(object, bytes), LoadOptions.defaults());
    }

    /**
     * {@code main seconds mode object}: runs {@code mode} ({@code parse}, {@code prepare} on one parsed
     * spec, or {@code both}: parse then prepare) in a loop for {@code seconds}, in 200 ms windows, and
     * prints the fastest window's on-CPU µs/op: this thread's CLOCK_THREAD_CPUTIME_ID (ns resolution),
     * so time the shared machine gives other processes is not counted. One mode per JVM: mixing them
     * in one process makes the JIT deoptimise and recompile as the profiles change. Also the loop to
     * record with JFR.
     */
    public static void main(String[] args) throws IOException {
        int seconds = Integer.parseInt(args[0]);
        String mode = args[1];
        String name = args[2];
        byte[] b = Files.readAllBytes(testdata().resolve(name));
        ObjectSpec parsed = ObjectSpec.parse(name, b);
        java.util.function.LongSupplier op = switch (mode) {
            case "parse" -> () -> ObjectSpec.parse(name, b).programs().size();
            case "prepare" -> () -> LoadPrepare.prepare(parsed, LoadOptions.defaults());
            case "both" -> () -> LoadPrepare.prepare(ObjectSpec.parse(name, b), LoadOptions.defaults());
            default -> throw new IllegalArgumentException("mode: parse, prepare or both");
        };
        System.out.printf("%-14s %-8s %7.2f us/op on CPU%n", name, mode, fastest(seconds, op));
    }

    private static double fastest(int seconds, java.util.function.LongSupplier op) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        long sum = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long start = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            long n = 0;
            while (System.nanoTime() - start < 200_000_000L) {
                sum += op.getAsLong();
                n++;
            }
            best = Math.min(best, (threads.getCurrentThreadCpuTime() - cpu) / 1e3 / n);
        }
        if (sum == 42) {
            System.out.println();
        }
        return best;
    }
}
