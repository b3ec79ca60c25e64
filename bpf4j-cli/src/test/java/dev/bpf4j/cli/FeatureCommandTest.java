package dev.bpf4j.cli;

import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helper probes here are limited to three program types (each probed once per JVM, then cached). */
@KernelTest
class FeatureCommandTest {

    @Test
    void textReport() {
        Cli r = Cli.run("feature", "probe", "--helper-types", "socket_filter,xdp");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.contains("bpf() system call: yes"), out);
        assertTrue(out.contains("unprivileged_bpf_disabled = "), out);
        assertTrue(out.contains("JIT: bpf_jit_enable = "), out);
        assertTrue(out.contains("kernel config (from /proc/config.gz):"), out);
        assertTrue(out.contains("CONFIG_BPF_SYSCALL=y"), out);
        assertTrue(out.contains("CONFIG_BPF_LIRC_MODE2 is not set"), out);
        assertTrue(out.contains("  socket_filter: yes"), out);
        assertTrue(out.contains("  lsm: no (EPERM"), out);
        assertTrue(out.contains("  arena: no (EPERM"), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("  xdp (") && l.contains("bpf_xdp_adjust_head")), out);
        assertFalse(out.lines().anyMatch(l -> l.startsWith("  kprobe (")), "helpers only for the types asked");
        assertTrue(out.contains("  enum64: yes"), out);
        assertTrue(out.contains("  bpf_link: yes"), out);
        assertTrue(out.contains("  ring_buffer: yes"), out);
    }

    @Test
    void json() {
        Cli r = Cli.run("feature", "probe", "--json", "--helper-types", "kprobe");
        assertEquals(0, r.exitCode(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("{\"system_config\":{\"unprivileged_bpf_disabled\":"), out);
        assertTrue(out.contains("\"kernel_config_source\":\"/proc/config.gz\""), out);
        assertTrue(out.contains("\"tracing\":{\"supported\":true"), out);
        assertTrue(out.contains("\"lsm\":{\"supported\":false,\"errno\":\"EPERM\""), out);
        assertTrue(out.contains("\"helpers\":{\"kprobe\":[\"bpf_map_lookup_elem\""), out);
        assertTrue(out.contains("\"helpers_not_probed\":[\"bpf_probe_write_user\",\"bpf_trace_printk\",\"bpf_trace_vprintk\"]"), out);
        assertTrue(out.contains("\"misc\":{\"kernel_btf\":{\"supported\":true"), out);
    }

    @Test
    void badHelperTypeIsAUsageError() {
        Cli r = Cli.run("feature", "probe", "--helper-types", "nope");
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("unknown program type 'nope'"), r.err());
    }
}
