package dev.bpf4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadScratchTest {
    @Test
    void slicesTheBlockAlignedThenFallsBackToTheArena() {
        try (LoadScratch big = LoadScratch.open(4096)) {
            big.allocate(8, 8); // the thread now keeps a block of 4 KB; a load that planned 32 bytes still gets 32
        }
        try (LoadScratch scratch = LoadScratch.open(32)) {
            MemorySegment a = scratch.allocate(4, 8);
            MemorySegment b = scratch.allocate(12, 8);
            MemorySegment c = scratch.allocate(8, 8);
            assertEquals(8, b.address() - a.address(), "each slice starts 8-aligned after the last");
            assertEquals(16, c.address() - b.address());
            assertEquals(0, a.address() % 8);
            MemorySegment outside = scratch.allocate(16, 8); // 24 of the block's bytes used: does not fit
            assertTrue(outside.address() < a.address() || outside.address() >= a.address() + 32,
                    "an allocation past the block comes from elsewhere");
            MemorySegment wide = scratch.allocate(4, 64);
            assertEquals(0, wide.address() % 64, "alignments beyond the block's go to the arena");
            for (MemorySegment s : new MemorySegment[] {a, b, c, outside, wide}) {
                assertZero(s);
                s.fill((byte) 1);
            }
            assertEquals(1, a.get(ValueLayout.JAVA_BYTE, 3));
            assertEquals(0, scratch.allocate(0, 8).byteSize());
            assertEquals(16 + 4, scratch.spilled(), "what went to the arena");
        }
    }

    /** A thread's loads share one block: the next load gets it back, cleared where it asks. */
    @Test
    void theNextLoadOnTheThreadGetsTheBlockBackCleared() {
        long first;
        try (LoadScratch scratch = LoadScratch.open(64)) {
            MemorySegment s = scratch.allocate(64, 8);
            first = s.address();
            s.fill((byte) 0x5a);
        }
        try (LoadScratch scratch = LoadScratch.open(48)) {
            MemorySegment s = scratch.allocate(48, 8);
            assertEquals(first, s.address(), "the same block, not a new malloc");
            assertZero(s);
            assertEquals(0, scratch.spilled());
        }
    }

    /** A load that starts while another holds the thread's block, or that needs a large one, gets its own. */
    @Test
    void aNestedOrLargeLoadGetsABlockOfItsOwn() {
        try (LoadScratch outer = LoadScratch.open(64)) {
            MemorySegment o = outer.allocate(64, 8);
            o.fill((byte) 7);
            try (LoadScratch inner = LoadScratch.open(64)) {
                MemorySegment i = inner.allocate(64, 8);
                assertTrue(i.address() + 64 <= o.address() || i.address() >= o.address() + 64, "apart from the outer's");
                assertZero(i);
                assertEquals(0, inner.spilled());
            }
            assertEquals(7, o.get(ValueLayout.JAVA_BYTE, 63), "the outer load's memory untouched");
        }
        try (LoadScratch large = LoadScratch.open(LoadScratch.KEPT_BLOCK_LIMIT + 8)) {
            MemorySegment s = large.allocate(LoadScratch.KEPT_BLOCK_LIMIT + 8, 8);
            assertZero(s);
            assertEquals(0, large.spilled());
        }
    }

    private static void assertZero(MemorySegment s) {
        for (long i = 0; i < s.byteSize(); i++) {
            assertEquals(0, s.get(ValueLayout.JAVA_BYTE, i), "zeroed, as Arena.allocate is");
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
