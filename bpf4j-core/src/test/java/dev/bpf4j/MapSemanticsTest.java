package dev.bpf4j;

import dev.bpf4j.internal.sys.Sys;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What each map type does with its elements, on the real kernel, through MemorySegment keys and values. */
@KernelTest
class MapSemanticsTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final Arena arena = Arena.ofAuto();

    private MemorySegment i32(int v) {
        MemorySegment s = arena.allocate(4, 8);
        s.set(INT, 0, v);
        return s;
    }

    private MemorySegment i64(long v) {
        MemorySegment s = arena.allocate(8, 8);
        s.set(LONG, 0, v);
        return s;
    }

    private static BpfMap create(MapType type, int key, int value, int max) {
        return BpfMap.create(MapSpec.builder(type).name("sem").keySize(key).valueSize(value).maxEntries(max).build());
    }

    @Test
    void hashStoresReplacesAndDeletes() {
        try (BpfMap map = create(MapType.HASH, 4, 8, 8)) {
            MemorySegment out = arena.allocate(8, 8);
            assertFalse(map.lookup(i32(1), out));
            map.update(i32(1), i64(100));
            assertTrue(map.lookup(i32(1), out));
            assertEquals(100, out.get(LONG, 0));
            map.update(i32(1), i64(200));
            assertTrue(map.lookup(i32(1), out));
            assertEquals(200, out.get(LONG, 0));
            assertTrue(map.delete(i32(1)));
            assertFalse(map.delete(i32(1)));
            assertFalse(map.lookup(i32(1), out));
        }
    }

    @Test
    void keysListsEveryKeyOnce() {
        try (BpfMap map = create(MapType.HASH, 4, 8, 64); Arena arena = Arena.ofConfined()) {
            TypedMap<Integer, Long> typed = TypedMap.of(map, Codecs.INT32, Codecs.INT64);
            java.util.Set<Integer> put = new java.util.HashSet<>();
            for (int k = 100; k < 140; k++) {
                typed.put(k, (long) k);
                put.add(k);
            }
            List<Integer> keys = typed.keys();
            assertEquals(40, keys.size());
            assertEquals(put, new java.util.HashSet<>(keys));
            assertEquals(40, map.keys().size());
        }
        try (BpfMap queue = create(MapType.QUEUE, 0, 8, 4)) {
            BpfException e = assertThrows(BpfException.class, queue::keys);
            assertTrue(e.getMessage().contains("has no keys to walk"), e.getMessage());
        }
    }

    @Test
    void updateFlagsAreEnforcedByTheKernel() {
        try (BpfMap map = create(MapType.HASH, 4, 8, 8)) {
            map.update(i32(1), i64(1), UpdateFlag.NOEXIST);
            BpfSyscallException exists = assertThrows(BpfSyscallException.class,
                    () -> map.update(i32(1), i64(2), UpdateFlag.NOEXIST));
            assertEquals("EEXIST", exists.errnoName());
            assertTrue(exists.getMessage().contains("map 'sem'"), exists.getMessage());
            BpfSyscallException missing = assertThrows(BpfSyscallException.class,
                    () -> map.update(i32(2), i64(2), UpdateFlag.EXIST));
            assertEquals("ENOENT", missing.errnoName());
            map.update(i32(1), i64(3), UpdateFlag.EXIST);
            MemorySegment out = arena.allocate(8, 8);
            assertTrue(map.lookup(i32(1), out));
            assertEquals(3, out.get(LONG, 0));
        }
    }

    @Test
    void fullHashRefusesNewKeys() {
        try (BpfMap map = create(MapType.HASH, 4, 4, 2)) {
            map.update(i32(1), i32(1));
            map.update(i32(2), i32(2));
            BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> map.update(i32(3), i32(3)));
            assertEquals("E2BIG", e.errnoName());
        }
    }

    @Test
    void lookupAndDeleteTakesTheElement() {
        try (BpfMap map = create(MapType.HASH, 4, 8, 8)) {
            map.update(i32(7), i64(70));
            MemorySegment out = arena.allocate(8, 8);
            assertTrue(map.lookupAndDelete(i32(7), out));
            assertEquals(70, out.get(LONG, 0));
            assertFalse(map.lookupAndDelete(i32(7), out));
            assertFalse(map.lookup(i32(7), out));
        }
    }

    @Test
    void nextKeyVisitsEveryKeyOnce() {
        try (BpfMap map = create(MapType.HASH, 4, 4, 64)) {
            Set<Integer> expected = new HashSet<>();
            for (int i = 0; i < 40; i++) {
                map.update(i32(i * 3), i32(i));
                expected.add(i * 3);
            }
            List<Integer> seen = new ArrayList<>();
            MemorySegment key = arena.allocate(4, 8);
            MemorySegment next = arena.allocate(4, 8);
            MemorySegment previous = null;
            while (map.nextKey(previous, next)) {
                seen.add(next.get(INT, 0));
                key.copyFrom(next);
                previous = key;
            }
            assertEquals(40, seen.size());
            assertEquals(expected, new HashSet<>(seen));
        }
    }

    @Test
    void arrayHasEveryIndexZeroedAndNoOthers() {
        try (BpfMap map = create(MapType.ARRAY, 4, 8, 4)) {
            MemorySegment out = arena.allocate(8, 8);
            out.set(LONG, 0, -1);
            assertTrue(map.lookup(i32(3), out));
            assertEquals(0, out.get(LONG, 0));
            assertFalse(map.lookup(i32(4), out));
            map.update(i32(2), i64(42));
            assertTrue(map.lookup(i32(2), out));
            assertEquals(42, out.get(LONG, 0));
            BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> map.update(i32(4), i64(1)));
            assertEquals("E2BIG", e.errnoName());
            BpfSyscallException del = assertThrows(BpfSyscallException.class, () -> map.delete(i32(0)));
            assertEquals("EINVAL", del.errnoName());
        }
    }

    @Test
    void perCpuValuesHaveOneSlotPerPossibleCpu() {
        int cpus = BpfMap.possibleCpus();
        for (MapType type : List.of(MapType.PERCPU_ARRAY, MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH)) {
            try (BpfMap map = create(type, 4, 4, 4)) {
                assertTrue(map.isPerCpu());
                assertEquals(8 * cpus, map.valueBufferSize(), "4-byte values padded to 8, one per CPU");
                MemorySegment values = arena.allocate(map.valueBufferSize(), 8);
                for (int cpu = 0; cpu < cpus; cpu++) {
                    map.perCpuSlot(values, cpu).set(INT, 0, 1000 + cpu);
                }
                map.update(i32(1), values);
                MemorySegment out = arena.allocate(map.valueBufferSize(), 8);
                assertTrue(map.lookup(i32(1), out), type.name());
                for (int cpu = 0; cpu < cpus; cpu++) {
                    assertEquals(1000 + cpu, map.perCpuSlot(out, cpu).get(INT, 0), type + " cpu " + cpu);
                }
                BpfException small = assertThrows(BpfException.class, () -> map.lookup(i32(1), i32(0)));
                assertTrue(small.getMessage().contains("possible CPUs"), small.getMessage());
            }
        }
    }

    @Test
    void lruEvictsTheLeastRecentlyUsed() {
        // Without a common LRU list the eviction order is exact within one CPU's list.
        MapSpec spec = MapSpec.builder(MapType.LRU_HASH).name("lru").keySize(4).valueSize(4).maxEntries(8)
                .flags(MapFlags.NO_COMMON_LRU).build();
        try (BpfMap map = BpfMap.create(spec)) {
            MemorySegment out = arena.allocate(4, 8);
            for (int i = 0; i < 100; i++) {
                map.update(i32(i), i32(i));
            }
            int present = 0;
            for (int i = 0; i < 100; i++) {
                if (map.lookup(i32(i), out)) {
                    present++;
                }
            }
            assertTrue(present <= 8, "an LRU map of 8 holds at most 8, holds " + present);
            assertTrue(present > 0, "the newest elements stay");
            assertTrue(map.lookup(i32(99), out), "the last inserted key survives");
            assertFalse(map.lookup(i32(0), out), "the first inserted key was evicted");
        }
    }

    @Test
    void lpmTrieMatchesTheLongestPrefix() {
        MapSpec spec = MapSpec.builder(MapType.LPM_TRIE).name("lpm").keySize(8).valueSize(4).maxEntries(16)
                .flags(MapFlags.NO_PREALLOC).build();
        try (BpfMap map = BpfMap.create(spec)) {
            map.update(ipv4Key(8, 10, 0, 0, 0), i32(8));
            map.update(ipv4Key(16, 10, 1, 0, 0), i32(16));
            map.update(ipv4Key(24, 10, 1, 2, 0), i32(24));
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(map.lookup(ipv4Key(32, 10, 1, 2, 3), out));
            assertEquals(24, out.get(INT, 0));
            assertTrue(map.lookup(ipv4Key(32, 10, 1, 9, 9), out));
            assertEquals(16, out.get(INT, 0));
            assertTrue(map.lookup(ipv4Key(32, 10, 200, 0, 1), out));
            assertEquals(8, out.get(INT, 0));
            assertFalse(map.lookup(ipv4Key(32, 11, 0, 0, 1), out));
            assertTrue(map.delete(ipv4Key(24, 10, 1, 2, 0)));
            assertTrue(map.lookup(ipv4Key(32, 10, 1, 2, 3), out));
            assertEquals(16, out.get(INT, 0));
        }
    }

    /** struct bpf_lpm_trie_key: u32 prefix length (host order), then the address in network order. */
    private MemorySegment ipv4Key(int prefix, int a, int b, int c, int d) {
        MemorySegment key = arena.allocate(8, 8);
        key.set(INT, 0, prefix);
        key.set(ValueLayout.JAVA_BYTE, 4, (byte) a);
        key.set(ValueLayout.JAVA_BYTE, 5, (byte) b);
        key.set(ValueLayout.JAVA_BYTE, 6, (byte) c);
        key.set(ValueLayout.JAVA_BYTE, 7, (byte) d);
        return key;
    }

    @Test
    void queueIsFifoAndStackIsLifo() {
        try (BpfMap queue = create(MapType.QUEUE, 0, 4, 4); BpfMap stack = create(MapType.STACK, 0, 4, 4)) {
            for (int i = 1; i <= 3; i++) {
                queue.push(i32(i));
                stack.push(i32(i));
            }
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(queue.peek(out));
            assertEquals(1, out.get(INT, 0));
            assertTrue(stack.peek(out));
            assertEquals(3, out.get(INT, 0));
            List<Integer> fromQueue = new ArrayList<>();
            List<Integer> fromStack = new ArrayList<>();
            while (queue.pop(out)) {
                fromQueue.add(out.get(INT, 0));
            }
            while (stack.pop(out)) {
                fromStack.add(out.get(INT, 0));
            }
            assertEquals(List.of(1, 2, 3), fromQueue);
            assertEquals(List.of(3, 2, 1), fromStack);
            assertFalse(queue.peek(out));
        }
    }

    @Test
    void fullQueueRefusesOrOverwritesWithExist() {
        try (BpfMap queue = create(MapType.QUEUE, 0, 4, 2)) {
            queue.push(i32(1));
            queue.push(i32(2));
            BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> queue.push(i32(3)));
            assertEquals("E2BIG", e.errnoName());
            queue.push(i32(3), UpdateFlag.EXIST);
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(queue.pop(out));
            assertEquals(2, out.get(INT, 0), "the oldest value was dropped");
        }
    }

    @Test
    void bloomFilterHasNoFalseNegatives() {
        MapSpec spec = MapSpec.builder(MapType.BLOOM_FILTER).name("bloom").valueSize(4).maxEntries(64)
                .mapExtra(3).build();
        try (BpfMap bloom = BpfMap.create(spec)) {
            assertEquals(3, bloom.info().mapExtra());
            for (int i = 0; i < 20; i++) {
                bloom.push(i32(i * 7));
            }
            for (int i = 0; i < 20; i++) {
                assertTrue(bloom.contains(i32(i * 7)));
            }
            int falsePositives = 0;
            for (int i = 0; i < 200; i++) {
                if (bloom.contains(i32(1_000_000 + i))) {
                    falsePositives++;
                }
            }
            assertTrue(falsePositives < 200, "a bloom filter of 64 with 20 members does not contain everything");
        }
    }

    @Test
    void ringBufferIsCreatedWithItsSize() {
        MapSpec spec = MapSpec.builder(MapType.RINGBUF).name("rb").maxEntries(64 * 1024).build();
        try (BpfMap rb = BpfMap.create(spec)) {
            MapInfo info = rb.info();
            assertEquals(MapType.RINGBUF, info.type());
            assertEquals(64 * 1024, info.maxEntries());
        }
        BpfException bad = assertThrows(BpfException.class, () -> BpfMap.create(spec.toBuilder().maxEntries(5000)
                .build()));
        assertTrue(bad.getMessage().contains("power of 2"), bad.getMessage());
    }

    @Test
    void mapOfMapsHoldsInnerMapsAndLooksUpTheirIds() {
        try (BpfMap inner = create(MapType.ARRAY, 4, 4, 1);
             BpfMap other = create(MapType.ARRAY, 4, 4, 1);
             BpfMap outer = BpfMap.create(MapSpec.builder(MapType.HASH_OF_MAPS).name("outer").keySize(4)
                     .valueSize(4).maxEntries(4).innerMap(inner).build())) {
            outer.update(i32(1), i32(inner.fd()));
            outer.update(i32(2), i32(other.fd()));
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(outer.lookup(i32(1), out));
            assertEquals(inner.info().id(), out.get(INT, 0), "lookup gives the inner map's id");
            assertTrue(outer.lookup(i32(2), out));
            assertEquals(other.info().id(), out.get(INT, 0));
            try (BpfMap wrongShape = create(MapType.ARRAY, 4, 8, 1)) {
                BpfSyscallException e = assertThrows(BpfSyscallException.class,
                        () -> outer.update(i32(3), i32(wrongShape.fd())));
                assertEquals("EINVAL", e.errnoName());
            }
        }
    }

    @Test
    void arrayOfMapsFromAnInnerSpec() {
        MapSpec innerSpec = MapSpec.builder(MapType.HASH).keySize(4).valueSize(4).maxEntries(2).build();
        try (BpfMap outer = BpfMap.create(MapSpec.builder(MapType.ARRAY_OF_MAPS).name("aom").keySize(4)
                .valueSize(4).maxEntries(2).innerSpec(innerSpec).build());
             BpfMap inner = BpfMap.create(innerSpec)) {
            inner.update(i32(5), i32(50));
            outer.update(i32(0), i32(inner.fd()));
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(outer.lookup(i32(0), out));
            try (BpfMap again = BpfMap.byId(out.get(INT, 0))) {
                assertTrue(again.lookup(i32(5), out));
                assertEquals(50, out.get(INT, 0));
            }
        }
    }

    @Test
    void frozenMapRefusesUpdatesFromUserSpace() {
        try (BpfMap map = create(MapType.ARRAY, 4, 4, 2)) {
            map.update(i32(0), i32(9));
            map.freeze();
            BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> map.update(i32(0), i32(10)));
            assertEquals("EPERM", e.errnoName());
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(map.lookup(i32(0), out));
            assertEquals(9, out.get(INT, 0));
        }
    }

    @Test
    void mmapArraySharesMemoryWithLookups() {
        MapSpec spec = MapSpec.builder(MapType.ARRAY).name("mm").keySize(4).valueSize(4).maxEntries(10)
                .flags(MapFlags.MMAPABLE).build();
        MemorySegment memory;
        try (BpfMap map = BpfMap.create(spec)) {
            memory = map.mmap();
            assertEquals(4096, memory.byteSize());
            memory.set(INT, 8L * 3, 1234); // element 3: 4-byte values sit in 8-byte slots
            MemorySegment out = arena.allocate(4, 8);
            assertTrue(map.lookup(i32(3), out));
            assertEquals(1234, out.get(INT, 0));
            map.update(i32(5), i32(77));
            assertEquals(77, memory.get(INT, 8L * 5));
            assertTrue(memory == map.mmap(), "one mapping per map");
        }
        MemorySegment gone = memory;
        assertThrows(IllegalStateException.class, () -> gone.get(INT, 0), "unmapped on close");
    }

    @Test
    void mmapNeedsTheMmapableFlag() {
        try (BpfMap map = create(MapType.ARRAY, 4, 4, 2)) {
            BpfException e = assertThrows(BpfException.class, map::mmap);
            assertTrue(e.getMessage().contains("MMAPABLE"), e.getMessage());
        }
    }

    @Test
    void socketStorageIsKeyedByASocketFd() {
        // Local storage is reached from user space through its owner's fd: here a TCP socket of ours.
        try (BpfMap map = BpfMap.create(MapTypesTest.specFor(MapType.SK_STORAGE))) {
            int socket = Sys.socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
            try {
                map.update(i32(socket), i64(0x1122334455L));
                MemorySegment out = arena.allocate(8, 8);
                assertTrue(map.lookup(i32(socket), out));
                assertEquals(0x1122334455L, out.get(LONG, 0));
                assertTrue(map.delete(i32(socket)));
                assertFalse(map.lookup(i32(socket), out));
            } finally {
                Sys.close(socket);
            }
        }
    }
}
