package dev.bpf4j.btf.core;

import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.asm.Size;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt.CoreRelo;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.CoreReloKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.bpf4j.asm.Register.R0;
import static dev.bpf4j.asm.Register.R1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Candidate selection, ambiguity, poisoning and patching rules, against target BTF written by the
 * test (no kernel needed). The local side is {@code struct task { int pid; unsigned short flags; }}
 * (pid at 0, flags at 4) accessed by {@code ldxw r0, [r1+0]} / {@code ldxh r0, [r1+4]}.
 */
class CoreRelocatorTest {
    private final TypeList localTypes = new TypeList();
    private final int localInt = localTypes.integer("int", 4, true);
    private final int localU16 = localTypes.integer("unsigned short", 2, false);
    private final int localTask = localTypes.struct("task", 8, "pid", localInt, 0, "flags", localU16, 32);
    private final Btf local = localTypes.build();

    private static final Instructions LOADS = new Assembler()
            .ldxw(R0, R1, 0)
            .ldxh(R0, R1, 4)
            .mov64(R0, 1)
            .exit()
            .build();

    private CoreResult relocate(Btf target, Instructions insns, CoreRelo... relos) {
        return new CoreRelocator(local, target).relocate(insns, List.of(relos), "test");
    }

    private CoreRelo relo(int insn, CoreReloKind kind, String access) {
        return new CoreRelo(insn * 8, localTask, access, kind);
    }

    @Test
    void offsetsMoveToTheTargetLayoutAndFlavouredTargetsAreCandidates() {
        TypeList t = new TypeList();
        int i = t.integer("int", 4, true);
        int u16 = t.integer("u16", 2, false);
        t.struct("task___v2", 64, "state", i, 0, "flags", u16, 64, "pid", i, 256);
        CoreResult r = relocate(t.build(), LOADS, relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"),
                relo(1, CoreReloKind.FIELD_BYTE_OFFSET, "0:1"));
        assertEquals(32, r.instructions().get(0).offset());
        assertEquals(8, r.instructions().get(1).offset());
        assertEquals("struct task.pid", r.relocations().get(0).local());
        assertTrue(r.relocations().get(0).target().contains("struct task___v2.pid"), r.relocations().toString());
    }

    @Test
    void candidatesThatAgreeAreFineAndCandidatesThatDisagreeAreAnError() {
        TypeList same = new TypeList();
        int i = same.integer("int", 4, true);
        same.struct("task", 8, "pid", i, 32);
        same.struct("task___b", 16, "pid", i, 32);
        CoreResult r = relocate(same.build(), LOADS, relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"));
        assertEquals(4, r.instructions().get(0).offset());
        assertEquals("2 candidates agree", r.relocations().getFirst().note());

        TypeList differ = new TypeList();
        int j = differ.integer("int", 4, true);
        differ.struct("task", 8, "pid", j, 0);
        differ.struct("task___b", 8, "pid", j, 32);
        CoreException e = assertThrows(CoreException.class,
                () -> relocate(differ.build(), LOADS, relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0")));
        assertTrue(e.getMessage().contains("ambiguous") && e.getMessage().contains("struct task.pid"), e.getMessage());
    }

    @Test
    void laterRelocationsOnlyConsiderTheCandidatesEarlierOnesMatched() {
        TypeList t = new TypeList();
        int i = t.integer("int", 4, true);
        int u16 = t.integer("u16", 2, false);
        t.struct("task", 4, "pid", i, 0);                          // no flags: ruled out by the first relocation
        t.struct("task___b", 12, "pid", i, 32, "flags", u16, 64);
        CoreResult r = relocate(t.build(), LOADS, relo(1, CoreReloKind.FIELD_BYTE_OFFSET, "0:1"),
                relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"));
        assertEquals(8, r.instructions().get(1).offset(), "flags exists only in task___b");
        assertEquals(4, r.instructions().get(0).offset(), "pid of task___b, not an ambiguity with task's");
    }

    @Test
    void typeMatchesComparesMemberNamesWithoutTheirFlavours() {
        Instructions mov = new Assembler().mov64(R0, 1).exit().build(); // the local answer: task matches itself
        TypeList t = new TypeList();
        int i = t.integer("int", 4, true);
        int u16 = t.integer("unsigned short", 2, false);
        t.struct("task", 8, "pid___new", i, 0, "flags", u16, 32);
        CoreResult r = relocate(t.build(), mov, relo(0, CoreReloKind.TYPE_MATCHES, "0"));
        assertEquals(1, r.instructions().get(0).imm(), r.relocations().toString());

        TypeList other = new TypeList();
        int j = other.integer("int", 4, true);
        int v16 = other.integer("unsigned short", 2, false);
        other.struct("task", 8, "tgid", j, 0, "flags", v16, 32);
        CoreResult no = relocate(other.build(), mov, relo(0, CoreReloKind.TYPE_MATCHES, "0"));
        assertEquals(0, no.instructions().get(0).imm(), "a member of another name does not match");
    }

    @Test
    void incompatibleKindsAndTypesAreNotCandidates() {
        TypeList t = new TypeList();
        int i = t.integer("int", 4, true);
        t.add(id -> new BtfType.Typedef(id, "task", i));            // a typedef is no struct candidate
        int inner = t.struct("inner", 4, "x", i, 0);
        t.struct("task___c", 8, "pid", inner, 0);                   // pid is a struct here: incompatible
        CoreResult r = relocate(t.build(), LOADS, relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"),
                relo(2, CoreReloKind.FIELD_EXISTS, "0:0"));
        assertTrue(r.relocations().get(0).poisoned());
        assertEquals(0, r.instructions().get(2).imm(), "field does not exist");
        assertEquals("not found in the candidate struct task___c", r.relocations().get(0).note());
    }

    @Test
    void missingFieldPoisonsTheLoadWithACallToTheBadHelper() {
        TypeList t = new TypeList();
        t.struct("task", 8, "other", t.integer("int", 4, true), 0);
        CoreResult r = relocate(t.build(), LOADS, relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"));
        Instruction poison = r.instructions().get(0);
        assertTrue(poison.isHelperCall());
        assertEquals(CoreRelocator.POISON_HELPER, poison.imm());
        assertEquals(LOADS.slotCount(), r.instructions().slotCount());
        String log = "0: (85) call unknown#195896080\ninvalid func unknown#195896080\n";
        assertTrue(r.explain(log).orElseThrow().contains("struct task.pid"));
    }

    @Test
    void aWiderUnsignedFieldWidensTheLoadAndASignedOneIsPoisoned() {
        TypeList t = new TypeList();
        int u32 = t.integer("unsigned int", 4, false);
        int s32 = t.integer("int", 4, true);
        t.struct("task", 16, "pid", s32, 0, "flags", u32, 64);
        CoreResult r = relocate(t.build(), LOADS, relo(1, CoreReloKind.FIELD_BYTE_OFFSET, "0:1"));
        Instruction widened = r.instructions().get(1);
        assertEquals(8, widened.offset());
        assertEquals(Size.W, Size.of(widened.opcode()));

        TypeList signed = new TypeList();
        int s64 = signed.integer("long", 8, true);
        signed.struct("task", 16, "pid", s64, 0);
        CoreResult p = relocate(signed.build(), LOADS, relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"));
        assertTrue(p.relocations().getFirst().poisoned());
        assertTrue(p.relocations().getFirst().note().contains("changed size"), p.relocations().getFirst().note());
    }

    @Test
    void typeRelocationsWithoutACandidateGiveZero() {
        Instructions movs = new Assembler().mov64(R0, 1).mov64(R0, 8).exit().build();
        TypeList t = new TypeList();
        t.integer("int", 4, true);
        CoreResult r = relocate(t.build(), movs, relo(0, CoreReloKind.TYPE_EXISTS, "0"), relo(1, CoreReloKind.TYPE_SIZE, "0"));
        assertEquals(0, r.instructions().get(0).imm());
        assertEquals(0, r.instructions().get(1).imm());
        assertFalse(r.relocations().get(0).poisoned());
    }

    @Test
    void enum64ValuesPatchA64BitLoadAndMissingValuesPoisonBothSlots() {
        TypeList l = new TypeList();
        int localEnum = l.add(id -> new BtfType.Enum(id, "mode___x", true, 8, false,
                List.of(new BtfType.EnumValue("MODE_BIG___x", 1L << 40), new BtfType.EnumValue("MODE_GONE", 7))));
        Btf localBtf = l.build();
        TypeList t = new TypeList();
        t.add(id -> new BtfType.Enum(id, "mode", true, 8, false, List.of(new BtfType.EnumValue("MODE_BIG", -2L))));
        Instructions insns = new Assembler().ldImm64(R0, 1L << 40).ldImm64(R0, 7).exit().build();
        CoreResult r = new CoreRelocator(localBtf, t.build()).relocate(insns, List.of(
                new CoreRelo(0, localEnum, "0", CoreReloKind.ENUMVAL_VALUE),
                new CoreRelo(16, localEnum, "1", CoreReloKind.ENUMVAL_VALUE)), "enum");
        assertEquals(-2L, r.instructions().get(0).imm());
        assertTrue(r.relocations().get(1).poisoned());
        assertEquals(insns.slotCount(), r.instructions().slotCount(), "an ldimm64 is poisoned in both slots");
        assertEquals(CoreRelocator.POISON_HELPER, r.instructions().get(1).imm());
        assertEquals(CoreRelocator.POISON_HELPER, r.instructions().get(2).imm());
    }

    @Test
    void anInstructionThatDisagreesWithTheLocalBtfIsAnError() {
        TypeList t = new TypeList();
        t.struct("task", 8, "pid", t.integer("int", 4, true), 0);
        CoreException e = assertThrows(CoreException.class,
                () -> relocate(t.build(), LOADS, relo(1, CoreReloKind.FIELD_BYTE_OFFSET, "0:0")));
        assertTrue(e.getMessage().contains("holds 4 but the object's BTF gives 0"), e.getMessage());
    }

    @Test
    void badRecordsGiveClearErrors() {
        TypeList t = new TypeList();
        t.struct("task", 8, "pid", t.integer("int", 4, true), 0);
        Btf target = t.build();
        assertTrue(assertThrows(CoreException.class, () -> relocate(target, LOADS,
                relo(9, CoreReloKind.FIELD_BYTE_OFFSET, "0:0"))).getMessage().contains("outside the program"));
        assertTrue(assertThrows(CoreException.class, () -> relocate(target, LOADS,
                relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:7"))).getMessage().contains("member index 7"));
        assertTrue(assertThrows(CoreException.class, () -> relocate(target, LOADS,
                relo(0, CoreReloKind.FIELD_BYTE_OFFSET, "0:x"))).getMessage().contains("malformed access string"));
        assertTrue(assertThrows(CoreException.class, () -> relocate(target, LOADS,
                new CoreRelo(0, 99, "0:0", CoreReloKind.FIELD_BYTE_OFFSET))).getMessage().contains("out of range"));
        Instructions wide = new Assembler().ldImm64(R0, 0).exit().build();
        assertTrue(assertThrows(CoreException.class, () -> relocate(target, wide,
                new CoreRelo(8, localTask, "0:0", CoreReloKind.FIELD_BYTE_OFFSET))).getMessage().contains("second half"));
    }
}
