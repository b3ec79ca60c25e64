package dev.bpf4j;

import dev.bpf4j.internal.sys.Sys;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pins on bpffs, opening by pin and by id, and listing ids. */
@KernelTest
class MapPinTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private static Path uniquePin(String what) {
        return Bpffs.DEFAULT.resolve("bpf4j_test_" + what + "_" + Sys.getpid() + "_" + System.nanoTime());
    }

    private static BpfMap small(String name) {
        return BpfMap.create(MapSpec.builder(MapType.HASH).name(name).keySize(4).valueSize(4).maxEntries(4).build());
    }

    @Test
    void pinOutlivesTheFdAndReopensWithItsData() throws Exception {
        Path pin = uniquePin("map");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4, 8);
            MemorySegment value = arena.allocate(4, 8);
            key.set(INT, 0, 1);
            value.set(INT, 0, 4242);
            int id;
            try (BpfMap map = small("pinned")) {
                map.update(key, value);
                map.pin(pin);
                id = map.info().id();
            }
            assertTrue(Files.exists(pin));
            try (BpfMap again = BpfMap.openPinned(pin)) {
                assertEquals(id, again.info().id(), "the same map");
                assertEquals("pinned", again.name());
                assertEquals(MapType.HASH, again.type());
                assertEquals(4, again.keySize());
                value.set(INT, 0, 0);
                assertTrue(again.lookup(key, value));
                assertEquals(4242, value.get(INT, 0));
                again.pin(pin.resolveSibling(pin.getFileName() + "_2"));
                again.unpin();
                assertFalse(Files.exists(pin.resolveSibling(pin.getFileName() + "_2")));
            }
        } finally {
            Files.deleteIfExists(pin);
            Files.deleteIfExists(pin.resolveSibling(pin.getFileName() + "_2"));
        }
    }

    @Test
    void aPinOfAnotherKindIsRefusedByName() throws Exception {
        Path pin = uniquePin("kind");
        int before = dev.bpf4j.testing.FdCount.open();
        try (BpfMap map = small("kind")) {
            map.pin(pin);
            BpfException asProgram = assertThrows(BpfException.class, () -> Program.pinned(pin));
            assertEquals(pin + " holds a map, not a program", asProgram.getMessage());
            BpfException asLink = assertThrows(BpfException.class, () -> Link.pinned(pin));
            assertEquals(pin + " holds a map, not a link", asLink.getMessage());
            try (BpfMap again = BpfMap.openPinned(pin)) {
                assertEquals("kind", again.name());
            }
        } finally {
            Files.deleteIfExists(pin);
        }
        assertEquals(before, dev.bpf4j.testing.FdCount.open(), "refused opens close their fd");
    }

    @Test
    void pinningOutsideBpffsIsRefused() {
        try (BpfMap map = small("tmp")) {
            Path tmp = Path.of("/tmp/bpf4j_pin_" + Sys.getpid());
            BpfException e = assertThrows(BpfException.class, () -> map.pin(tmp));
            assertTrue(e.getMessage().contains("not on a bpf filesystem"), e.getMessage());
            assertFalse(Files.exists(tmp));
        }
    }

    @Test
    void pinningOnAnExistingPathIsRefused() throws Exception {
        Path pin = uniquePin("twice");
        try (BpfMap a = small("a"); BpfMap b = small("b")) {
            a.pin(pin);
            BpfException e = assertThrows(BpfException.class, () -> b.pin(pin));
            assertTrue(e.getMessage().contains("EEXIST") && e.getMessage().contains(pin.toString()), e.getMessage());
        } finally {
            Files.deleteIfExists(pin);
        }
    }

    @Test
    void openingAMissingPinNamesThePath() {
        Path pin = uniquePin("missing");
        BpfException e = assertThrows(BpfException.class, () -> BpfMap.openPinned(pin));
        assertTrue(e.getMessage().contains(pin.toString()) && e.getMessage().contains("ENOENT"), e.getMessage());
    }

    @Test
    void byIdOpensTheSameMapAndIdsListIt() {
        try (Arena arena = Arena.ofConfined(); BpfMap map = small("byid")) {
            int id = map.info().id();
            assertTrue(BpfMap.ids().contains(id));
            MemorySegment key = arena.allocate(4, 8);
            MemorySegment value = arena.allocate(4, 8);
            key.set(INT, 0, 9);
            value.set(INT, 0, 99);
            map.update(key, value);
            try (BpfMap other = BpfMap.byId(id)) {
                assertTrue(other.fd() != map.fd());
                MapInfo info = other.info();
                assertEquals(id, info.id());
                assertEquals("byid", info.name());
                value.set(INT, 0, 0);
                assertTrue(other.lookup(key, value));
                assertEquals(99, value.get(INT, 0));
            }
        }
    }

    @Test
    void closedIdIsGone() {
        int id;
        try (BpfMap map = small("gone")) {
            id = map.info().id();
        }
        // The kernel frees the map asynchronously after the last fd closes; wait for it a little.
        for (int i = 0; i < 200 && BpfMap.ids().contains(id); i++) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        BpfException e = assertThrows(BpfException.class, () -> BpfMap.byId(id));
        assertTrue(e.getMessage().contains("map id " + id), e.getMessage());
    }
}
