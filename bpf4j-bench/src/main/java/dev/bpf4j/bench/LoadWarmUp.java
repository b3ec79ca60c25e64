package dev.bpf4j.bench;

import dev.bpf4j.BpfMap;
import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.LoadPlan;
import dev.bpf4j.MapSpec;
import dev.bpf4j.MapType;
import dev.bpf4j.ObjectSpec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What runs before measured object loads. Load iterations are few (kernel pacing), too few for the
 * JIT: a warm process would have run this code thousands of times. So parsing and the load's
 * preparation (every step but its bpf() calls) run without the kernel; then whole loads with every
 * program switched off (the object's BTF, maps and data go to the kernel for real), map operations,
 * and last {@value #WARM_LOADS} paced whole loads of {@value #WARM_LOAD_OBJECT}, programs included.
 */
final class LoadWarmUp {
    /** Kernel-free rehearsals (parse, and {@link BpfObject#prepare}: all of a load but its bpf() calls). */
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
    /** Program loads go in batches of this many, each after a pause: see run-load.sh on kernel safety. */
    static final int BATCH = 10;
    static final int PAUSE_MS = 50;

    private LoadWarmUp() {
    }

    /** Warms loading {@code object} (its bytes), found with the warm-up object in {@code dir}. */
    static void run(Path dir, String object, byte[] bytes) throws IOException, InterruptedException {
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
        LoadOptions noPrograms = noPrograms(object, bytes);
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

    /** Options that switch every program of the object off: a load then makes its BTF, maps and data only. */
    static LoadOptions noPrograms(String object, byte[] bytes) {
        LoadOptions.Builder off = LoadOptions.builder();
        ObjectSpec.parse(object, bytes).programs().forEach(p -> off.autoload(p.name(), false));
        return off.build();
    }
}
