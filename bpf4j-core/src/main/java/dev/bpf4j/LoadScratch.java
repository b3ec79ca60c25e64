package dev.bpf4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * Native memory for one object load's requests (BTF, map creations, program images, initialiser keys
 * and values): zeroed slices of one block sized beforehand, then, once that is used up, allocations
 * from an arena of the load's own. The block is the thread's, kept from one load to the next: a malloc,
 * a clear and a free per load, in a load whose kernel work has left the caches cold, cost more than
 * clearing the few bytes each request takes. Closed at the end of the load; nothing it handed out may
 * be used after that (the kernel copies what a request points at during the call).
 */
final class LoadScratch implements SegmentAllocator, AutoCloseable {
    /**
     * A thread keeps a block up to this size; a load that needs more gets a block of its own, freed when
     * it ends. So a thread that has loaded objects holds at most this much native memory until it ends.
     */
    static final long KEPT_BLOCK_LIMIT = 256 << 10;
    private static final ThreadLocal<Kept> KEPT = ThreadLocal.withInitial(Kept::new);

    /** The thread's block, and whether a load is using it (a load inside a load gets its own). */
    private static final class Kept {
        MemorySegment block = MemorySegment.NULL;
        boolean inUse;
    }

    private final Kept kept; // null when the block is not the thread's
    private final MemorySegment block;
    private Arena arena; // made on the first request the block cannot take
    private long used;
    private long spilled;

    private LoadScratch(Kept kept, MemorySegment block, Arena arena) {
        this.kept = kept;
        this.block = block;
        this.arena = arena;
    }

    /** Scratch for a load expected to ask for {@code expectedBytes} (8-aligned requests). */
    static LoadScratch open(long expectedBytes) {
        long size = Math.max(expectedBytes, 8);
        Kept k = KEPT.get();
        if (k.inUse || size > KEPT_BLOCK_LIMIT) {
            Arena own = Arena.ofConfined();
            return new LoadScratch(null, own.allocate(size, 8), own);
        }
        if (k.block.byteSize() < size) {
            k.block = Arena.ofAuto().allocate(Math.max(size, 2 * k.block.byteSize()), 8); // the old one goes to the GC
        }
        k.inUse = true;
        return new LoadScratch(k, k.block.asSlice(0, size), null); // the planned size: a bad plan spills, as it would without a kept block
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long start = (used + byteAlignment - 1) & -byteAlignment; // the block is 8-aligned; larger alignments go to the arena
        if (byteAlignment <= 8 && byteSize >= 0 && start + byteSize <= block.byteSize()) {
            used = start + byteSize;
            return block.asSlice(start, byteSize).fill((byte) 0); // zeroed, as an arena's memory is
        }
        spilled += byteSize;
        if (arena == null) {
            arena = Arena.ofConfined();
        }
        return arena.allocate(byteSize, byteAlignment);
    }

    /** Bytes allocated past the block, from the arena: 0 when the block was sized right. */
    long spilled() {
        return spilled;
    }

    /** Gives the block back to the thread and frees what was allocated past it. */
    @Override
    public void close() {
        if (kept != null) {
            kept.inUse = false;
        }
        if (arena != null) {
            arena.close();
        }
    }
}
