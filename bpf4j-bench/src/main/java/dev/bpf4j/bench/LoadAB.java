package dev.bpf4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Compares the load of one object by two builds of bpf4j-core in one JVM, turn about, to tell
 * whether a change made loads cheaper. Separate runs of {@link LoadProfile} cannot: on this VM the
 * same code measured from 73 to 172 µs of user time per load in runs minutes apart. Here both builds
 * meet the same machine: each gets the benchmark's warm-up, then they take turns, a batch of
 * {@value LoadWarmUp#BATCH} paced loads each (who goes first alternates), and the differences are
 * taken batch by batch.
 * <p>
 * Per load and side it prints the CPU time (user + system, exact), the user time (CPU times the user
 * share of 100 µs task-clock samples, as run-load.sh measures it) and the CPU time of parse + prepare
 * (no system calls, so user time, exact), and B - A for each with a 95% interval. Both builds load
 * the same way into the same kernel, so most of the difference in CPU time is user time.
 * <p>
 * {@code LoadAB OBJECT A.jar B.jar [BATCHES]}: each jar a bpf4j-core build (no other dependency),
 * 200 batch pairs by default; {@code bash bpf4j-bench/ab-load.sh REV} builds REV and the working tree
 * and runs this. The whole-load warm-up is {@link LoadWarmUp#WARM_LOADS} per side ({@code
 * -Dbench.warmLoads=N}); run-load.sh's note on kernel safety applies.
 * <p>
 * With {@code -Dbench.cold=true} nothing reaches the kernel: after the prepare warm-up the builds take
 * turns at one parse + prepare each, every one after a {@value #COLD_PAUSE_MS} ms sleep, which leaves this
 * VM's caches as cold as a load after its kernel work does (BATCHES rounds, up to {@value #MAX_ROUNDS}).
 * Parse and prepare make no system call, so the figure is user time, exact: 1000 rounds (two minutes)
 * give about ±5 µs for tailcall.o, whose whole loads (an RCU wait each) take far longer. Runs of the same
 * code differ by up to 9 µs from one JVM to the next (ab-load.sh): repeat a run before believing less.
 */
public final class LoadAB {
    private static final int MAX_BATCHES = 1000;
    private static final int MAX_ROUNDS = 20_000;
    private static final int COLD_PAUSE_MS = 20;

    private LoadAB() {
    }

    /** One build of bpf4j-core, in a class loader of its own, called through reflection. */
    private static final class Build {
        final String name;
        final Method parse;
        final Method prepare;
        final Method load;
        final Object defaults;

        Build(String name, Path jar) throws ReflectiveOperationException, java.net.MalformedURLException {
            this.name = name;
            ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> spec = Class.forName("dev.bpf4j.ObjectSpec", true, loader);
            Class<?> object = Class.forName("dev.bpf4j.BpfObject", true, loader);
            Class<?> options = Class.forName("dev.bpf4j.LoadOptions", true, loader);
            Class<?> plan = Class.forName("dev.bpf4j.LoadPlan", true, loader);
            parse = spec.getMethod("parse", String.class, byte[].class);
            prepare = object.getMethod("prepare", spec, options);
            load = object.getMethod("load", plan);
            defaults = options.getMethod("defaults").invoke(null);
        }

        Object plan(String object, byte[] bytes) throws ReflectiveOperationException {
            return prepare.invoke(null, parse.invoke(null, object, bytes), defaults);
        }

        /** A whole load (parse, prepare, load, close); returns the CPU ns of its parse and prepare. */
        long load(String object, byte[] bytes, ThreadMXBean threads) throws Exception {
            long start = threads.getCurrentThreadCpuTime();
            Object plan = plan(object, bytes);
            long prepared = threads.getCurrentThreadCpuTime();
            try (AutoCloseable loaded = (AutoCloseable) load.invoke(null, plan)) {
                return prepared - start;
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: LoadAB OBJECT A.jar B.jar [BATCHES]");
        }
        Affinity.pinFromProperty();
        String object = args[0];
        byte[] bytes = LoadWarmUp.objectBytes(object);
        Build[] builds = {new Build("A", Path.of(args[1])), new Build("B", Path.of(args[2]))};
        boolean cold = Boolean.getBoolean("bench.cold");
        int batches = args.length > 3 ? Integer.parseInt(args[3]) : 200;
        int most = cold ? MAX_ROUNDS : MAX_BATCHES;
        if (batches < 2 || batches > most) {
            throw new IllegalArgumentException("BATCHES must be 2.." + most + ", not " + batches);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        // the benchmark's warm-up for each build, whole loads taking turns
        for (Build b : builds) {
            for (int i = 0; i < LoadWarmUp.WARM_PREPARES; i++) {
                b.plan(object, bytes);
            }
        }
        if (cold) {
            coldPrepares(builds, object, bytes, batches, threads);
            System.out.printf("  A = %s%n  B = %s%n", args[1], args[2]);
            return;
        }
        int warmLoads = Integer.getInteger("bench.warmLoads", LoadWarmUp.WARM_LOADS);
        for (int i = 0; i < warmLoads; i++) {
            if (i % LoadWarmUp.BATCH == 0) {
                Thread.sleep(LoadWarmUp.PAUSE_MS);
            }
            for (Build b : builds) {
                b.load(object, bytes, threads);
            }
        }

        double[][] cpu = new double[2][batches];
        double[][] user = new double[2][batches];
        double[][] prepare = new double[2][batches];
        try (ModeSampler sampler = ModeSampler.open()) {
            for (int k = 0; k < batches; k++) {
                for (int turn = 0; turn < 2; turn++) {
                    int side = k % 2 == 0 ? turn : 1 - turn;
                    Thread.sleep(LoadWarmUp.PAUSE_MS);
                    long prepared = 0;
                    long start = threads.getCurrentThreadCpuTime();
                    sampler.start();
                    for (int i = 0; i < LoadWarmUp.BATCH; i++) {
                        prepared += builds[side].load(object, bytes, threads);
                    }
                    sampler.stop();
                    long spent = threads.getCurrentThreadCpuTime() - start;
                    cpu[side][k] = spent / 1e3 / LoadWarmUp.BATCH;
                    user[side][k] = sampler.takeUserShare() * cpu[side][k];
                    prepare[side][k] = prepared / 1e3 / LoadWarmUp.BATCH;
                }
            }
        }
        System.out.printf("%s: %d batch pairs of %d paced loads after %d warm loads per side%n", object, batches,
                LoadWarmUp.BATCH, warmLoads);
        System.out.printf("  A = %s%n  B = %s%n", args[1], args[2]);
        report("CPU (user + system)", cpu);
        report("user (sampled)", user);
        report("parse + prepare", prepare);
    }

    /** Kernel-free rounds: each build parses and prepares the object once after a sleep, turn about. */
    private static void coldPrepares(Build[] builds, String object, byte[] bytes, int rounds, ThreadMXBean threads)
            throws Exception {
        double[][] prepare = new double[2][rounds];
        for (int k = 0; k < rounds; k++) {
            for (int turn = 0; turn < 2; turn++) {
                int side = k % 2 == 0 ? turn : 1 - turn;
                Thread.sleep(COLD_PAUSE_MS);
                long start = threads.getCurrentThreadCpuTime();
                builds[side].plan(object, bytes);
                prepare[side][k] = (threads.getCurrentThreadCpuTime() - start) / 1e3;
            }
        }
        System.out.printf("%s: %d rounds of one parse + prepare per side, each after a %d ms sleep (no kernel calls)%n",
                object, rounds, COLD_PAUSE_MS);
        report("parse + prepare", prepare);
    }

    private static void report(String what, double[][] perBatch) {
        int n = perBatch[0].length;
        double a = mean(perBatch[0]);
        double b = mean(perBatch[1]);
        double[] diff = new double[n];
        for (int k = 0; k < n; k++) {
            diff[k] = perBatch[1][k] - perBatch[0][k];
        }
        double d = mean(diff);
        double variance = 0;
        for (double x : diff) {
            variance += (x - d) * (x - d);
        }
        double interval = 1.96 * Math.sqrt(variance / (n - 1) / n);
        System.out.printf("  %-20s A %7.1f  B %7.1f µs/op     B - A %+7.1f ± %.1f (95%%)%n", what, a, b, d, interval);
    }

    private static double mean(double[] xs) {
        double sum = 0;
        for (double x : xs) {
            sum += x;
        }
        return sum / xs.length;
    }
}
