package dev.bpf4j.asm;

import dev.bpf4j.BpfFormatException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An immutable sequence of instructions, with the encoding the kernel reads: 8 bytes per slot,
 * two slots for each 64-bit immediate load. Jump offsets count slots, not instructions.
 */
public final class Instructions implements Iterable<Instruction> {
    /** Bytes in one instruction slot. */
    public static final int SLOT_SIZE = 8;

    private final List<Instruction> list;
    private final int[] slotOf; // slot index of each instruction, plus the total at the end
    // The native-order encoding, made once: a loader encodes while it plans (warm, kernel-free code)
    // so that loading only copies bytes.
    private volatile byte[] nativeEncoding;

    public Instructions(List<Instruction> instructions) {
        this.list = List.copyOf(instructions);
        this.slotOf = new int[list.size() + 1];
        for (int i = 0; i < list.size(); i++) {
            slotOf[i + 1] = slotOf[i] + list.get(i).slots();
        }
    }

    private Instructions(List<Instruction> list, int[] slotOf, byte[] nativeEncoding) {
        this.list = list;
        this.slotOf = slotOf;
        this.nativeEncoding = nativeEncoding;
    }

    public static Instructions of(Instruction... instructions) {
        return new Instructions(List.of(instructions));
    }

    public List<Instruction> list() {
        return list;
    }

    public Instruction get(int index) {
        return list.get(index);
    }

    /** Number of instructions (a 64-bit immediate load counts once). */
    public int size() {
        return list.size();
    }

    /** Number of 8-byte slots: what the kernel calls the instruction count. */
    public int slotCount() {
        return slotOf[list.size()];
    }

    /** The slot where instruction {@code index} starts ({@code size()} gives the end). */
    public int slotOf(int index) {
        return slotOf[index];
    }

    /** The instruction starting at {@code slot}, or -1 if the slot is the second half of a wide one. */
    public int indexOfSlot(int slot) {
        int i = java.util.Arrays.binarySearch(slotOf, slot);
        return i >= 0 && i < list.size() ? i : -1;
    }

    @Override
    public Iterator<Instruction> iterator() {
        return list.iterator();
    }

    /** The kernel encoding in the given byte order. */
    public byte[] encode(ByteOrder order) {
        return order == ByteOrder.nativeOrder() ? nativeEncoding().clone() : encodeNow(order);
    }

    /** This sequence with its native encoding made now, so that a later {@link #encode(Arena)} only copies. */
    public Instructions withEncoding() {
        nativeEncoding();
        return this;
    }

    /**
     * A copy with the immediates of the instructions at {@code indices} replaced (the low 32 bits
     * of a 64-bit immediate load's value too, as a map fd goes there): the slot layout is the same,
     * so an encoding already made is patched, not made again.
     */
    public Instructions withImmediates(int[] indices, long[] immediates) {
        if (indices.length != immediates.length) {
            throw new IllegalArgumentException(indices.length + " indices but " + immediates.length + " immediates");
        }
        Instruction[] out = list.toArray(new Instruction[0]);
        byte[] encoding = nativeEncoding;
        ByteBuffer patch = encoding == null ? null : ByteBuffer.wrap(encoding.clone()).order(ByteOrder.nativeOrder());
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            Instruction insn = out[i].withImm(immediates[k]);
            out[i] = insn;
            if (patch != null) {
                int at = slotOf[i] * SLOT_SIZE;
                patch.putInt(at + 4, (int) insn.imm());
                if (insn.isWide()) {
                    patch.putInt(at + SLOT_SIZE + 4, (int) (insn.imm() >>> 32));
                }
            }
        }
        return new Instructions(List.of(out), slotOf, patch == null ? null : patch.array());
    }

    private byte[] nativeEncoding() {
        byte[] bytes = nativeEncoding;
        if (bytes == null) {
            bytes = encodeNow(ByteOrder.nativeOrder());
            nativeEncoding = bytes;
        }
        return bytes;
    }

    private byte[] encodeNow(ByteOrder order) {
        ByteBuffer buffer = ByteBuffer.allocate(slotCount() * SLOT_SIZE).order(order);
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        for (Instruction insn : list) {
            putSlot(buffer, insn.opcode(), insn.dst(), insn.src(), insn.offset(), (int) insn.imm(), little);
            if (insn.isWide()) {
                putSlot(buffer, 0, 0, 0, (short) 0, (int) (insn.imm() >>> 32), little);
            }
        }
        return buffer.array();
    }

    /** The native-order encoding copied into memory from {@code arena}, ready for BPF_PROG_LOAD. */
    public MemorySegment encode(Arena arena) {
        byte[] bytes = nativeEncoding();
        MemorySegment segment = arena.allocate(Math.max(bytes.length, 1), 8);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
        return segment;
    }

    private static void putSlot(ByteBuffer buffer, int opcode, int dst, int src, short offset, int imm,
            boolean little) {
        buffer.put((byte) opcode);
        buffer.put((byte) (little ? (src << 4) | dst : (dst << 4) | src));
        buffer.putShort(offset);
        buffer.putInt(imm);
    }

    /** Decodes {@code bytes} (a whole number of slots) in the given byte order. */
    public static Instructions decode(byte[] bytes, ByteOrder order) {
        if (bytes.length % SLOT_SIZE != 0) {
            throw new BpfFormatException("instruction bytes: length " + bytes.length
                    + " is not a multiple of " + SLOT_SIZE);
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(order);
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        List<Instruction> out = new ArrayList<>(bytes.length / SLOT_SIZE);
        while (buffer.hasRemaining()) {
            int at = buffer.position();
            int opcode = buffer.get() & 0xff;
            int regs = buffer.get() & 0xff;
            short offset = buffer.getShort();
            int imm = buffer.getInt();
            int dst = little ? regs & 0x0f : regs >> 4;
            int src = little ? regs >> 4 : regs & 0x0f;
            long value = imm;
            if (opcode == Instruction.LD_IMM64) {
                if (!buffer.hasRemaining()) {
                    throw new BpfFormatException("instruction bytes: 64-bit immediate load at offset " + at
                            + " (slot " + at / SLOT_SIZE + ") lacks its second slot");
                }
                buffer.position(buffer.position() + 4);
                long high = buffer.getInt();
                value = (high << 32) | (imm & 0xffffffffL);
            }
            out.add(new Instruction(opcode, dst, src, offset, value, null));
        }
        return new Instructions(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instructions other && list.equals(other.list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    /** The bpftool-style listing, one numbered line per instruction. */
    @Override
    public String toString() {
        return Disassembler.standard().format(this);
    }
}
