package dev.bpf4j;

import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TypedMap over real maps: records as keys and values, per-CPU lists, queues. */
@KernelTest
class MapTypedTest {
    @Test
    void recordKeysAndValuesRoundTripThroughTheKernel() {
        Codec<CodecTest.Flow> flow = Codecs.record(CodecTest.Flow.class, CodecTest.FLOW);
        try (BpfMap map = BpfMap.create(MapSpec.builder(MapType.HASH).name("flows").keySize(flow.byteSize())
                .valueSize(8).maxEntries(16).build())) {
            TypedMap<CodecTest.Flow, Long> flows = TypedMap.of(map, flow, Codecs.INT64);
            CodecTest.Flow a = new CodecTest.Flow(1, 2, (short) 3, (short) 4, (byte) 6);
            CodecTest.Flow b = new CodecTest.Flow(1, 2, (short) 3, (short) 5, (byte) 17);
            assertNull(flows.get(a));
            flows.put(a, 10L);
            flows.put(b, 20L);
            assertEquals(10L, flows.get(a));
            assertEquals(Set.of(a, b), new HashSet<>(flows.keys()));
            assertEquals(2, flows.entries().size());
            for (Map.Entry<CodecTest.Flow, Long> e : flows.entries()) {
                assertEquals(e.getKey().equals(a) ? 10L : 20L, e.getValue());
            }
            assertThrows(BpfSyscallException.class, () -> flows.put(a, 11L, UpdateFlag.NOEXIST));
            assertTrue(flows.remove(a));
            assertFalse(flows.remove(a));
            assertNull(flows.get(a));
        }
    }

    @Test
    void perCpuValuesAreListsIndexedByCpu() {
        int cpus = BpfMap.possibleCpus();
        try (BpfMap map = BpfMap.create(MapSpec.builder(MapType.PERCPU_ARRAY).name("pc").keySize(4).valueSize(8)
                .maxEntries(2).build())) {
            TypedMap<Integer, Long> counters = TypedMap.of(map, Codecs.INT32, Codecs.INT64);
            List<Long> values = new ArrayList<>();
            for (int cpu = 0; cpu < cpus; cpu++) {
                values.add(7L * (cpu + 1));
            }
            counters.putPerCpu(1, values, UpdateFlag.ANY);
            assertEquals(values, counters.getPerCpu(1));
            assertEquals(cpus, counters.getPerCpu(0).size());
            assertNull(counters.getPerCpu(5));
            BpfException shared = assertThrows(BpfException.class, () -> counters.get(1));
            assertTrue(shared.getMessage().contains("getPerCpu"), shared.getMessage());
            assertThrows(BpfException.class, () -> counters.putPerCpu(1, List.of(1L, 2L, 3L, 4L, 5L), UpdateFlag.ANY));
        }
    }

    @Test
    void queuesAndBloomFiltersWithoutKeyCodec() {
        try (BpfMap map = BpfMap.create(MapSpec.builder(MapType.QUEUE).name("q").valueSize(16).maxEntries(4)
                .build())) {
            TypedMap<Void, String> queue = TypedMap.of(map, null, Codecs.string(16));
            queue.push("first");
            queue.push("second");
            assertEquals("first", queue.peek());
            assertEquals("first", queue.pop());
            assertEquals("second", queue.pop());
            assertNull(queue.pop());
        }
        try (BpfMap map = BpfMap.create(MapSpec.builder(MapType.BLOOM_FILTER).name("b").valueSize(8).maxEntries(32)
                .build())) {
            TypedMap<Void, Long> bloom = TypedMap.of(map, null, Codecs.INT64);
            bloom.push(123L);
            assertTrue(bloom.contains(123L));
        }
    }

    @Test
    void codecSizesMustMatchTheMap() {
        try (BpfMap map = BpfMap.create(MapSpec.builder(MapType.HASH).name("sz").keySize(4).valueSize(8)
                .maxEntries(2).build())) {
            BpfException key = assertThrows(BpfException.class, () -> TypedMap.of(map, Codecs.INT64, Codecs.INT64));
            assertTrue(key.getMessage().contains("key codec is 8 bytes, the key size is 4"), key.getMessage());
            assertThrows(BpfException.class, () -> TypedMap.of(map, Codecs.INT32, Codecs.INT32));
        }
    }
}
