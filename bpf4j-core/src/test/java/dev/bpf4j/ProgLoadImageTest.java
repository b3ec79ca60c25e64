package dev.bpf4j;

import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.internal.sys.BpfAttr.ProgLoad;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The laid-out BPF_PROG_LOAD request: what the kernel reads through its pointers once it is placed. */
class ProgLoadImageTest {
    private static final Instructions INSNS = new Instructions(List.of(
            new Instruction(0xb7, 0, 0, 0, 0), // r0 = 0: slot 0
            new Instruction(Instruction.LD_IMM64, 1, Instruction.PSEUDO_MAP_FD, 0, 0x12345678_00000000L), // slots 1-2
            new Instruction(0x95, 0, 0, 0, 0))); // exit: slot 3

    @Test
    void placedImagePointsAtItsOwnCopiesAndTakesTheFdsOnlyALoadKnows() {
        byte[] funcInfo = records(8, 0, 7);
        byte[] lineInfo = records(16, 0, 1, 2, 3 << 10 | 4);
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, INSNS).name("img_test").license("GPL")
                .kernelVersion(0x060c00).funcInfo(funcInfo, 8).lineInfo(lineInfo, 16).fdArray(5, 6).build();
        ProgLoadImage image = ProgLoadImage.of(spec);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = image.place(arena, 42, new int[] {1}, new int[] {77});
            assertEquals(ProgramType.SOCKET_FILTER.value(), attr.get(ValueLayout.JAVA_INT, ProgLoad.PROG_TYPE));
            assertEquals(4, attr.get(ValueLayout.JAVA_INT, ProgLoad.INSN_CNT), "slots, a 64-bit load counting two");
            assertEquals(0x060c00, attr.get(ValueLayout.JAVA_INT, ProgLoad.KERN_VERSION));
            assertEquals("img_test", attr.getString(ProgLoad.PROG_NAME));
            assertEquals(42, attr.get(ValueLayout.JAVA_INT, ProgLoad.PROG_BTF_FD));

            byte[] expected = INSNS.encode(ByteOrder.nativeOrder());
            ByteBuffer.wrap(expected).order(ByteOrder.nativeOrder()).putInt(8 + 4, 77); // the map fd, low half
            assertArrayEquals(expected, pointed(attr, ProgLoad.INSNS, expected.length, image));
            assertEquals(0x12345678, ByteBuffer.wrap(expected).order(ByteOrder.nativeOrder()).getInt(16 + 4),
                    "the 64-bit load's high half is left as planned");
            assertArrayEquals("GPL\0".getBytes(), pointed(attr, ProgLoad.LICENSE, 4, image));
            assertArrayEquals(funcInfo, pointed(attr, ProgLoad.FUNC_INFO, funcInfo.length, image));
            assertEquals(8, attr.get(ValueLayout.JAVA_INT, ProgLoad.FUNC_INFO_REC_SIZE));
            assertEquals(1, attr.get(ValueLayout.JAVA_INT, ProgLoad.FUNC_INFO_CNT));
            assertArrayEquals(lineInfo, pointed(attr, ProgLoad.LINE_INFO, lineInfo.length, image));
            assertEquals(16, attr.get(ValueLayout.JAVA_INT, ProgLoad.LINE_INFO_REC_SIZE));
            assertEquals(1, attr.get(ValueLayout.JAVA_INT, ProgLoad.LINE_INFO_CNT));
            assertArrayEquals(records(8, 5, 6), pointed(attr, ProgLoad.FD_ARRAY, 8, image));

            // the image itself is not changed by placing it: another placement takes other fds
            MemorySegment again = image.place(arena, 0, new int[] {1}, new int[] {88});
            assertEquals(0, again.get(ValueLayout.JAVA_INT, ProgLoad.PROG_BTF_FD), "the spec's BTF fd (none)");
            assertEquals(88, MemorySegment.ofAddress(again.get(ValueLayout.JAVA_LONG, ProgLoad.INSNS))
                    .reinterpret(32).get(ValueLayout.JAVA_INT, 8 + 4));
            assertEquals(77, MemorySegment.ofAddress(attr.get(ValueLayout.JAVA_LONG, ProgLoad.INSNS))
                    .reinterpret(32).get(ValueLayout.JAVA_INT, 8 + 4));
        }
    }

    @Test
    void absentRecordsLeaveTheirPointersAndCountsZero() {
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, INSNS).license("GPL").build();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = ProgLoadImage.of(spec).place(arena, 0, new int[0], new int[0]);
            for (int field : new int[] {ProgLoad.FUNC_INFO, ProgLoad.LINE_INFO, ProgLoad.FD_ARRAY}) {
                assertEquals(0, attr.get(ValueLayout.JAVA_LONG, field), "pointer at " + field);
            }
            assertEquals(0, attr.get(ValueLayout.JAVA_INT, ProgLoad.FUNC_INFO_CNT));
            assertEquals(0, attr.get(ValueLayout.JAVA_INT, ProgLoad.LINE_INFO_CNT));
            assertEquals(0, attr.get(ValueLayout.JAVA_LONG, ProgLoad.PROG_NAME), "no name");
        }
    }

    @Test
    void aRequestOverTheVerifiersLimitIsRefusedBeforeItIsLaidOut() {
        Instruction[] many = new Instruction[Program.MAX_INSTRUCTIONS + 1];
        java.util.Arrays.fill(many, new Instruction(0xb7, 0, 0, 0, 0));
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, Instructions.of(many)).name("huge")
                .license("GPL").build();
        BpfException e = org.junit.jupiter.api.Assertions.assertThrows(BpfException.class, () -> ProgLoadImage.of(spec));
        assertTrue(e.getMessage().contains("1000001 instruction slots") && e.getMessage().contains("huge"),
                e.getMessage());
    }

    /** The {@code length} bytes an attr pointer field points at, checked to lie inside the placed image. */
    private static byte[] pointed(MemorySegment attr, int field, int length, ProgLoadImage image) {
        long address = attr.get(ValueLayout.JAVA_LONG, field);
        assertTrue(address >= attr.address() + ProgLoad.SIZE && address + length <= attr.address() + image.size(),
                "field " + field + " points inside the image");
        assertEquals(0, address % 8, "field " + field + " is 8-byte aligned");
        return MemorySegment.ofAddress(address).reinterpret(length).toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] records(int size, int... ints) {
        ByteBuffer b = ByteBuffer.allocate(size * ((ints.length * 4 + size - 1) / size)).order(ByteOrder.nativeOrder());
        for (int i : ints) {
            b.putInt(i);
        }
        return b.array();
    }
}
