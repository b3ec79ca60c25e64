package dev.bpf4j.internal.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;

/** BPF_BTF_LOAD: the one place raw BTF bytes go into the kernel. */
public final class BtfCall {
    private BtfCall() {
    }

    /**
     * Loads {@code bytes} (native byte order); with a {@code log} buffer the kernel explains a
     * refusal there. Returns the new BTF object's fd, or {@code -errno}.
     */
    public static int tryLoad(byte[] bytes, MemorySegment log) {
        try (Arena arena = Arena.ofConfined()) {
            return tryLoad(arena, bytes, log);
        }
    }

    /** As {@link #tryLoad(byte[], MemorySegment)}, with the request made in {@code memory}. */
    public static int tryLoad(SegmentAllocator memory, byte[] bytes, MemorySegment log) {
        Memlock.ensureRaised();
        MemorySegment data = memory.allocate(bytes.length, 8);
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        MemorySegment attr = memory.allocate(BpfAttr.BtfLoad.SIZE, 8).fill((byte) 0);
        attr.set(ValueLayout.JAVA_LONG, BpfAttr.BtfLoad.BTF, data.address());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.BtfLoad.BTF_SIZE, bytes.length);
        if (log != null) {
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.BtfLoad.BTF_LOG_BUF, log.address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.BtfLoad.BTF_LOG_SIZE, (int) log.byteSize());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.BtfLoad.BTF_LOG_LEVEL, 1);
        }
        return Bpf.tryCall(BpfCommand.BPF_BTF_LOAD, attr, BpfAttr.BtfLoad.SIZE);
    }
}
