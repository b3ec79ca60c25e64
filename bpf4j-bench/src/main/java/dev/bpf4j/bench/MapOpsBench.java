package dev.bpf4j.bench;

import dev.bpf4j.BatchCursor;
import dev.bpf4j.BpfMap;
import dev.bpf4j.MapSpec;
import dev.bpf4j.MapType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

/**
 * Map element operations through bpf4j; c/map_bench.c does the same through libbpf, and run.sh
 * runs both in one go and reports the ratio. Maps: u32 keys, u64 values, full; element operations on
 * 1024-entry maps, get-next-key and batch walks over a 100k-entry hash.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MapOpsBench {
    static final int ENTRIES = 1024;
    static final int BIG_ENTRIES = 100_000;
    static final int BATCH = 256;

    Arena arena;
    BpfMap array;
    BpfMap hash;
    BpfMap big;
    MemorySegment key;
    MemorySegment value;
    MemorySegment nextKey;
    MemorySegment batchKeys;
    MemorySegment batchValues;
    BatchCursor cursor;
    int i;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofConfined();
        key = arena.allocate(4);
        value = arena.allocate(8);
        nextKey = arena.allocate(4);
        batchKeys = arena.allocate(4L * BATCH);
        batchValues = arena.allocate(8L * BATCH);
        array = filled(MapType.ARRAY, ENTRIES);
        hash = filled(MapType.HASH, ENTRIES);
        big = filled(MapType.HASH, BIG_ENTRIES);
        cursor = big.batchCursor();
    }

    private BpfMap filled(MapType type, int entries) {
        BpfMap map = BpfMap.create(MapSpec.builder(type).name("bench").keySize(4).valueSize(8)
                .maxEntries(entries).build());
        for (int k = 0; k < entries; k++) {
            key.set(ValueLayout.JAVA_INT, 0, k);
            value.set(ValueLayout.JAVA_LONG, 0, k);
            map.update(key, value);
        }
        return map;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        array.close();
        hash.close();
        big.close();
        arena.close();
    }

    private MemorySegment nextKey() {
        key.set(ValueLayout.JAVA_INT, 0, i++ & (ENTRIES - 1));
        return key;
    }

    @Benchmark
    public boolean arrayLookup() {
        return array.lookup(nextKey(), value);
    }

    @Benchmark
    public void arrayUpdate() {
        array.update(nextKey(), value);
    }

    @Benchmark
    public boolean hashLookup() {
        return hash.lookup(nextKey(), value);
    }

    @Benchmark
    public void hashUpdate() {
        hash.update(nextKey(), value);
    }

    /** A whole get-next-key walk over 100k keys; reported per key. */
    @Benchmark
    @OperationsPerInvocation(BIG_ENTRIES)
    public int hashNextKey() {
        int n = 0;
        MemorySegment previous = null;
        while (big.nextKey(previous, nextKey)) {
            key.copyFrom(nextKey);
            previous = key;
            n++;
        }
        return n;
    }

    /** A whole batch-lookup walk over 100k elements, 256 per call; reported per element. */
    @Benchmark
    @OperationsPerInvocation(BIG_ENTRIES)
    public int hashLookupBatch() {
        cursor.reset();
        int n = 0;
        while (!cursor.done()) {
            n += big.lookupBatch(cursor, batchKeys, batchValues, BATCH);
        }
        return n;
    }
}
