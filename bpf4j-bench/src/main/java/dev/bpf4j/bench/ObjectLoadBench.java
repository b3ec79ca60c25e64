package dev.bpf4j.bench;

import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.ObjectSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/**
 * Parsing and loading the test objects through bpf4j; c/load_bench.c does the same through libbpf
 * (bpf_object__open_mem, __load, __close), and run-load.sh runs both and reports the ratios.
 * <ul>
 * <li>parse: {@link ObjectSpec#parse} (ELF, BTF, BTF.ext, programs, maps) of bytes already in memory.
 * <li>setup: parse and load with every program switched off (BTF, maps, data), close: the part of a load
 * whose kernel work is small and steady, so user time is measured over thousands of loads.
 * <li>load: parse, {@link BpfObject#load} (BTF, maps, data, programs, initialisers), close. Batches of
 * {@value #BATCH} loads, with a {@value #PAUSE_MS} ms pause before each outside the measured time, after
 * {@link LoadWarmUp}'s whole loads of the same object. Keep the iteration counts small: see run-load.sh
 * on the map-in-map updates that have hung this kernel.
 * </ul>
 * Besides JMH's own score, each measured iteration appends {@code kind object ns/op user-ns/op cpu-ns/op sampled-user-ns/op parse-ns/op}
 * to the file named by {@code -Dbench.out}; user time is getrusage(RUSAGE_THREAD) (tick-sampled, as on
 * the C side), cpu is this thread's CLOCK_THREAD_CPUTIME_ID (user + system, exact; the C side's too),
 * and, for load, sampled-user-ns/op: cpu times the user share of {@link ModeSampler}'s samples ({@code nan}
 * for the other kinds, which run long enough for getrusage), and for load the wall time of its parse, inside
 * the load loop where the kernel's work between loads has left the caches cold ({@code nan} for the others).
 */
@State(Scope.Thread)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ObjectLoadBench {
    static final int BATCH = LoadWarmUp.BATCH;
    static final int PAUSE_MS = LoadWarmUp.PAUSE_MS;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Param({"socket_xdp.o", "tailcall.o"})
    public String object;

    byte[] bytes;
    LoadOptions noPrograms;
    long iterationStart;
    long iterationUser;
    long iterationCpu;
    long ops;
    long batchNanos;
    long batchUser;
    long batchCpu;
    long batchSampledUser;
    long batchParse;
    ModeSampler sampler;
    boolean measuring;

    @Setup(Level.Trial)
    public void read(BenchmarkParams benchmark) throws IOException, InterruptedException {
        Affinity.pinFromProperty();
        Path dir = Path.of(System.getProperty("bench.testdata", "../testdata/bpf"));
        bytes = Files.readAllBytes(dir.resolve(object));
        noPrograms = LoadWarmUp.noPrograms(object, bytes);
        if (benchmark.getMode() == Mode.SingleShotTime) {
            LoadWarmUp.run(object, bytes);
            sampler = ModeSampler.open(); // on this, the measuring, thread
        }
    }

    @TearDown(Level.Trial)
    public void closeSampler() {
        if (sampler != null) {
            sampler.close();
        }
    }

    @Setup(Level.Iteration)
    public void startIteration(BenchmarkParams benchmark, IterationParams iteration) throws InterruptedException {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
        ops = 0;
        batchNanos = 0;
        batchUser = 0;
        batchCpu = 0;
        batchSampledUser = 0;
        batchParse = 0;
        if (benchmark.getMode() == Mode.SingleShotTime) {
            Thread.sleep(PAUSE_MS); // pacing for the kernel, outside the measured time
        }
        iterationStart = System.nanoTime();
        iterationUser = UserTime.now();
        iterationCpu = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void endIteration(BenchmarkParams benchmark) {
        long wall = System.nanoTime() - iterationStart;
        long user = UserTime.now() - iterationUser;
        long cpu = THREADS.getCurrentThreadCpuTime() - iterationCpu;
        if (!measuring) {
            return;
        }
        String kind = benchmark.getBenchmark().substring(benchmark.getBenchmark().lastIndexOf('.') + 1);
        String line = batchNanos > 0
                ? String.format("%s %s %.1f %.1f %.1f %.1f %.1f%n", kind, object, (double) batchNanos / BATCH,
                        (double) batchUser / BATCH, (double) batchCpu / BATCH, (double) batchSampledUser / BATCH,
                        (double) batchParse / BATCH)
                : String.format("%s %s %.1f %.1f %.1f nan nan%n", kind, object, (double) wall / ops, (double) user / ops,
                        (double) cpu / ops);
        String out = System.getProperty("bench.out");
        if (out == null) {
            System.out.print(line);
            return;
        }
        try {
            Files.writeString(Path.of(out), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public ObjectSpec parse() {
        ops++;
        return ObjectSpec.parse(object, bytes);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    public int setup() {
        ops++;
        try (BpfObject obj = BpfObject.load(ObjectSpec.parse(object, bytes), noPrograms)) {
            return obj.btfFd();
        }
    }

    /** {@value #BATCH} loads and closes; the score is per load. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OperationsPerInvocation(BATCH)
    public int load() {
        long start = System.nanoTime();
        long user = UserTime.now();
        long cpu = THREADS.getCurrentThreadCpuTime();
        sampler.start();
        int fds = 0;
        long parsing = 0;
        for (int i = 0; i < BATCH; i++) {
            long before = System.nanoTime();
            ObjectSpec spec = ObjectSpec.parse(object, bytes);
            parsing += System.nanoTime() - before;
            try (BpfObject obj = BpfObject.load(spec, LoadOptions.defaults())) {
                fds += obj.btfFd();
            }
        }
        sampler.stop();
        batchParse += parsing;
        long spent = THREADS.getCurrentThreadCpuTime() - cpu;
        batchCpu += spent;
        batchSampledUser += Math.round(spent * sampler.takeUserShare());
        batchUser += UserTime.now() - user;
        batchNanos += System.nanoTime() - start;
        return fds;
    }

    /** getrusage(RUSAGE_THREAD).ru_utime in nanoseconds. */
    static final class UserTime {
        private static final int RUSAGE_THREAD = 1;
        private static final MethodHandle GETRUSAGE = Linker.nativeLinker().downcallHandle(
                Linker.nativeLinker().defaultLookup().find("getrusage").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        private static final MemorySegment USAGE = Arena.global().allocate(144, 8); // struct rusage

        private UserTime() {
        }

        static synchronized long now() {
            try {
                int rc = (int) GETRUSAGE.invokeExact(RUSAGE_THREAD, USAGE);
                if (rc != 0) {
                    throw new IllegalStateException("getrusage failed");
                }
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            // ru_utime is the first member: struct timeval { long tv_sec; long tv_usec; }
            return USAGE.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + USAGE.get(ValueLayout.JAVA_LONG, 8) * 1000L;
        }
    }
}
