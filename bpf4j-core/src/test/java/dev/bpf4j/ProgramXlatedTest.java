package dev.bpf4j;

import dev.bpf4j.testing.Tools;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.AtomicOp;
import dev.bpf4j.asm.Disassembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.asm.JumpOp;
import dev.bpf4j.asm.KernelSymbols;
import dev.bpf4j.asm.Size;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.bpf4j.asm.Register.R0;
import static dev.bpf4j.asm.Register.R1;
import static dev.bpf4j.asm.Register.R2;
import static dev.bpf4j.asm.Register.R3;
import static dev.bpf4j.asm.Register.R6;
import static dev.bpf4j.asm.Register.R7;
import static dev.bpf4j.asm.Register.R10;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Our disassembly of a loaded program's translated instructions against bpftool's, line for line. */
@KernelTest
class ProgramXlatedTest {
    /** Many instruction kinds bpftool 7.1 (kernel 6.1 era disassembler) knows; the result is irrelevant. */
    static Instructions manyKinds(int mapFd) {
        return new Assembler()
                .mov64(R6, R1)
                .stw(R10, -4, 0)
                .stdw(R10, -16, -7)
                .mov64(R2, R10).add64(R2, -4)
                .ldMapFd(R1, mapFd)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "no_value")
                .mov64(R1, 1)
                .atomicAdd(Size.DW, R0, 0, R1)
                .atomic(AtomicOp.FETCH_OR, Size.DW, R0, 0, R1)
                .atomicXchg(Size.DW, R0, 0, R1)
                .mov64(R3, R0)
                .mov64(R0, 5)
                .atomicCmpxchg(Size.DW, R3, 0, R1)
                .atomic(AtomicOp.AND, Size.W, R3, 0, R1)
                .label("no_value")
                .call(Helper.KTIME_GET_NS)
                .mov64(R7, R0)
                .ldImm64(R1, 0x1122334455667788L)
                .add64(R7, R1)
                .mov32(R2, 7).add32(R2, 3).sub32(R2, R1).mul64(R2, 5).or32(R2, 0x40).and64(R2, 0xff)
                .xor64(R2, R7).lsh64(R2, 3).rsh32(R2, 1).arsh64(R2, 2).neg64(R2).neg32(R2)
                .div64(R2, 3).mod32(R2, 7)
                .be(R2, 16).le(R2, 32).be(R2, 64)
                .ldxw(R3, R6, 0)          // __sk_buff->len, rewritten by the kernel
                .ldxdw(R1, R10, -16).ldxh(R1, R10, -16).ldxb(R1, R10, -16)
                .stxdw(R10, -24, R2).stxw(R10, -24, R2).stxh(R10, -24, R2).stxb(R10, -24, R2)
                .sth(R10, -24, -2).stb(R10, -24, 1)
                .jmp(JumpOp.JSGT, R2, -1, "end")
                .jmp32(JumpOp.JLT, R2, R3, "end")
                .jset(R2, 0x10, "end")
                .jmp32(JumpOp.JNE, R2, 0x7fffffff, "end")
                .jsle(R2, R7, "end")
                .ja("end")
                .label("end")
                .ldAbs(Size.B, 0)
                .ldInd(Size.H, R7, 2)
                .mov64(R0, 0)
                .exit()
                .build();
    }

    @Test
    void disassemblyMatchesBpftoolLineForLine() throws Exception {
        try (BpfMap map = ProgramTestSupport.arrayMap();
             Program prog = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, manyKinds(map.fd()))
                     .name("many_kinds").build())) {
            ProgramInfo info = prog.info();
            List<String> ours = Disassembler.forXlated(KernelSymbols.load()).lines(info.xlated()).stream()
                    .map(String::strip).toList();
            List<String> theirs = bpftool("prog", "dump", "xlated", "id", String.valueOf(info.id()));
            assertEquals(String.join("\n", theirs), String.join("\n", ours));
            String text = String.join("\n", ours);
            for (String kind : List.of("map[id:", "lock *(u64 *)", "atomic64_cmpxchg", "call bpf_ktime_get_ns#",
                    "= be16 r2", "if w2 < w3", "*(u16 *)(r10 -24) = -2")) {
                org.junit.jupiter.api.Assertions.assertTrue(text.contains(kind), kind + " missing in\n" + text);
            }
        }
    }

    private static List<String> bpftool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Tools.require("bpftool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("bpftool " + String.join(" ", args) + " failed:\n" + out);
        }
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }
}
