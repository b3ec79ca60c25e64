package dev.bpf4j.asm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.bpf4j.asm.Register.R0;
import static dev.bpf4j.asm.Register.R1;
import static dev.bpf4j.asm.Register.R2;
import static dev.bpf4j.asm.Register.R6;
import static dev.bpf4j.asm.Register.R10;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DisassemblerTest {
    private static String text(Assembler a) {
        return Disassembler.standard().line(a.build().get(0));
    }

    @Test
    void aluFormsReadLikeTheKernelsListing() {
        assertEquals("(b7) r0 = 0", text(new Assembler().mov64(R0, 0)));
        assertEquals("(bf) r6 = r1", text(new Assembler().mov64(R6, R1)));
        assertEquals("(07) r10 += -8", text(new Assembler().add64(R10, -8)));
        assertEquals("(0c) w0 += w1", text(new Assembler().add32(R0, R1)));
        assertEquals("(54) w1 &= 3", text(new Assembler().and32(R1, 3)));
        assertEquals("(c7) r1 s>>= 3", text(new Assembler().arsh64(R1, 3)));
        assertEquals("(87) r2 = -r2", text(new Assembler().neg64(R2)));
        assertEquals("(84) w2 = -w2", text(new Assembler().neg32(R2)));
        assertEquals("(3f) r1 s/= r2", text(new Assembler().sdiv64(R1, R2)));
        assertEquals("(94) w1 s%= 3", text(new Assembler().smod32(R1, 3)));
        assertEquals("(bf) r1 = (s32)r2", text(new Assembler().movsx64(R1, R2, 32)));
        assertEquals("(bc) w1 = (s8)w2", text(new Assembler().movsx32(R1, R2, 8)));
        assertEquals("(dc) r1 = be16 r1", text(new Assembler().be(R1, 16)));
        assertEquals("(d4) r1 = le32 r1", text(new Assembler().le(R1, 32)));
        assertEquals("(d7) r1 = bswap64 r1", text(new Assembler().bswap(R1, 64)));
    }

    @Test
    void memoryAndAtomicForms() {
        assertEquals("(61) r1 = *(u32 *)(r2 +4)", text(new Assembler().ldxw(R1, R2, 4)));
        assertEquals("(91) r1 = *(s8 *)(r2 -1)", text(new Assembler().ldxs(Size.B, R1, R2, -1)));
        assertEquals("(63) *(u32 *)(r10 -4) = r1", text(new Assembler().stxw(R10, -4, R1)));
        assertEquals("(7a) *(u64 *)(r10 -8) = 7", text(new Assembler().stdw(R10, -8, 7)));
        assertEquals("(30) r0 = *(u8 *)skb[14]", text(new Assembler().ldAbs(Size.B, 14)));
        assertEquals("(48) r0 = *(u16 *)skb[r2 + 4]", text(new Assembler().ldInd(Size.H, R2, 4)));
        assertEquals("(db) lock *(u64 *)(r1 +0) += r2", text(new Assembler().atomicAdd(Size.DW, R1, 0, R2)));
        assertEquals("(c3) lock *(u32 *)(r1 +8) ^= r2",
                text(new Assembler().atomic(AtomicOp.XOR, Size.W, R1, 8, R2)));
        assertEquals("(db) r2 = atomic64_fetch_or((u64 *)(r0 +0), r2)",
                text(new Assembler().atomic(AtomicOp.FETCH_OR, Size.DW, R0, 0, R2)));
        assertEquals("(c3) r2 = atomic_fetch_add((u32 *)(r0 +0), r2)",
                text(new Assembler().atomicFetchAdd(Size.W, R0, 0, R2)));
        assertEquals("(db) r2 = atomic64_xchg((u64 *)(r0 +0), r2)", text(new Assembler().atomicXchg(Size.DW, R0, 0, R2)));
        assertEquals("(db) r0 = atomic64_cmpxchg((u64 *)(r2 +0), r0, r1)",
                text(new Assembler().atomicCmpxchg(Size.DW, R2, 0, R1)));
        assertEquals("(d3) r1 = load_acquire((u8 *)(r2 +0))", text(new Assembler().loadAcquire(Size.B, R1, R2, 0)));
        assertEquals("(db) store_release((u64 *)(r1 +0), r2)",
                text(new Assembler().storeRelease(Size.DW, R1, 0, R2)));
    }

    @Test
    void immediatesJumpsAndCalls() {
        assertEquals("(18) r1 = 0xffffffffffffffff", text(new Assembler().ldImm64(R1, -1)));
        assertEquals("(18) r1 = map[fd:5]", text(new Assembler().ldMapFd(R1, 5)));
        assertEquals("(18) r1 = map[fd:5][0]+16", text(new Assembler().ldMapValue(R1, 5, 16)));
        assertEquals("(18) r1 = map[counts]", text(new Assembler().ldMap(R1, "counts")));
        assertEquals("(85) call bpf_map_lookup_elem#1", text(new Assembler().call(Helper.MAP_LOOKUP_ELEM)));
        assertEquals("(85) call kernel-function#1234", text(new Assembler().callKfunc(1234)));
        assertEquals("(95) exit", text(new Assembler().exit()));
        Instructions p = new Assembler().jeq(R1, 5, "a").jne(R1, R2, "a").jmp32(JumpOp.JSGE, R1, -1, "a")
                .ja("a").callSubprog("a").mayGoto("a").label("a").exit().build();
        List<String> lines = Disassembler.standard().lines(p);
        assertEquals("   0: (15) if r1 == 0x5 goto pc+5", lines.get(0));
        assertEquals("   1: (5d) if r1 != r2 goto pc+4", lines.get(1));
        assertEquals("   2: (76) if w1 s>= 0xffffffff goto pc+3", lines.get(2));
        assertEquals("   3: (05) goto pc+2", lines.get(3));
        assertEquals("   4: (85) call pc+1", lines.get(4));
        assertEquals("   5: (e5) may_goto pc+0", lines.get(5));
    }

    @Test
    void xlatedCallsAreNamedThroughKernelSymbols(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path kallsyms = dir.resolve("kallsyms");
        Files.writeString(kallsyms, "ffffffff81000000 T __bpf_call_base\nffffffff81000100 T bpf_ktime_get_ns\n");
        Disassembler d = Disassembler.forXlated(KernelSymbols.load(kallsyms));
        assertEquals("(85) call bpf_ktime_get_ns#256", d.line(new Assembler().call(256).build().get(0)));
        assertEquals("(85) call 0xffffffff81000200#512", d.line(new Assembler().call(512).build().get(0)));
        assertEquals("(85) call bpf_map_lookup_elem#1", d.line(new Assembler().call(1).build().get(0)));
        assertEquals("(18) r1 = map[id:5]", d.line(new Assembler().ldMapFd(R1, 5).build().get(0)));
    }

    @Test
    void everyFormDisassemblesWithoutBugMarkers() {
        for (String line : Disassembler.standard().lines(AssemblerTest.allForms())) {
            org.junit.jupiter.api.Assertions.assertFalse(line.contains("BUG"), line);
        }
    }
}
