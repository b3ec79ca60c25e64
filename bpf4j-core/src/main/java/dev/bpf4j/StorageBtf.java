package dev.bpf4j;

import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The smallest BTF a local-storage map (SK/INODE/TASK/CGRP_STORAGE) accepts: the kernel insists on
 * BTF-typed key and value for them. Describes {@code int} for the key and
 * {@code struct bpf4j_storage { unsigned char data[valueSize]; }} for the value.
 */
final class StorageBtf {
    static final int KEY_TYPE_ID = 1;
    static final int VALUE_TYPE_ID = 4;

    private static final int MAGIC = 0xeB9F;
    private static final int HEADER_LEN = 24;
    private static final int KIND_INT = 1, KIND_ARRAY = 3, KIND_STRUCT = 4;
    private static final int INT_SIGNED = 1;
    private static final String STRINGS = "\0int\0unsigned char\0bpf4j_storage\0data\0";
    private static final int NAME_INT = 1, NAME_UCHAR = 5, NAME_STRUCT = 19, NAME_DATA = 33;

    private StorageBtf() {
    }

    /** The raw BTF blob (native byte order, as the kernel expects) for a value of {@code valueSize} bytes. */
    static byte[] blob(int valueSize) {
        byte[] strings = STRINGS.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer types = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
        // 1: int, 4 bytes, signed, 32 bits
        type(types, NAME_INT, KIND_INT, 0, 4);
        types.putInt(INT_SIGNED << 24 | 32);
        // 2: unsigned char, 1 byte, 8 bits
        type(types, NAME_UCHAR, KIND_INT, 0, 1);
        types.putInt(8);
        // 3: unsigned char[valueSize], indexed by int
        type(types, 0, KIND_ARRAY, 0, 0);
        types.putInt(2).putInt(1).putInt(valueSize);
        // 4: struct bpf4j_storage { data at bit offset 0 }
        type(types, NAME_STRUCT, KIND_STRUCT, 1, valueSize);
        types.putInt(NAME_DATA).putInt(3).putInt(0);
        int typeLen = types.position();

        ByteBuffer blob = ByteBuffer.allocate(HEADER_LEN + typeLen + strings.length).order(ByteOrder.nativeOrder());
        blob.putShort((short) MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER_LEN);
        blob.putInt(0).putInt(typeLen).putInt(typeLen).putInt(strings.length);
        blob.put(types.array(), 0, typeLen).put(strings);
        return blob.array();
    }

    private static void type(ByteBuffer out, int nameOff, int kind, int vlen, int sizeOrType) {
        out.putInt(nameOff).putInt(kind << 24 | vlen).putInt(sizeOrType);
    }

    /** Loads the blob with BPF_BTF_LOAD; returns the new BTF fd (the caller closes it). */
    static int load(int valueSize) {
        byte[] bytes = blob(valueSize);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(bytes.length, 8);
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment attr = Bpf.attr(arena, BpfAttr.BtfLoad.SIZE);
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.BtfLoad.BTF, data.address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.BtfLoad.BTF_SIZE, bytes.length);
            return Bpf.call(BpfCommand.BPF_BTF_LOAD, attr, BpfAttr.BtfLoad.SIZE);
        }
    }
}
