package dev.bpf4j;

import java.lang.foreign.MemorySegment;

/**
 * Converts between a Java value and the fixed-size bytes a map stores for it, in the kernel's (native)
 * byte order. {@link Codecs} has the usual ones.
 */
public interface Codec<T> {
    /** The exact number of bytes of one encoded value. */
    int byteSize();

    /** Writes {@code value} into the first {@link #byteSize()} bytes of {@code target}. */
    void encode(T value, MemorySegment target);

    /** Reads a value from the first {@link #byteSize()} bytes of {@code source}. */
    T decode(MemorySegment source);
}
