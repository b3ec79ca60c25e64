package dev.bpf4j;

import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Fd;
import dev.bpf4j.internal.sys.InfoLayouts;
import dev.bpf4j.internal.sys.ObjectCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** A BTF object loaded in the kernel (the kernel's own, a module's, or a program's), by fd. */
public final class BtfObject implements AutoCloseable {
    /** Room for a name: module names are at most 56 bytes. */
    private static final int NAME_ROOM = 64;

    private final Fd fd;

    private BtfObject(int fd, String what) {
        this.fd = new Fd(fd, what);
    }

    /** Ids of every BTF object in the kernel, in ascending order (vmlinux is usually 1). */
    public static List<Integer> ids() {
        return ObjectCalls.ids(BpfCommand.BPF_BTF_GET_NEXT_ID);
    }

    /** Opens the BTF object with this id. */
    public static BtfObject byId(int id) {
        return new BtfObject(ObjectCalls.fdById(BpfCommand.BPF_BTF_GET_FD_BY_ID, id), "BTF object " + id);
    }

    public int fd() {
        return fd.get();
    }

    public BtfObjectInfo info() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = info(arena, MemorySegment.NULL, 0);
            return new BtfObjectInfo(info.get(ValueLayout.JAVA_INT, InfoLayouts.Btf.ID),
                    info.get(ValueLayout.JAVA_LONG, InfoLayouts.Btf.NAME) == 0 ? ""
                            : MemorySegment.ofAddress(info.get(ValueLayout.JAVA_LONG, InfoLayouts.Btf.NAME))
                                    .reinterpret(NAME_ROOM).getString(0),
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Btf.BTF_SIZE),
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Btf.KERNEL_BTF) != 0);
        }
    }

    /** The raw BTF bytes, as the kernel holds them (header, types, strings). */
    public byte[] data() {
        try (Arena arena = Arena.ofConfined()) {
            int size = info(arena, MemorySegment.NULL, 0).get(ValueLayout.JAVA_INT, InfoLayouts.Btf.BTF_SIZE);
            MemorySegment data = arena.allocate(Math.max(size, 1), 8);
            MemorySegment info = info(arena, data, size);
            int written = Math.min(size, info.get(ValueLayout.JAVA_INT, InfoLayouts.Btf.BTF_SIZE));
            return data.asSlice(0, written).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private MemorySegment info(Arena arena, MemorySegment data, int dataSize) {
        MemorySegment info = arena.allocate(InfoLayouts.Btf.SIZE, 8);
        MemorySegment name = arena.allocate(NAME_ROOM);
        info.set(ValueLayout.JAVA_LONG, InfoLayouts.Btf.BTF, data.address());
        info.set(ValueLayout.JAVA_INT, InfoLayouts.Btf.BTF_SIZE, dataSize);
        info.set(ValueLayout.JAVA_LONG, InfoLayouts.Btf.NAME, name.address());
        info.set(ValueLayout.JAVA_INT, InfoLayouts.Btf.NAME_LEN, NAME_ROOM);
        ObjectCalls.info(fd(), info);
        return info;
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
