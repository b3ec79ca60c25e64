package dev.bpf4j;

import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments give errors naming the map and the problem; no fds leak over many maps. */
class MapErrorsTest {
    private static void assertMessage(BpfException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing in: " + e.getMessage());
        }
    }

    @Test
    void specRulesAreCheckedBeforeTheKernel() {
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.ARRAY).name("arr").keySize(8)
                .valueSize(4).maxEntries(1).build().validate()), "'arr'", "ARRAY", "key size must be 4, not 8");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.STRUCT_OPS).keySize(4)
                .valueSize(4).maxEntries(1).build().validate()), "STRUCT_OPS", "object loader");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.QUEUE).keySize(4)
                .valueSize(4).maxEntries(1).build().validate()), "QUEUE", "no keys");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.LPM_TRIE).keySize(8)
                .valueSize(4).maxEntries(1).build().validate()), "NO_PREALLOC");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.HASH).keySize(4)
                .valueSize(4).maxEntries(0).build().validate()), "max entries must be positive");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.HASH_OF_MAPS).keySize(4)
                .valueSize(4).maxEntries(1).build().validate()), "inner map");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.HASH).name("abcdefghijklmnop")
                .keySize(4).valueSize(4).maxEntries(1).build().validate()), "name is too long", "15");
        assertMessage(assertThrows(BpfException.class, () -> MapSpec.builder(MapType.UNSPEC).build().validate()),
                "not a map type");
    }

    @Test
    void unknownTypeNamesAreNull() {
        assertEquals(null, MapType.ofName("no_such_map"));
        assertEquals(null, MapType.ofValue(999));
        assertEquals(MapType.LPM_TRIE, MapType.ofName("lpm-trie"));
    }

    @Test
    @KernelTest
    void wrongSegmentSizesNameTheMapAndSizes() {
        try (Arena arena = Arena.ofConfined();
             BpfMap map = BpfMap.create(MapSpec.builder(MapType.HASH).name("sizes").keySize(4).valueSize(8)
                     .maxEntries(2).build())) {
            MemorySegment key8 = arena.allocate(8, 8);
            MemorySegment key4 = arena.allocate(4, 8);
            MemorySegment value8 = arena.allocate(8, 8);
            assertMessage(assertThrows(BpfException.class, () -> map.lookup(key8, value8)),
                    "map 'sizes'", "key is 8 bytes", "key size is 4");
            assertMessage(assertThrows(BpfException.class, () -> map.update(key4, key4)),
                    "map 'sizes'", "value is 4 bytes", "value size is 8");
            assertMessage(assertThrows(BpfException.class, () -> map.lookup(MemorySegment.ofArray(new byte[4]),
                    value8)), "native memory");
            assertMessage(assertThrows(BpfException.class, () -> map.delete(null)), "got null");
        }
    }

    @Test
    @KernelTest
    void closedMapSaysSo() {
        BpfMap map = BpfMap.create(MapSpec.builder(MapType.ARRAY).name("shut").keySize(4).valueSize(4)
                .maxEntries(1).build());
        map.close();
        map.close(); // twice is harmless
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment four = arena.allocate(4, 8);
            assertMessage(assertThrows(BpfException.class, () -> map.lookup(four, four)), "map 'shut' is closed");
            assertMessage(assertThrows(BpfException.class, map::info), "map 'shut' is closed");
            assertMessage(assertThrows(BpfException.class, map::fd), "map 'shut' is closed");
        }
    }

    @Test
    @KernelTest
    void kernelRefusalNamesTheMap() {
        // PERCPU_HASH with a 1 GiB value is valid to the spec rules but too big for the kernel.
        MapSpec spec = MapSpec.builder(MapType.PERCPU_HASH).name("huge").keySize(4).valueSize(1 << 30)
                .maxEntries(1).build();
        BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> BpfMap.create(spec));
        assertMessage(e, "BPF_MAP_CREATE", "'huge'", "PERCPU_HASH");
    }

    @Test
    @KernelTest
    void noFdLeaksOverManyCreateCloseCycles() {
        MapSpec spec = MapSpec.builder(MapType.HASH).name("leak").keySize(4).valueSize(4).maxEntries(4).build();
        MapSpec storage = MapTypesTest.specFor(MapType.SK_STORAGE);
        MapSpec outer = MapTypesTest.specFor(MapType.HASH_OF_MAPS);
        MapSpec mmapable = MapSpec.builder(MapType.ARRAY).name("leakmm").keySize(4).valueSize(4).maxEntries(4)
                .flags(MapFlags.MMAPABLE).build();
        int before = FdCount.open();
        for (int i = 0; i < 500; i++) {
            try (BpfMap map = BpfMap.create(switch (i % 4) {
                case 0 -> spec;
                case 1 -> storage;      // loads and closes its own BTF
                case 2 -> outer;        // makes and closes a temporary inner map
                default -> mmapable;
            })) {
                if (i % 4 == 3) {
                    map.mmap().set(ValueLayout.JAVA_INT, 0, i);
                }
                try (BpfMap again = BpfMap.byId(map.info().id())) {
                    assertEquals(map.type(), again.type());
                }
            }
            assertThrows(BpfException.class, () -> BpfMap.create(MapSpec.builder(MapType.HASH).name("bad")
                    .keySize(4).valueSize(1 << 30).maxEntries(1 << 30).build()));
        }
        assertEquals(before, FdCount.open(), "open fds before and after 500 create/close cycles");
    }
}
