package dev.bpf4j.cli;

import dev.bpf4j.Program;
import dev.bpf4j.ProgramSpec;
import dev.bpf4j.ProgramType;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Register;
import dev.bpf4j.testing.KernelTest;
import dev.bpf4j.testing.Tools;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class ProgCommandTest {
    private static Program load() {
        var insns = new Assembler()
                .call(Helper.ofName("bpf_ktime_get_ns"))
                .mov64(Register.R1, Register.R0)
                .jeq(Register.R1, 0, "zero")
                .mov64(Register.R0, 1)
                .exit()
                .label("zero")
                .mov64(Register.R0, 0)
                .exit()
                .build();
        return Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, insns).name("cli_prog").build());
    }

    @Test
    void listShowAndDumpOurProgram() throws Exception {
        try (Program p = load()) {
            String id = String.valueOf(p.info().id());
            Cli list = Cli.run("prog", "list");
            assertEquals(0, list.exitCode(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("socket_filter")
                    && l.contains("cli_prog")), list.out());
            Cli show = Cli.run("prog", "show", "name:cli_prog", "--json");
            assertTrue(show.out().startsWith("{\"id\":" + id + ",\"type\":\"socket_filter\",\"name\":\"cli_prog\""),
                    show.out());

            Cli dump = Cli.run("prog", "dump", "xlated", id);
            assertEquals(0, dump.exitCode(), dump.err());
            List<String> ours = dump.out().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            assertEquals(7, ours.size(), dump.out());
            assertTrue(ours.get(0).startsWith("0: (85) call bpf_ktime_get_ns#"), ours.get(0));
            Process bpftool = new ProcessBuilder(Tools.require("bpftool").toString(), "prog", "dump", "xlated", "id",
                    id).redirectErrorStream(true).start();
            List<String> theirs = new String(bpftool.getInputStream().readAllBytes()).lines()
                    .map(String::strip).filter(l -> !l.isEmpty()).toList();
            assertTrue(bpftool.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, bpftool.exitValue());
            assertEquals(theirs, ours);
            Cli jited = Cli.run("prog", "dump", "jited", id);
            assertTrue(jited.out().strip().matches("([0-9a-f]{2} )+[0-9a-f]{2}"), jited.out());
        }
    }

    @Test
    void badKindAndMissingProgram() {
        Cli kind = Cli.run("prog", "dump", "source", "1");
        assertEquals(1, kind.exitCode());
        assertEquals("bpf4j: dump source: expected xlated or jited", kind.err().strip());
        Cli missing = Cli.run("prog", "show", "name:no_such_prog_here");
        assertEquals("bpf4j: no program is named 'no_such_prog_here'", missing.err().strip());
    }

    @Test
    void btfAndLinkListsWork() {
        Cli btf = Cli.run("btf", "list");
        assertTrue(btf.out().lines().anyMatch(l -> l.matches("1\\s+vmlinux\\s+\\d+\\s+true")), btf.out());
        Cli links = Cli.run("link", "list", "--json");
        assertEquals(0, links.exitCode(), links.err());
        assertTrue(links.out().strip().startsWith("["), links.out());
    }
}
