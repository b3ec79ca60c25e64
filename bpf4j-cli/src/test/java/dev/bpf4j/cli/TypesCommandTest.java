package dev.bpf4j.cli;

import dev.bpf4j.ProgramType;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class TypesCommandTest {

    @Test
    void tableListsEveryType() {
        Cli r = Cli.run("types");
        assertEquals(0, r.exitCode(), r.err());
        Arrays.stream(ProgramType.values()).filter(t -> t != ProgramType.UNSPEC).forEach(t ->
                assertTrue(r.out().lines().anyMatch(l -> l.startsWith(t.name() + " ")), t.name()));
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("SOCKET_FILTER ") && l.contains("loads")
                && l.contains("yes") && l.contains("struct __sk_buff *")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("LSM ") && l.contains(" no ")
                && l.contains("not yet")), r.out());
    }

    @Test
    void kprobeAnswersTheThreeQuestionsWithPtRegsFromKernelBtf() {
        Cli r = Cli.run("types", "kprobe");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("KPROBE (BPF_PROG_TYPE_KPROBE = 2), category: tracing"), out);
        assertTrue(out.contains("What it does and when it runs:"));
        assertTrue(out.contains("3. perf_event_open"), out);
        assertTrue(out.contains("section names: kprobe+ uprobe+"), out);
        assertTrue(out.contains("bpf4j attaches it: not yet"), out);
        assertTrue(out.contains("struct pt_regs from /sys/kernel/btf/vmlinux, 168 bytes:"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("\\s+112\\s+8\\s+di\\s+long unsigned int")), out);
        assertTrue(out.contains("arg1  di (offset 112)") && out.contains("arg6  r9 (offset 64)")
                && out.contains("return value  ax (offset 80)"), out);
        assertTrue(out.contains("loads: yes"), out);
        assertTrue(out.contains("attaches: yes (uprobes only"), out);
    }

    @Test
    void anyCaseAndJson() {
        Cli r = Cli.run("types", "BPF_PROG_TYPE_Sk_Lookup", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("{\"type\":\"SK_LOOKUP\",\"value\":30,\"category\":\"network namespace\""),
                r.out());
        assertTrue(r.out().contains("\"context_layout\":{\"struct\":\"bpf_sk_lookup\""), r.out());
        assertTrue(r.out().contains("\"loads\":{\"supported\":true"), r.out());
    }

    @Test
    void refusedTypeSaysWhy() {
        Cli r = Cli.run("types", "lirc_mode2");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("loads: no: LIRC_MODE2 programs do not load on this kernel: no (EINVAL"), r.out());
        assertTrue(r.out().contains("CONFIG_BPF_LIRC_MODE2 is not set in /proc/config.gz"), r.out());
    }

    @Test
    void unknownTypeIsAUsageError() {
        Cli r = Cli.run("types", "no_such_type");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("bpf4j: unknown program type 'no_such_type'"), r.err());
    }
}
