package dev.bpf4j.cli;

import dev.bpf4j.BpfMap;
import dev.bpf4j.Program;
import dev.bpf4j.TestRun;
import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ObjectCommandTest {
    private static String object(String name) {
        return TestObjects.path(name).toString();
    }

    @Test
    void inspectListsEachCoreRelocationAndWhatItResolvesTo() {
        Cli r = Cli.run("object", "inspect", TestObjects.path("../core/core_fields.o").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("CO-RE relocations on this kernel:"), r.out());
        assertTrue(r.out().matches("(?s).*core_fields\\s+\\d+\\s+FIELD_BYTE_OFFSET\\s+struct task_struct___old\\.old_field"
                + "\\s+0:0\\s+poisoned \\(not found in the candidate struct task_struct\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*FIELD_BYTE_OFFSET\\s+struct sk_buff___flat\\.tstamp\\s+0:1\\s+\\d+\\s+\\d+ struct"
                + " sk_buff\\.\\(anon\\)\\.tstamp.*"), r.out());
        Cli json = Cli.run("object", "inspect", TestObjects.path("core.o").toString(), "--json");
        assertTrue(json.out().contains("\"kind\":\"FIELD_EXISTS\""), json.out());
    }

    @Test
    void inspectListsProgramsMapsVariablesAndBtf() {
        Cli r = Cli.run("object", "inspect", object("socket_xdp.o"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*sock_len\\s+socket\\s+SOCKET_FILTER\\s+-\\s+28\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*xdp_pass\\s+xdp\\s+XDP\\s+XDP\\s+22\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*counts\\s+HASH\\s+4\\s+8\\s+16\\s+0x0\\s+BTF.*"), r.out());
        assertTrue(r.out().matches("(?s).*ro_factor\\s+\\.rodata\\s+0\\s+4\\s+true.*"), r.out());
        assertTrue(r.out().contains("btf: ") && r.out().contains("line_info"), r.out());
    }

    @Test
    void inspectJson() {
        Cli r = Cli.run("object", "inspect", object("tailcall.o"), "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("{\"file\":\"tailcall.o\""), r.out());
        assertTrue(r.out().contains("{\"name\":\"outer\",\"type\":\"ARRAY_OF_MAPS\""), r.out());
        assertTrue(r.out().contains("\"initial_values\":\"{1=tail_target}\""), r.out());
        assertTrue(r.out().contains("{\"name\":\"tail_entry\",\"section\":\"tc\",\"type\":\"SCHED_CLS\""), r.out());
    }

    @Test
    void disasmInterleavesSourceLines() {
        Cli r = Cli.run("disasm", object("socket_xdp.o"), "sock_mix");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("; return mix(data_seed, custom_value) + (extra ? *extra : 0); @ socket_xdp.c:"),
                r.out());
        assertTrue(r.out().contains("\nmix:\n; return a * ro_factor + b; @ socket_xdp.c:"), r.out());
        assertTrue(r.out().contains("r1 = map[settings]"), r.out());
        Cli all = Cli.run("disasm", object("tailcall.o"));
        assertTrue(all.out().contains("; program tail_entry") && all.out().contains("; program lookup_outer"), all.out());
        Cli missing = Cli.run("disasm", object("tailcall.o"), "nope");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("no program named 'nope'"), missing.err());
        Cli json = Cli.run("disasm", object("socket_xdp.o"), "sock_mix", "--json");
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.out().startsWith("[{\"program\":\"sock_mix\",\"section\":\"socket\",\"type\":\"SOCKET_FILTER\","
                + "\"lines\":[\"sock_mix:\","), json.out());
        assertTrue(json.out().contains(",\"mix:\","), json.out()); // the called subprogram, appended
    }

    @Test
    @KernelTest
    void loadPrintsIdsAndReleasesAtExit() {
        Cli r = Cli.run("object", "load", object("tailcall.o"), "--program", "tail_entry", "--program", "tail_target");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*program\\s+tail_target\\s+\\d+\\s+SCHED_CLS.*"), r.out());
        assertFalse(r.out().contains("lookup_outer"), r.out());
        assertTrue(r.out().contains("released at exit"), r.out());
        Cli bad = Cli.run("object", "load", object("reject.o"), "--program", "bad_prog");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err().contains("bad_prog") && bad.err().contains("EACCES"), bad.err());
        // The first line says what failed; the verifier's log follows, annotated with the C source.
        List<String> lines = bad.err().lines().toList();
        assertTrue(lines.get(0).startsWith("bpf4j: "), bad.err());
        assertEquals("The verifier's log:", lines.get(1));
        assertTrue(bad.err().contains("reject.c:"), bad.err());
    }

    @Test
    @KernelTest
    void loadWithPinKeepsProgramsAndMapsAfterExit() throws IOException {
        Path dir = Path.of("/sys/fs/bpf/bpf4j-cli-object-" + ProcessHandle.current().pid());
        try {
            Cli r = Cli.run("object", "load", object("socket_xdp.o"), "--pin", dir.toString());
            assertEquals(0, r.exitCode(), r.err());
            List<String> names;
            try (Stream<Path> s = Files.list(dir)) {
                names = s.map(p -> p.getFileName().toString()).sorted().toList();
            }
            assertEquals(List.of("_data_custom", "counts", "settings", "sock_len", "sock_mix", "socket_x_bss",
                    "socket_x_data", "socket_x_rodata", "xdp_pass"), names);
            try (Program p = Program.pinned(dir.resolve("sock_mix"))) {
                assertEquals(32, p.testRun(TestRun.ofData(new byte[64])).retval()); // still loaded, maps intact
            }
            try (BpfMap m = BpfMap.openPinned(dir.resolve("counts"))) {
                assertEquals(16, m.maxEntries());
            }
        } finally {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
