package dev.bpf4j.asm;

import dev.bpf4j.BpfFormatException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * An immutable sequence of instructions, with the encoding the kernel reads: 8 bytes per slot,
 * two slots for each 64-bit immediate load. Jump offsets count slots, not instructions.
 */
public final class Instructions implements Iterable<Instruction> {
    /** Bytes in one instruction slot. */
    public static final int SLOT_SIZE = 8;

    /** The records and the slot index of each (plus the total at the end). */
    private record Decoded(List<Instruction> list, int[] slotOf) {
        static Decoded of(List<Instruction> list) {
            int[] slotOf = new int[list.size() + 1];
            for (int i = 0; i < list.size(); i++) {
                slotOf[i + 1] = slotOf[i] + list.get(i).slots();
            }
            return new Decoded(list, slotOf);
        }
    }

    // A sequence is made from records or from its native encoding (a linked program: the linker
    // works on bytes); each form is made from the other the first time it is asked for.
    private volatile Decoded decoded;
    private volatile byte[] nativeEncoding;
    private final String[] references; // of an encoded sequence: the symbolic name at each slot, or null

    public Instructions(List<Instruction> instructions) {
        this.decoded = Decoded.of(List.copyOf(instructions));
        this.references = null;
    }

    private Instructions(Decoded decoded, byte[] nativeEncoding) {
        this.decoded = decoded;
        this.nativeEncoding = nativeEncoding;
        this.references = null;
    }

    private Instructions(byte[] nativeEncoding, String[] references) {
        this.nativeEncoding = nativeEncoding;
        this.references = references;
    }

    public static Instructions of(Instruction... instructions) {
        return new Instructions(List.of(instructions));
    }

    /**
     * The sequence whose native-order encoding is {@code bytes} (kept, not copied: the caller gives
     * it up), with {@code references[slot]}, where not null, as the {@link Instruction#reference()}
     * of the instruction starting at that slot. The records are decoded when first asked for.
     */
    public static Instructions ofNativeEncoding(byte[] bytes, String[] references) {
        if (bytes.length % SLOT_SIZE != 0) {
            throw new IllegalArgumentException("instruction bytes: length " + bytes.length
                    + " is not a multiple of " + SLOT_SIZE);
        }
        int slots = bytes.length / SLOT_SIZE;
        if (references != null && references.length < slots) {
            throw new IllegalArgumentException(references.length + " references for " + slots + " slots");
        }
        for (int slot = 0; slot < slots; slot++) { // a wide load's two halves: decoding it later cannot fail
            if ((bytes[slot * SLOT_SIZE] & 0xff) == Instruction.LD_IMM64 && ++slot == slots) {
                throw new IllegalArgumentException("instruction bytes: 64-bit immediate load at slot " + (slot - 1)
                        + " lacks its second slot");
            }
        }
        return new Instructions(bytes, references);
    }

    private Decoded decoded() {
        Decoded d = decoded;
        if (d == null) {
            List<Instruction> list = decodeList(nativeEncoding, ByteOrder.nativeOrder());
            if (references != null) {
                int slot = 0;
                for (int i = 0; i < list.size(); i++) {
                    Instruction insn = list.get(i);
                    if (references[slot] != null) {
                        list.set(i, insn.withReference(references[slot]));
                    }
                    slot += insn.slots();
                }
            }
            d = Decoded.of(Collections.unmodifiableList(list));
            decoded = d;
        }
        return d;
    }

    public List<Instruction> list() {
        return decoded().list();
    }

    public Instruction get(int index) {
        return decoded().list().get(index);
    }

    /** Number of instructions (a 64-bit immediate load counts once). */
    public int size() {
        return decoded().list().size();
    }

    /** Number of 8-byte slots: what the kernel calls the instruction count. */
    public int slotCount() {
        Decoded d = decoded;
        return d != null ? d.slotOf()[d.list().size()] : nativeEncoding.length / SLOT_SIZE;
    }

    /** The slot where instruction {@code index} starts ({@code size()} gives the end). */
    public int slotOf(int index) {
        return decoded().slotOf()[index];
    }

    /** The instruction starting at {@code slot}, or -1 if the slot is the second half of a wide one. */
    public int indexOfSlot(int slot) {
        Decoded d = decoded();
        int i = java.util.Arrays.binarySearch(d.slotOf(), slot);
        return i >= 0 && i < d.list().size() ? i : -1;
    }

    @Override
    public Iterator<Instruction> iterator() {
        return list().iterator();
    }

    /** The kernel encoding in the given byte order. */
    public byte[] encode(ByteOrder order) {
        return order == ByteOrder.nativeOrder() ? nativeEncoding().clone() : encodeNow(order);
    }

    /** Copies the native-order encoding into {@code dest} from {@code at} ({@link #slotCount()} * 8 bytes). */
    public void encodeInto(byte[] dest, int at) {
        byte[] bytes = nativeEncoding();
        System.arraycopy(bytes, 0, dest, at, bytes.length);
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
        Decoded d = decoded();
        Instruction[] out = d.list().toArray(new Instruction[0]);
        byte[] encoding = nativeEncoding;
        ByteBuffer patch = encoding == null ? null : ByteBuffer.wrap(encoding.clone()).order(ByteOrder.nativeOrder());
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            Instruction insn = out[i].withImm(immediates[k]);
            out[i] = insn;
            if (patch != null) {
                int at = d.slotOf()[i] * SLOT_SIZE;
                patch.putInt(at + 4, (int) insn.imm());
                if (insn.isWide()) {
                    patch.putInt(at + SLOT_SIZE + 4, (int) (insn.imm() >>> 32));
                }
            }
        }
        return new Instructions(new Decoded(List.of(out), d.slotOf()), patch == null ? null : patch.array());
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
        for (Instruction insn : list()) {
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
        return new Instructions(Decoded.of(Collections.unmodifiableList(decodeList(bytes, order))), null);
    }

    private static List<Instruction> decodeList(byte[] bytes, ByteOrder order) {
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
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Instructions other && list().equals(other.list());
    }

    @Override
    public int hashCode() {
        return list().hashCode();
    }

    /** The bpftool-style listing, one numbered line per instruction. */
    @Override
    public String toString() {
        return Disassembler.standard().format(this);
    }
}
