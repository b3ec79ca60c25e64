package dev.bpf4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where a batch lookup over a map stopped, to resume it with the next call. Made by
 * {@link BpfMap#batchCursor()}; the kernel's opaque position token lives in native memory here.
 */
public final class BatchCursor {
    private final MemorySegment in;
    private final MemorySegment out;
    private boolean started;
    private boolean done;

    BatchCursor(int tokenSize) {
        MemorySegment both = Arena.ofAuto().allocate(2L * tokenSize, 8);
        in = both.asSlice(0, tokenSize);
        out = both.asSlice(tokenSize, tokenSize);
    }

    /** True once the map has been walked to its end. */
    public boolean done() {
        return done;
    }

    /** Starts again from the map's first element. */
    public void reset() {
        started = false;
        done = false;
    }

    int size() {
        return (int) in.byteSize();
    }

    long inAddress() {
        return started ? in.address() : 0;
    }

    long outAddress() {
        return out.address();
    }

    void advance() {
        in.copyFrom(out);
        started = true;
    }

    void finish() {
        done = true;
    }
}
