package dev.bpf4j.bench;

import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.LoadPlan;
import dev.bpf4j.ObjectSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What runs before measured object loads. Measured load iterations are few (kernel pacing), too few
 * for the JIT: a warm process would have run this code thousands of times, on the same object. So
 * parsing and the load's preparation (every step but its bpf() calls) first run without the kernel,
 * then {@value #WARM_LOADS} paced whole loads of the measured object itself.
 * <p>
 * Whole loads of that object, not of another or with its programs switched off: the JIT compiles each
 * path for what it has seen, and a path first met while measuring (filling a prog array, say) traps
 * out of compiled code and runs profiled or interpreted for the rest of the run. With fewer warm loads
 * (200 of another object, as this class once did) a tailcall.o load measured about 400 µs of user time
 * where it now measures about 250.
 */
final class LoadWarmUp {
    /** Kernel-free rehearsals (parse, and {@link BpfObject#prepare}: all of a load but its bpf() calls). */
    static final int WARM_PREPARES = 20_000;
    /**
     * Whole loads of the measured object, programs included, paced like the measured ones: enough for
     * the JIT's last tier (C2) to compile the methods that run once per load. Those reach C2 after some
     * 5000 calls in the profiling tier (C1), which they enter after a few hundred: with 5000 warm loads,
     * asprof still found BtfCall.tryLoad and BpfObject.load in C1 code while measuring; with 10000,
     * no bpf4j method. An object with a map-in-map makes an RCU grace-period wait per load, as it
     * fills the slots in one batch (see run-load.sh): tailcall.o's warm-up takes about four minutes.
     */
    static final int WARM_LOADS = 10_000;
    /** Program loads go in batches of this many, each after a pause: see run-load.sh on kernel safety. */
    static final int BATCH = 10;
    static final int PAUSE_MS = 50;

    private LoadWarmUp() {
    }

    /**
     * Warms loading {@code object} from its bytes. {@code -Dbench.warmLoads=N} changes the number of
     * whole loads (for experiments: fewer leave the program path uncompiled).
     */
    static void run(String object, byte[] bytes) throws InterruptedException {
        long sum = 0;
        for (int i = 0; i < WARM_PREPARES; i++) {
            LoadPlan plan = BpfObject.prepare(ObjectSpec.parse(object, bytes), LoadOptions.defaults());
            sum += plan.programs().size();
        }
        sum += pacedLoads(object, bytes, Integer.getInteger("bench.warmLoads", WARM_LOADS));
        if (sum == 42) {
            System.out.println();
        }
    }

    /**
     * {@code loads} whole loads (parse, load, close) of {@code object}, in batches of {@value #BATCH}
     * after a pause of {@value #PAUSE_MS} ms each; returns a checksum of the BTF fds.
     */
    static long pacedLoads(String object, byte[] bytes, int loads) throws InterruptedException {
        long sum = 0;
        for (int i = 0; i < loads; i++) {
            if (i % BATCH == 0) {
                Thread.sleep(PAUSE_MS);
            }
            try (BpfObject obj = BpfObject.load(ObjectSpec.parse(object, bytes), LoadOptions.defaults())) {
                sum += obj.btfFd();
            }
        }
        return sum;
    }

    /** A test object's bytes, from testdata/bpf or {@code -Dbench.testdata=DIR}. */
    static byte[] objectBytes(String object) throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("bench.testdata", "testdata/bpf")).resolve(object));
    }

    /**
     * The command line of the load drivers ({@link LoadPhases}, {@link LoadProfile}): {@code [OBJECT [LOADS]]},
     * socket_xdp.o and 100 by default, at most {@value #MAX_LOADS} loads (kernel pacing, see run-load.sh).
     */
    record Command(String object, byte[] bytes, int loads) {
        static final int MAX_LOADS = 200;

        /** Pins the measuring thread ({@code -Dbench.cpu}), reads the command line and the object. */
        static Command start(String[] args) throws IOException {
            Affinity.pinFromProperty();
            String object = args.length > 0 ? args[0] : "socket_xdp.o";
            int loads = args.length > 1 ? Integer.parseInt(args[1]) : 100;
            if (loads < 1 || loads > MAX_LOADS) {
                throw new IllegalArgumentException("LOADS must be 1.." + MAX_LOADS + ", not " + loads);
            }
            return new Command(object, objectBytes(object), loads);
        }
    }

    /** Options that switch every program of the object off: a load then makes its BTF, maps and data only. */
    static LoadOptions noPrograms(String object, byte[] bytes) {
        LoadOptions.Builder off = LoadOptions.builder();
        ObjectSpec.parse(object, bytes).programs().forEach(p -> off.autoload(p.name(), false));
        return off.build();
    }
}
