package dev.bpf4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadScratchTest {
    @Test
    void slicesTheBlockAlignedThenFallsBackToTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            LoadScratch scratch = new LoadScratch(arena, 32);
            MemorySegment a = scratch.allocate(4, 8);
            MemorySegment b = scratch.allocate(12, 8);
            MemorySegment c = scratch.allocate(8, 8);
            assertEquals(8, b.address() - a.address(), "each slice starts 8-aligned after the last");
            assertEquals(16, c.address() - b.address());
            assertEquals(0, a.address() % 8);
            MemorySegment outside = scratch.allocate(16, 8); // 24 of 32 used: does not fit
            assertTrue(outside.address() < a.address() || outside.address() >= a.address() + 32,
                    "an allocation past the block comes from elsewhere");
            MemorySegment wide = scratch.allocate(4, 64);
            assertEquals(0, wide.address() % 64, "alignments beyond the block's go to the arena");
            for (MemorySegment s : new MemorySegment[] {a, b, c, outside, wide}) {
                for (long i = 0; i < s.byteSize(); i++) {
                    assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i), "zeroed, as Arena.allocate is");
                }
                s.fill((byte) 1);
            }
            assertEquals(1, a.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(0, scratch.allocate(0, 8).byteSize());
            assertEquals(16 + 4, scratch.spilled(), "what went to the arena");
        }
    }

    /** The load plans its block from what it will ask for: every test object's load fits in it. */
    @Test
    @dev.bpf4j.testing.KernelTest
    void anObjectLoadFitsTheBlockItPlanned() {
        for (String object : new String[] {"socket_xdp.o", "tailcall.o", "core.o", "../core/core_fields.o"}) {
            ObjectLoader loader = new ObjectLoader(BpfObject.prepare(
                    ObjectSpec.read(dev.bpf4j.elf.TestObjects.path(object)), LoadOptions.defaults()));
            try (BpfObject loaded = loader.load()) {
                assertTrue(loaded.programs().size() > 0, object);
                assertEquals(0, loader.scratchSpilled(), object + ": bytes past the planned block");
            }
        }
    }
}
