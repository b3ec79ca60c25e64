package dev.bpf4j;

import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch operations, resumed over several calls with a cursor. */
@KernelTest
class MapBatchTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final int N = 100;

    private static BpfMap hash() {
        return BpfMap.create(MapSpec.builder(MapType.HASH).name("batch").keySize(4).valueSize(8).maxEntries(128)
                .build());
    }

    private static int fill(BpfMap map, Arena arena) {
        MemorySegment keys = arena.allocate(4L * N, 8);
        MemorySegment values = arena.allocate(8L * N, 8);
        for (int i = 0; i < N; i++) {
            keys.setAtIndex(INT, i, i);
            values.setAtIndex(LONG, i, i * 10L);
        }
        return map.updateBatch(keys, values, N);
    }

    @Test
    void updateThenLookupInSeveralResumedCalls() {
        try (Arena arena = Arena.ofConfined(); BpfMap map = hash()) {
            assertEquals(N, fill(map, arena));
            BatchCursor cursor = map.batchCursor();
            MemorySegment keys = arena.allocate(4L * 16, 8);
            MemorySegment values = arena.allocate(8L * 16, 8);
            Map<Integer, Long> seen = new HashMap<>();
            int calls = 0;
            while (!cursor.done()) {
                int n = map.lookupBatch(cursor, keys, values, 16);
                calls++;
                for (int i = 0; i < n; i++) {
                    Long previous = seen.put(keys.getAtIndex(INT, i), values.getAtIndex(LONG, i));
                    assertEquals(null, previous, "each key once");
                }
                assertTrue(calls < 100, "the walk ends");
            }
            assertTrue(calls >= N / 16, "took " + calls + " calls");
            assertEquals(N, seen.size());
            for (int i = 0; i < N; i++) {
                assertEquals(i * 10L, seen.get(i));
            }
            assertEquals(0, map.lookupBatch(cursor, keys, values, 16), "a finished cursor reads nothing");
            cursor.reset();
            assertTrue(map.lookupBatch(cursor, keys, values, 16) > 0, "a reset cursor starts over");
        }
    }

    @Test
    void lookupAndDeleteEmptiesTheMap() {
        try (Arena arena = Arena.ofConfined(); BpfMap map = hash()) {
            fill(map, arena);
            BatchCursor cursor = map.batchCursor();
            MemorySegment keys = arena.allocate(4L * 32, 8);
            MemorySegment values = arena.allocate(8L * 32, 8);
            int total = 0;
            while (!cursor.done()) {
                total += map.lookupAndDeleteBatch(cursor, keys, values, 32);
            }
            assertEquals(N, total);
            assertFalse(map.nextKey(null, arena.allocate(4, 8)), "the map is empty");
        }
    }

    @Test
    void deleteBatchRemovesTheGivenKeys() {
        try (Arena arena = Arena.ofConfined(); BpfMap map = hash()) {
            fill(map, arena);
            MemorySegment keys = arena.allocate(4L * 10, 8);
            for (int i = 0; i < 10; i++) {
                keys.setAtIndex(INT, i, i * 2);
            }
            assertEquals(10, map.deleteBatch(keys, 10));
            MemorySegment key = arena.allocate(4, 8);
            MemorySegment value = arena.allocate(8, 8);
            key.set(INT, 0, 4);
            assertFalse(map.lookup(key, value));
            key.set(INT, 0, 5);
            assertTrue(map.lookup(key, value));
            assertEquals(0, map.deleteBatch(keys, 10), "absent keys stop the batch");
        }
    }

    @Test
    void perCpuBatchesCarryEveryCpusValue() {
        int cpus = BpfMap.possibleCpus();
        try (Arena arena = Arena.ofConfined();
             BpfMap map = BpfMap.create(MapSpec.builder(MapType.PERCPU_HASH).name("pcb").keySize(4).valueSize(4)
                     .maxEntries(8).build())) {
            int slot = BpfMap.perCpuSlotSize(4);
            MemorySegment keys = arena.allocate(4L * 4, 8);
            MemorySegment values = arena.allocate((long) map.valueBufferSize() * 4, 8);
            for (int k = 0; k < 4; k++) {
                keys.setAtIndex(INT, k, k);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    values.set(INT, (long) k * map.valueBufferSize() + (long) cpu * slot, k * 100 + cpu);
                }
            }
            assertEquals(4, map.updateBatch(keys, values, 4, UpdateFlag.ANY));
            MemorySegment outKeys = arena.allocate(4L * 8, 8);
            MemorySegment outValues = arena.allocate((long) map.valueBufferSize() * 8, 8);
            BatchCursor cursor = map.batchCursor();
            int n = 0;
            while (!cursor.done()) {
                n += map.lookupBatch(cursor, outKeys.asSlice(4L * n), outValues.asSlice((long) n * map.valueBufferSize()),
                        8 - n);
            }
            assertEquals(4, n);
            for (int i = 0; i < n; i++) {
                int k = outKeys.getAtIndex(INT, i);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    assertEquals(k * 100 + cpu, outValues.get(INT, (long) i * map.valueBufferSize() + (long) cpu * slot));
                }
            }
        }
    }

    @Test
    void batchBuffersAreChecked() {
        try (Arena arena = Arena.ofConfined(); BpfMap map = hash()) {
            BpfException e = assertThrows(BpfException.class,
                    () -> map.lookupBatch(map.batchCursor(), arena.allocate(8, 8), arena.allocate(64, 8), 4));
            assertTrue(e.getMessage().contains("4 x 4"), e.getMessage());
            assertThrows(BpfException.class, () -> map.deleteBatch(arena.allocate(8, 8), 0));
            BpfException flag = assertThrows(BpfException.class, () -> map.updateBatch(arena.allocate(4, 8),
                    arena.allocate(8, 8), 1, UpdateFlag.NOEXIST));
            assertTrue(flag.getMessage().contains("only ANY or LOCK"), flag.getMessage());
        }
    }
}
