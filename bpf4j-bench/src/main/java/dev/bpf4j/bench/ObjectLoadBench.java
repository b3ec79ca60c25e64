package dev.bpf4j.bench;

import dev.bpf4j.BpfMap;
import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.LoadPlan;
import dev.bpf4j.MapSpec;
import dev.bpf4j.MapType;
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
 * {@value #BATCH} loads, with a {@value #PAUSE_MS} ms pause before each outside the measured time:
 * bursts of program loads and frees have wedged this kernel before. Keep the iteration counts small.
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
    static final int BATCH = 10;
    static final int PAUSE_MS = 50;
    /** Kernel-free rehearsals (parse, and {@link BpfObject#prepare}: all of a load but its bpf() calls) before the paced loads. */
    static final int WARM_PREPARES = 20_000;
    /** Map create/update/lookup/close rounds that warm the bpf() wrappers, with no program load. */
    static final int WARM_MAP_OPS = 20_000;
    static final int WARM_MAP_CREATES = 300;
    /** Loads with every program switched off (BTF, maps, data: real bpf() calls, but no program load). */
    static final int WARM_EXECUTES = 20_000;
    /**
     * Whole loads of {@value #WARM_LOAD_OBJECT}, paced like the measured ones, so that the program
     * path (laying out and placing BPF_PROG_LOAD, the loaded object) is compiled as in a process that
     * has loaded objects before. That object has no map-in-map: updates of those wait for an RCU grace
     * period, and one such wait has hung on this kernel (see run-load.sh).
     */
    static final int WARM_LOADS = 200;
    static final String WARM_LOAD_OBJECT = "socket_xdp.o";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Param({"socket_xdp.o", "tailcall.o"})
    public String object;

    Path dir;
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
        dir = Path.of(System.getProperty("bench.testdata", "../testdata/bpf"));
        bytes = Files.readAllBytes(dir.resolve(object));
        LoadOptions.Builder off = LoadOptions.builder();
        ObjectSpec.parse(object, bytes).programs().forEach(p -> off.autoload(p.name(), false));
        noPrograms = off.build();
        if (benchmark.getMode() == Mode.SingleShotTime) {
            warm();
            sampler = ModeSampler.open(); // on this, the measuring, thread
        }
    }

    @TearDown(Level.Trial)
    public void closeSampler() {
        if (sampler != null) {
            sampler.close();
        }
    }

    /**
     * Load iterations are few (kernel pacing), too few for the JIT: a warm process would have run this
     * code thousands of times. Here parsing and the load's preparation (every step but its bpf()
     * calls) run without the kernel; then whole loads with every program switched off (the object's
     * BTF, maps and data go to the kernel for real), map operations, and last {@value #WARM_LOADS}
     * paced whole loads of {@value #WARM_LOAD_OBJECT}, programs included.
     */
    private void warm() throws IOException, InterruptedException {
        long sum = 0;
        for (int i = 0; i < WARM_PREPARES; i++) {
            LoadPlan plan = BpfObject.prepare(ObjectSpec.parse(object, bytes), LoadOptions.defaults());
            sum += plan.programs().size();
        }
        MapSpec small = MapSpec.builder(MapType.ARRAY).name("warm").keySize(4).valueSize(8).maxEntries(4).build();
        for (int i = 0; i < WARM_MAP_CREATES; i++) {
            try (BpfMap m = BpfMap.create(small)) {
                sum += m.fd();
            }
        }
        for (int i = 0; i < WARM_EXECUTES; i++) {
            try (BpfObject obj = BpfObject.load(ObjectSpec.parse(object, bytes), noPrograms)) {
                sum += obj.btfFd();
            }
        }
        try (BpfMap m = BpfMap.create(small); Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(8);
            for (int i = 0; i < WARM_MAP_OPS; i++) {
                key.set(ValueLayout.JAVA_INT, 0, i & 3);
                value.set(ValueLayout.JAVA_LONG, 0, i);
                m.update(key, value);
                sum += m.lookup(key, value) ? 1 : 0;
            }
        }
        byte[] warmObject = Files.readAllBytes(dir.resolve(WARM_LOAD_OBJECT));
        for (int i = 0; i < WARM_LOADS; i++) {
            if (i % BATCH == 0) {
                Thread.sleep(PAUSE_MS);
            }
            try (BpfObject obj = BpfObject.load(ObjectSpec.parse(WARM_LOAD_OBJECT, warmObject), LoadOptions.defaults())) {
                sum += obj.btfFd();
            }
        }
        if (sum == 42) {
            System.out.println();
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
