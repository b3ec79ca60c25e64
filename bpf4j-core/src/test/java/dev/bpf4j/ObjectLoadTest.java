package dev.bpf4j;

import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loads the test objects into the kernel and runs their programs (results in testdata/README.md). */
@KernelTest
class ObjectLoadTest {
    private static final byte[] PACKET = ProgramTestSupport.frame(new byte[50]); // 64 bytes

    static ObjectSpec spec(String name) {
        return ObjectSpec.read(TestObjects.path(name));
    }

    static int run(BpfObject obj, String program) {
        return obj.program(program).testRun(TestRun.ofData(PACKET)).retval();
    }

    @Test
    void pinningOutsideBpffsCreatesNothingAndInsideMakesTheDirectories() throws Exception {
        try (BpfObject obj = BpfObject.load(TestObjects.path("socket_xdp.o"))) {
            Path tmp = Path.of("/tmp/bpf4j-pin-" + ProcessHandle.current().pid(), "a");
            BpfException e = assertThrows(BpfException.class, () -> obj.pin(tmp));
            assertTrue(e.getMessage().contains("not on a bpf filesystem"), e.getMessage());
            assertFalse(Files.exists(tmp.getParent()), "nothing created outside bpffs");

            Path root = Path.of("/sys/fs/bpf/bpf4j-objpin-" + ProcessHandle.current().pid());
            try {
                List<Path> pins = obj.pin(root.resolve("sub"));
                assertTrue(pins.contains(root.resolve("sub").resolve("sock_len")), pins.toString());
                assertTrue(Files.exists(root.resolve("sub").resolve("sock_len")));
                obj.unpin();
                assertFalse(Files.exists(root.resolve("sub").resolve("sock_len")));
                assertFalse(Files.exists(root), "the directories pin made are gone with the pins");
            } finally {
                obj.unpin();
                Files.deleteIfExists(root.resolve("sub"));
                Files.deleteIfExists(root);
            }
        }
    }

    @Test
    void socketXdpProgramsReturnTheirDocumentedResults() {
        try (BpfObject obj = BpfObject.load(TestObjects.path("socket_xdp.o"))) {
            assertEquals(List.of("sock_len", "sock_mix", "xdp_pass"), List.copyOf(obj.programs().keySet()));
            assertEquals(PACKET.length - 14, run(obj, "sock_len")); // skb->len: the test run pulls the Ethernet header
            assertEquals(32, run(obj, "sock_mix")); // mix(7, 11) = 7 * 3 + 11: static call, .data, .rodata, .data.custom
            assertEquals(2, run(obj, "xdp_pass")); // XDP_PASS: bpf_loop callback, global and weak subprograms
        }
    }

    @Test
    void globalVariablesAreLiveThroughTheMappedDataMaps() {
        try (BpfObject obj = BpfObject.load(TestObjects.path("socket_xdp.o"))) {
            GlobalVariable counter = obj.variable("bss_counter");
            assertEquals(".bss", counter.section());
            assertEquals(0, counter.getLong());
            run(obj, "sock_len");
            run(obj, "sock_len");
            assertEquals(2, counter.getLong()); // written by the program, read through mmap
            counter.setLong(40);
            run(obj, "sock_len");
            assertEquals(41, counter.getLong());

            GlobalVariable seed = obj.variable("data_seed");
            assertEquals(7, seed.getInt());
            seed.setInt(10); // the program reads the new value: 10 * 3 + 11
            assertEquals(41, run(obj, "sock_mix"));
            obj.variable("custom_value").setInt(1);
            assertEquals(31, run(obj, "sock_mix"));

            GlobalVariable ro = obj.variable("ro_factor");
            assertTrue(ro.readOnly());
            assertEquals(3, ro.getInt());
            BpfException frozen = assertThrows(BpfException.class, () -> ro.setInt(4));
            assertTrue(frozen.getMessage().contains("frozen"), frozen.getMessage());
        }
    }

    @Test
    void variablesAndMapSizesCanBeSetBeforeLoad() {
        LoadOptions options = LoadOptions.builder().variable("ro_factor", 5).variable("data_seed", 2)
                .maxEntries("counts", 64).mapFlags("counts", MapFlags.NO_PREALLOC).build();
        try (BpfObject obj = BpfObject.load(spec("socket_xdp.o"), options)) {
            assertEquals(5, obj.variable("ro_factor").getInt());
            assertEquals(2 * 5 + 11, run(obj, "sock_mix"));
            MapInfo counts = obj.map("counts").info();
            assertEquals(64, counts.maxEntries());
            assertEquals(MapFlags.NO_PREALLOC, counts.flags());
        }
    }

    @Test
    void dataMapsAreNamedAsLibbpfNamesThem() {
        try (BpfObject obj = BpfObject.load(TestObjects.path("socket_xdp.o"))) {
            assertEquals("socket_x.data", obj.map(".data").info().name());
            assertEquals("socket_x.rodata", obj.map(".rodata").info().name());
            assertEquals("socket_x.bss", obj.map(".bss").info().name());
            assertEquals(".data.custom", obj.map(".data.custom").info().name());
            MapInfo ro = obj.map(".rodata").info();
            assertEquals(MapFlags.MMAPABLE | MapFlags.RDONLY_PROG, ro.flags());
            assertTrue(ro.btfValueTypeId() != 0, "value described by the DATASEC");
        }
        assertEquals("a_long_o.data", ObjectPlanner.dataMapName("a_long_object_name", ".data"));
        assertEquals("x.rodata", ObjectPlanner.dataMapName("x", ".rodata"));
        assertEquals("socket_xdp", ObjectPlanner.objectName("/tmp/socket_xdp.bpfeb.o"));
        assertEquals("socket_xdp", ObjectPlanner.objectName("socket_xdp.o"));
        assertEquals("prog", ObjectPlanner.objectName("objs//prog.bpf.o/"));
        assertEquals(".hidden", ObjectPlanner.objectName("/x/.hidden"), "a leading dot is not cut");
        assertEquals("/", ObjectPlanner.objectName("/"));
    }

    @Test
    void tailCallThroughTheInitialisedProgArray() {
        try (BpfObject obj = BpfObject.load(TestObjects.path("tailcall.o"))) {
            assertEquals(42, run(obj, "tail_entry"));
            assertEquals(42, run(obj, "tail_target"));
        }
    }

    @Test
    void mapInMapLookupThroughTheInitialisedOuterMap() {
        try (BpfObject obj = BpfObject.load(TestObjects.path("tailcall.o"))) {
            assertEquals(100, run(obj, "lookup_outer"));
            BpfMap innerB = obj.map("inner_b");
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(4);
                MemorySegment value = arena.allocate(4);
                value.set(ValueLayout.JAVA_INT, 0, 23);
                innerB.update(key, value);
            }
            assertEquals(123, run(obj, "lookup_outer"));
        }
    }

    @Test
    void eachMapInMapSlotHoldsTheMapItsInitialiserNames() {
        try (BpfObject obj = BpfObject.load(TestObjects.path("tailcall.o")); Arena arena = Arena.ofConfined()) {
            BpfMap outer = obj.map("outer");
            MemorySegment key = arena.allocate(4);
            MemorySegment id = arena.allocate(4);
            String[] inner = {"inner_a", "inner_b"};
            for (int slot = 0; slot < inner.length; slot++) {
                key.set(ValueLayout.JAVA_INT, 0, slot);
                assertTrue(outer.lookup(key, id), "slot " + slot);
                assertEquals(obj.map(inner[slot]).info().id(), id.get(ValueLayout.JAVA_INT, 0), "slot " + slot);
            }
        }
    }

    @Test
    void switchedOffTargetLeavesItsSlotEmpty() {
        LoadOptions options = LoadOptions.builder().autoload("tail_target", false).build();
        try (BpfObject obj = BpfObject.load(spec("tailcall.o"), options)) {
            assertFalse(obj.programs().containsKey("tail_target"));
            assertEquals(1, run(obj, "tail_entry")); // the tail call finds nothing
        }
    }

    @Test
    void loadAndCloseLeaveNoDescriptors() {
        BpfObject.load(TestObjects.path("socket_xdp.o")).close(); // warm up lazy state (probes, memlock)
        int before = dev.bpf4j.testing.FdCount.open();
        for (int i = 0; i < 5; i++) { // 15 program loads: far below the kernel's JIT-freeing trouble
            try (BpfObject obj = BpfObject.load(TestObjects.path("socket_xdp.o"))) {
                obj.variable("bss_counter").getLong(); // maps the .bss too
            }
        }
        assertEquals(before, dev.bpf4j.testing.FdCount.open());
    }

    @Test
    void legacyMapsWork() {
        LoadOptions options = LoadOptions.builder().autoload("legacy_kprobe", false).build();
        try (BpfObject obj = BpfObject.load(spec("legacy.o"), options)) {
            assertEquals(0, run(obj, "legacy_sock"));
            assertEquals(0, run(obj, "legacy_sock"));
            assertEquals(0, run(obj, "legacy_cls"));
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(4);
                MemorySegment value = arena.allocate(8);
                assertTrue(obj.map("legacy_counts").lookup(key, value));
                assertEquals(2, value.get(ValueLayout.JAVA_LONG, 0));
                key.set(ValueLayout.JAVA_INT, 0, 1);
                MemorySegment len = arena.allocate(4);
                assertTrue(obj.map("legacy_hash").lookup(key, len));
                assertEquals(PACKET.length, len.get(ValueLayout.JAVA_INT, 0));
            }
        }
    }
}
