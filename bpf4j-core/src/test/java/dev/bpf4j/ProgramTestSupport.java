package dev.bpf4j;

import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Fd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Raw maps for program tests (the map API lives elsewhere), and test packets. */
final class ProgramTestSupport {
    private ProgramTestSupport() {
    }

    /** A one-entry ARRAY map with u32 keys and u64 values. */
    static Fd arrayMap() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.MapCreate.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, MapType.ARRAY.value());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, 4);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, 1);
            return new Fd(Bpf.call(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE), "test map");
        }
    }

    /** The u64 value at key 0 of an array map. */
    static long valueAtZero(Fd map) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.Elem.SIZE);
            MemorySegment key = arena.allocate(4, 4);
            MemorySegment value = arena.allocate(8, 8);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.Elem.MAP_FD, map.get());
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.Elem.KEY, key.address());
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.Elem.VALUE, value.address());
            Bpf.call(BpfCommand.BPF_MAP_LOOKUP_ELEM, attr, BpfAttr.Elem.SIZE);
            return value.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * An Ethernet frame: 14 header bytes followed by {@code payload}. The ethertype stays 0: with
     * the IPv4 type the kernel's skb test run insists on a whole IP header (EINVAL otherwise).
     */
    static byte[] frame(byte... payload) {
        byte[] frame = new byte[14 + payload.length];
        System.arraycopy(payload, 0, frame, 14, payload.length);
        return frame;
    }
}
