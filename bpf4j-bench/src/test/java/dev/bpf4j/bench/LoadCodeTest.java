package dev.bpf4j.bench;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoadCodeTest {
    // rows as `jcmd PID Compiler.codelist` prints them: compile id, tier, state, method, [header, code begin - end]
    private static final String CODE_LIST = String.join("\n",
            "1201 3 0 dev.bpf4j.ObjectLinker.run()Ldev/bpf4j/ObjectLinker$Linked; [0x00007f0000001000, 0x00007f0000001100 - 0x00007f0000003100]",
            "1611 4 0 dev.bpf4j.ObjectLinker.run()Ldev/bpf4j/ObjectLinker$Linked; [0x00007f0000010000, 0x00007f0000010100 - 0x00007f0000012100]",
            "1700 4 0 dev.bpf4j.ObjectLinker.run()Ldev/bpf4j/ObjectLinker$Linked; [0x00007f0000020000, 0x00007f0000020100 - 0x00007f0000020500]",
            "1800 4 2 dev.bpf4j.ObjectSpecParser.parse()Ldev/bpf4j/ObjectSpec; [0x00007f0000030000, 0x00007f0000030100 - 0x00007f0000040100]",
            "1801 3 0 dev.bpf4j.ObjectSpecParser.parse()Ldev/bpf4j/ObjectSpec; [0x00007f0000050000, 0x00007f0000050100 - 0x00007f0000050200]",
            "12 0 0 java.lang.Object.hashCode()I [0x00007f0000060000, 0x00007f0000060080 - 0x00007f00000600c0]",
            "900 4 0 dev.bpf4j.bench.LoadWarmUp.run(Ljava/lang/String;[B)V [0x00007f0000070000, 0x00007f0000070100 - 0x00007f0000070200]",
            "not a row",
            "");

    @Test
    void eachMethodCountsOnceByItsNewestCompilationAtItsHighestTierInUse() {
        List<LoadCode.Compiled> methods = LoadCode.inUse(CODE_LIST).stream()
                .sorted(Comparator.comparing(LoadCode.Compiled::method)).toList();

        assertEquals(4, methods.size());
        LoadCode.Compiled linker = methods.get(0);
        assertEquals("dev.bpf4j.ObjectLinker.run()Ldev/bpf4j/ObjectLinker$Linked;", linker.method());
        assertEquals(1700, linker.id()); // newer than 1611 at the same tier; tier 3's 1201 is older and lower
        assertEquals(4, linker.tier());
        assertEquals(0x400, linker.bytes()); // code end - code begin, the header left out
        LoadCode.Compiled parser = methods.get(1);
        assertEquals(3, parser.tier()); // its tier-4 compilation is not entrant (state 2): not counted
        assertEquals(0x100, parser.bytes());
        assertEquals("bpf4j", parser.owner());
        assertEquals("other", methods.get(2).owner(), "the bench's own code is not the library's");
        assertEquals("other", methods.get(3).owner());
    }
}
