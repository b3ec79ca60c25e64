package dev.bpf4j;

import dev.bpf4j.asm.Instructions;
import dev.bpf4j.internal.sys.BpfAttr.ProgLoad;
import dev.bpf4j.internal.sys.ObjectCalls;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A BPF_PROG_LOAD request laid out once as bytes: the attribute block, then the instructions,
 * license, func_info, line_info and fd_array, each 8-byte aligned. Until the image is placed in
 * native memory, the attribute's pointer fields hold offsets into it. A loader builds images while
 * it plans (warm code, no kernel), so that a load copies one block and patches a few fields: the
 * addresses, the BTF fd and the map fds in the instructions.
 */
final class ProgLoadImage {
    private final ProgramSpec spec;
    private final byte[] bytes;
    private final int insnsAt;
    private final int[] pointers; // attribute fields holding an offset into the image, made addresses when placed

    private ProgLoadImage(ProgramSpec spec, byte[] bytes, int insnsAt, int[] pointers) {
        this.spec = spec;
        this.bytes = bytes;
        this.insnsAt = insnsAt;
        this.pointers = pointers;
    }

    /** The request for {@code spec}; one over the verifier's instruction limit is refused here, before it is laid out. */
    static ProgLoadImage of(ProgramSpec spec) {
        int slots = spec.instructions().slotCount();
        if (slots > Program.MAX_INSTRUCTIONS) {
            throw new BpfException(spec.describe() + " has " + slots + " instruction slots; the kernel accepts at most "
                    + Program.MAX_INSTRUCTIONS);
        }
        int insnsLength = slots * Instructions.SLOT_SIZE;
        byte[] license = spec.licenseCString();
        byte[] funcInfo = spec.funcInfoRecords();
        byte[] lineInfo = spec.lineInfoRecords();
        int[] fdArray = spec.fdArrayEntries();
        int insnsAt = align(ProgLoad.SIZE);
        int licenseAt = align(insnsAt + insnsLength);
        int funcInfoAt = align(licenseAt + license.length);
        int lineInfoAt = align(funcInfoAt + funcInfo.length);
        int fdArrayAt = align(lineInfoAt + lineInfo.length);
        byte[] bytes = new byte[fdArrayAt + fdArray.length * Integer.BYTES];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        b.putInt(ProgLoad.PROG_TYPE, spec.type().value());
        b.putInt(ProgLoad.INSN_CNT, slots);
        b.putInt(ProgLoad.KERN_VERSION, spec.kernelVersion());
        b.putInt(ProgLoad.PROG_FLAGS, spec.flags());
        if (!spec.name().isEmpty()) {
            ObjectCalls.putName(MemorySegment.ofArray(bytes), ProgLoad.PROG_NAME, spec.name(), 16, "program");
        }
        if (spec.expectedAttachType() != null) {
            b.putInt(ProgLoad.EXPECTED_ATTACH_TYPE, spec.expectedAttachType().value());
        }
        b.putInt(ProgLoad.PROG_BTF_FD, spec.progBtfFd());
        b.putInt(ProgLoad.ATTACH_BTF_ID, spec.attachBtfId());
        // attach_prog_fd and attach_btf_obj_fd share one field; the spec allows at most one.
        b.putInt(ProgLoad.ATTACH_PROG_FD, spec.attachProgFd() != 0 ? spec.attachProgFd() : spec.attachBtfObjFd());
        int[] pointers = new int[5];
        int n = 0;
        b.putLong(ProgLoad.INSNS, insnsAt);
        spec.instructions().encodeInto(bytes, insnsAt);
        pointers[n++] = ProgLoad.INSNS;
        pointers[n++] = put(b, ProgLoad.LICENSE, licenseAt, license);
        if (funcInfo.length > 0) {
            pointers[n++] = put(b, ProgLoad.FUNC_INFO, funcInfoAt, funcInfo);
            b.putInt(ProgLoad.FUNC_INFO_REC_SIZE, spec.funcInfoRecordSize());
            b.putInt(ProgLoad.FUNC_INFO_CNT, funcInfo.length / spec.funcInfoRecordSize());
        }
        if (lineInfo.length > 0) {
            pointers[n++] = put(b, ProgLoad.LINE_INFO, lineInfoAt, lineInfo);
            b.putInt(ProgLoad.LINE_INFO_REC_SIZE, spec.lineInfoRecordSize());
            b.putInt(ProgLoad.LINE_INFO_CNT, lineInfo.length / spec.lineInfoRecordSize());
        }
        if (fdArray.length > 0) {
            b.putLong(ProgLoad.FD_ARRAY, fdArrayAt);
            for (int i = 0; i < fdArray.length; i++) {
                b.putInt(fdArrayAt + i * Integer.BYTES, fdArray[i]);
            }
            pointers[n++] = ProgLoad.FD_ARRAY;
        }
        return new ProgLoadImage(spec, bytes, insnsAt, java.util.Arrays.copyOf(pointers, n));
    }

    private static int put(ByteBuffer b, int field, int at, byte[] data) {
        b.putLong(field, at);
        b.put(at, data);
        return field;
    }

    private static int align(int offset) {
        return (offset + 7) & ~7;
    }

    ProgramSpec spec() {
        return spec;
    }

    /** Bytes of the image: the attribute block and everything it points to. */
    int size() {
        return bytes.length;
    }

    /**
     * The image in memory from {@code memory}, ready for bpf(): its pointers made addresses,
     * prog_btf_fd set to {@code btfFd} unless that is 0, and at each slot of {@code mapSlots} the
     * immediate's low 32 bits (where a 64-bit load takes a map fd) set to the fd at the same index
     * of {@code mapFds}.
     */
    MemorySegment place(SegmentAllocator memory, int btfFd, int[] mapSlots, int[] mapFds) {
        MemorySegment image = memory.allocate(bytes.length, 8);
        MemorySegment.copy(bytes, 0, image, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long base = image.address();
        for (int field : pointers) {
            image.set(ValueLayout.JAVA_LONG, field, base + image.get(ValueLayout.JAVA_LONG, field));
        }
        if (btfFd != 0) {
            image.set(ValueLayout.JAVA_INT, ProgLoad.PROG_BTF_FD, btfFd);
        }
        for (int k = 0; k < mapSlots.length; k++) {
            image.set(ValueLayout.JAVA_INT, insnsAt + (long) mapSlots[k] * 8 + 4, mapFds[k]);
        }
        return image;
    }
}
