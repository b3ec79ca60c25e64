package dev.bpf4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * Native memory for one object load's requests (program images, initialiser keys and values): slices
 * of one zeroed block sized beforehand, then, once that is used up, allocations from the load's arena.
 * One allocation instead of one per request: each is a malloc and a clear, and in a load whose kernel
 * work has left the caches cold they added up. Freed with the arena, at the end of the load.
 */
final class LoadScratch implements SegmentAllocator {
    private final Arena arena;
    private final MemorySegment block;
    private long used;
    private long spilled;

    LoadScratch(Arena arena, long expectedBytes) {
        this.arena = arena;
        this.block = arena.allocate(Math.max(expectedBytes, 8), 8);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long start = (used + byteAlignment - 1) & -byteAlignment; // the block is 8-aligned; larger alignments go to the arena
        if (byteAlignment <= 8 && byteSize >= 0 && start + byteSize <= block.byteSize()) {
            used = start + byteSize;
            return block.asSlice(start, byteSize);
        }
        spilled += byteSize;
        return arena.allocate(byteSize, byteAlignment);
    }

    /** Bytes allocated past the block, from the arena: 0 when the block was sized right. */
    long spilled() {
        return spilled;
    }
}
