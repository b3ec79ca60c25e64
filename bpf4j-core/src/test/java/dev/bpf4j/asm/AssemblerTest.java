package dev.bpf4j.asm;

import dev.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.HexFormat;

import static dev.bpf4j.asm.Register.R0;
import static dev.bpf4j.asm.Register.R1;
import static dev.bpf4j.asm.Register.R2;
import static dev.bpf4j.asm.Register.R10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AssemblerTest {
    @Test
    void jumpOffsetsCountSlotsAcrossWideLoads() {
        Instructions p = new Assembler()
                .mov64(R0, 0)
                .jeq(R1, 5, "out")          // 1 -> skips lddw (2 slots) and mov: offset 3
                .ldImm64(R2, 0x1122334455667788L)
                .mov64(R0, 1)
                .label("out")
                .exit()
                .build();
        assertEquals(5, p.size());
        assertEquals(6, p.slotCount());
        assertEquals(3, p.get(1).offset());
        assertEquals(5, p.slotOf(4));
        assertEquals(-1, p.indexOfSlot(3)); // second half of the lddw
    }

    @Test
    void backwardJumpsSubprogramCallsAndFuncPointers() {
        Instructions p = new Assembler()
                .label("top")
                .callSubprog("sub")    // slot 0 -> sub at slot 5: imm 4
                .ldFunc(R1, "sub")     // slots 1-2 -> imm 3 (relative to the first slot, as for calls)
                .ja("top")             // slot 3 -> offset -4
                .exit()                // 4
                .label("sub")
                .mov64(R0, 7)
                .gotol("top")          // slot 6 -> imm -7
                .build();
        assertEquals(4, p.get(0).imm());
        assertEquals(Instruction.PSEUDO_CALL, p.get(0).src());
        assertEquals(3, p.get(1).imm());
        assertEquals(Instruction.PSEUDO_FUNC, p.get(1).src());
        assertEquals(-4, p.get(2).offset());
        assertEquals(-7, p.get(5).imm());
    }

    @Test
    void replacedImmediatesPatchAnEncodingMadeBefore() {
        Instructions p = new Assembler().mov64(R0, 1).ldImm64(R2, 0x1122334455667788L).mov64(R1, 2).exit().build();
        byte[] before = p.withEncoding().encode(ByteOrder.nativeOrder());
        Instructions q = p.withImmediates(new int[] {1, 2}, new long[] {0x99aabbcc00000007L, 9});
        assertEquals(0x99aabbcc00000007L, q.get(1).imm());
        assertEquals(9, q.get(2).imm());
        // the patched encoding equals one made from scratch, and the original is untouched
        Instructions fresh = new Instructions(q.list());
        assertArrayEquals(fresh.encode(ByteOrder.nativeOrder()), q.encode(ByteOrder.nativeOrder()));
        assertArrayEquals(before, p.encode(ByteOrder.nativeOrder()));
        assertEquals(p.slotCount(), q.slotCount());
        assertThrows(IllegalArgumentException.class, () -> p.withImmediates(new int[] {1}, new long[0]));
    }

    @Test
    void aSequenceMadeFromItsEncodingDecodesWhenAskedWithItsReferences() {
        Instructions p = new Assembler().mov64(R0, 1).ldImm64(R2, 0x1122334455667788L).mov64(R1, 2).exit().build();
        byte[] bytes = p.encode(ByteOrder.nativeOrder());
        String[] references = new String[p.slotCount()];
        references[1] = "counts"; // the slot where the wide load starts
        Instructions q = Instructions.ofNativeEncoding(bytes, references);
        assertEquals(5, q.slotCount());
        assertArrayEquals(bytes, q.encode(ByteOrder.nativeOrder()));
        assertEquals(4, q.size());
        assertEquals(p.get(1).withReference("counts"), q.get(1));
        assertEquals(p.get(2), q.get(2));
        assertEquals(3, q.slotOf(2));
        assertEquals(-1, q.indexOfSlot(2), "second half of the wide load");
        byte[] into = new byte[bytes.length + 8];
        q.encodeInto(into, 8);
        assertArrayEquals(bytes, java.util.Arrays.copyOfRange(into, 8, into.length));

        byte[] cut = java.util.Arrays.copyOf(bytes, 16); // mov, then the wide load's first half only
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Instructions.ofNativeEncoding(cut, null))
                .getMessage().contains("slot 1 lacks its second slot"));
        assertThrows(IllegalArgumentException.class, () -> Instructions.ofNativeEncoding(new byte[12], null));
        assertThrows(IllegalArgumentException.class, () -> Instructions.ofNativeEncoding(bytes, new String[2]));
    }

    @Test
    void encodingFollowsTheKernelLayoutInBothByteOrders() {
        Instructions p = new Assembler().ldxw(R1, R2, 4).ldImm64(R2, 0x1122334455667788L).build();
        assertEquals("6121040000000000" + "1802000088776655" + "0000000044332211",
                HexFormat.of().formatHex(p.encode(ByteOrder.LITTLE_ENDIAN)));
        assertEquals("6112000400000000" + "1820000055667788" + "0000000011223344",
                HexFormat.of().formatHex(p.encode(ByteOrder.BIG_ENDIAN)));
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            assertEquals(p, Instructions.decode(p.encode(order), order));
        }
    }

    @Test
    void everyFormRoundTripsThroughBytes() {
        Instructions p = allForms();
        byte[] bytes = p.encode(ByteOrder.LITTLE_ENDIAN);
        assertEquals(p.slotCount() * 8, bytes.length);
        Instructions back = Instructions.decode(bytes, ByteOrder.LITTLE_ENDIAN);
        // symbolic references are not part of the encoding
        for (int i = 0; i < p.size(); i++) {
            assertEquals(p.get(i).withReference(null), back.get(i), "instruction " + i);
        }
        assertArrayEquals(bytes, back.encode(ByteOrder.LITTLE_ENDIAN));
    }

    static Instructions allForms() {
        Assembler a = new Assembler();
        for (AluOp op : AluOp.values()) {
            if (op != AluOp.END && op != AluOp.NEG) {
                a.alu64(op, R1, R2).alu64(op, R1, -3).alu32(op, R1, R2).alu32(op, R1, 3);
            }
        }
        a.neg64(R1).neg32(R1).sdiv64(R1, R2).smod32(R1, 3).movsx64(R1, R2, 32).movsx32(R1, R2, 8)
                .be(R1, 16).le(R1, 32).bswap(R1, 64);
        for (Size s : Size.values()) {
            a.ldx(s, R1, R2, -8).stx(s, R10, -8, R1).st(s, R10, -16, 42).ldAbs(s, 12).ldInd(s, R2, 4);
            if (s != Size.DW) {
                a.ldxs(s, R1, R2, 2);
            }
        }
        for (AtomicOp op : AtomicOp.values()) {
            if (op != AtomicOp.LOAD_ACQ && op != AtomicOp.STORE_REL) {
                a.atomic(op, Size.DW, R1, 8, R2).atomic(op, Size.W, R1, 0, R2);
            }
        }
        a.loadAcquire(Size.B, R1, R2, 0).storeRelease(Size.DW, R1, 0, R2);
        a.ldImm64(R1, -1).ldMapFd(R1, 9).ldMapValue(R1, 9, 16).ldMap(R1, "counts").ldBtfId(R1, 77);
        a.label("here");
        for (JumpOp op : JumpOp.values()) {
            if (op.isConditional()) {
                a.jmp(op, R1, 5, "here").jmp(op, R1, R2, "here").jmp32(op, R1, -1, "here").jmp32(op, R1, R2, "here");
            }
        }
        return a.ja("here").gotol("here").mayGoto("here").call(Helper.MAP_LOOKUP_ELEM).callKfunc(1234)
                .callSubprog("here").exit().build();
    }

    @Test
    void badArgumentsAreRefusedByName() {
        assertTrue(assertThrows(IllegalStateException.class,
                () -> new Assembler().ja("nowhere").build()).getMessage().contains("'nowhere'"));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().label("x").label("x"));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().bswap(R1, 24));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().movsx32(R1, R2, 32));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().ldxs(Size.DW, R1, R2, 0));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().atomic(AtomicOp.ADD, Size.B, R1, 0, R2));
        assertThrows(IllegalArgumentException.class, () -> new Assembler().jmp(JumpOp.CALL, R1, 0, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Instruction(0xb7, 0, 0, 0, 1L << 33));
        assertThrows(IllegalArgumentException.class, () -> new Instruction(0xb7, 16, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Register.of(11));
        BpfFormatException truncated = assertThrows(BpfFormatException.class,
                () -> Instructions.decode(new byte[] {0x18, 1, 0, 0, 0, 0, 0, 0}, ByteOrder.LITTLE_ENDIAN));
        assertTrue(truncated.getMessage().contains("second slot"), truncated.getMessage());
        assertThrows(BpfFormatException.class, () -> Instructions.decode(new byte[7], ByteOrder.LITTLE_ENDIAN));
        StringBuilder far = new StringBuilder();
        Assembler a = new Assembler().ja("end");
        for (int i = 0; i < 40_000; i++) {
            a.mov64(R0, 0);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.label("end").exit().build());
        assertTrue(e.getMessage().contains("gotol"), e.getMessage() + far);
    }

    @Test
    void helperTableComesFromTheKernelEnum() {
        assertEquals(1, Helper.MAP_LOOKUP_ELEM.id());
        assertEquals("bpf_map_lookup_elem", Helper.MAP_LOOKUP_ELEM.kernelName());
        assertEquals(Helper.KTIME_GET_NS, Helper.ofId(5));
        assertEquals(Helper.TRACE_PRINTK, Helper.ofName("bpf_trace_printk"));
        assertEquals(null, Helper.ofId(0));
        assertEquals(null, Helper.ofId(100_000));
    }
}
