package dev.bpf4j.features;

import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes small raw BTF blobs by hand, type by type, for probes: one kind each for the BTF-kind
 * probes, and a function type for the programs an EXT probe replaces. Type ids count from 1 in
 * the order types are added.
 */
final class BtfBlob {
    private static final int MAGIC = 0xeB9F;
    private static final int HEADER_LEN = 24;

    private final ByteBuffer types = ByteBuffer.allocate(1024).order(ByteOrder.nativeOrder());
    private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
    private int lastId;

    BtfBlob() {
        strings.write(0); // offset 0 is the empty name
    }

    /** Adds a name to the string table; returns its offset. */
    int name(String name) {
        if (name.isEmpty()) {
            return 0;
        }
        int offset = strings.size();
        strings.writeBytes((name + "\0").getBytes(StandardCharsets.US_ASCII));
        return offset;
    }

    /** Starts a type: name, kind, vlen, kind_flag and its size-or-type word; returns its id. */
    int type(String name, BtfKind kind, int vlen, boolean kindFlag, int sizeOrType) {
        int info = kind.value() << 24 | vlen & 0xffff | (kindFlag ? 1 << 31 : 0);
        types.putInt(name(name)).putInt(info).putInt(sizeOrType);
        return ++lastId;
    }

    /** A trailing 32-bit word of the type just started (member, param, enum value...). */
    BtfBlob word(int value) {
        types.putInt(value);
        return this;
    }

    /** {@code int}: 4 bytes, signed, 32 bits. */
    int addInt() {
        int id = type("int", BtfKind.INT, 0, false, 4);
        word(1 << 24 | 32);
        return id;
    }

    /** {@code int name(void)}: a prototype and a global function; returns the function's id. */
    int addFunc(String name) {
        int intId = addInt();
        int proto = type("", BtfKind.FUNC_PROTO, 0, false, intId);
        return type(name, BtfKind.FUNC, 1 /* global linkage */, false, proto);
    }

    byte[] bytes() {
        byte[] str = strings.toByteArray();
        int typeLen = types.position();
        ByteBuffer blob = ByteBuffer.allocate(HEADER_LEN + typeLen + str.length).order(ByteOrder.nativeOrder());
        blob.putShort((short) MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER_LEN);
        blob.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
        blob.put(types.array(), 0, typeLen).put(str);
        return blob.array();
    }

    /** BPF_BTF_LOAD of this blob: the new BTF object's fd, or -errno. */
    int tryLoad() {
        byte[] data = bytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment blob = arena.allocate(data.length, 8);
            MemorySegment.copy(MemorySegment.ofArray(data), 0, blob, 0, data.length);
            MemorySegment attr = Bpf.attr(arena, BpfAttr.BtfLoad.SIZE);
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.BtfLoad.BTF, blob.address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.BtfLoad.BTF_SIZE, data.length);
            return Bpf.tryCall(BpfCommand.BPF_BTF_LOAD, attr, BpfAttr.BtfLoad.SIZE);
        }
    }
}
