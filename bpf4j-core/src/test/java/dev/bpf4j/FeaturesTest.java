package dev.bpf4j;

import dev.bpf4j.asm.Helper;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.features.Probe;
import dev.bpf4j.features.Probes;
import dev.bpf4j.features.SystemInfo;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Probes against this machine's kernel (6.18, root): what it is known to offer and refuse. Helper
 * probes run for at most three program types in this JVM (SOCKET_FILTER, XDP, KPROBE), each once.
 */
@KernelTest
class FeaturesTest {
    private final Features features = Features.kernel();

    @Test
    void programTypesThatNeedATargetLoadWithARealOne() {
        for (ProgramType t : Set.of(ProgramType.SOCKET_FILTER, ProgramType.XDP, ProgramType.KPROBE,
                ProgramType.SCHED_CLS, ProgramType.CGROUP_SOCK_ADDR, ProgramType.SK_LOOKUP, ProgramType.SYSCALL,
                ProgramType.NETFILTER, ProgramType.TRACING, ProgramType.STRUCT_OPS)) {
            assertTrue(features.supports(t), t + ": " + features.probe(t).describe());
        }
        assertTrue(features.probe(ProgramType.TRACING).detail().contains("tracepoint"),
                features.probe(ProgramType.TRACING).detail());
        assertTrue(features.probe(ProgramType.STRUCT_OPS).detail().contains("tcp_congestion_ops.ssthresh"));
    }

    @Test
    void refusalsCarryTheErrnoAndAReason() {
        // This kernel refuses every trampoline-based load (fentry, LSM, freplace) with EPERM and no log,
        // although the targets are real: a hook from the kernel BTF, a loaded program with BTF for EXT.
        for (ProgramType t : Set.of(ProgramType.LSM, ProgramType.EXT)) {
            Probe p = features.probe(t);
            assertFalse(p.supported());
            assertEquals("EPERM", p.errnoName(), p.describe());
        }
        assertTrue(features.probe(ProgramType.EXT).detail().contains("replacing bpf4j_probe() of a SOCKET_FILTER"));
        assertTrue(features.whyNot(ProgramType.LSM).orElseThrow().contains("EPERM"));
        assertTrue(features.whyNot(ProgramType.XDP).isEmpty());

        // CONFIG_BPF_LIRC_MODE2 is off here: the kernel does not know the type at all.
        Probe lirc = features.probe(ProgramType.LIRC_MODE2);
        assertFalse(lirc.supported());
        assertEquals("EINVAL", lirc.errnoName(), lirc.describe());
        String why = features.whyNot(ProgramType.LIRC_MODE2).orElseThrow();
        assertTrue(why.contains("CONFIG_BPF_LIRC_MODE2 is not set in /proc/config.gz"), why);
    }

    @Test
    void mapTypes() {
        for (MapType t : Features.mapTypes()) {
            Probe p = features.probe(t);
            if (t == MapType.ARENA) {
                // this kernel refuses arenas to everyone (EPERM); say so rather than hide the type
                assertFalse(p.supported(), p.describe());
                assertEquals("EPERM", p.errnoName());
            } else {
                assertTrue(p.supported(), t + ": " + p.describe());
            }
        }
    }

    @Test
    void helpersPerTypeFollowTheVerifier() {
        Set<Helper> socket = features.helpers(ProgramType.SOCKET_FILTER);
        assertTrue(socket.containsAll(Set.of(Helper.MAP_LOOKUP_ELEM, Helper.SKB_LOAD_BYTES, Helper.KTIME_GET_NS)));
        assertFalse(socket.contains(Helper.XDP_ADJUST_HEAD));
        assertFalse(socket.contains(Helper.OVERRIDE_RETURN));

        Set<Helper> xdp = features.helpers(ProgramType.XDP);
        assertTrue(xdp.containsAll(Set.of(Helper.XDP_ADJUST_HEAD, Helper.REDIRECT_MAP, Helper.FIB_LOOKUP)));
        assertFalse(xdp.contains(Helper.SKB_LOAD_BYTES));

        Set<Helper> kprobe = features.helpers(ProgramType.KPROBE);
        assertTrue(kprobe.containsAll(Set.of(Helper.GET_CURRENT_PID_TGID, Helper.PROBE_READ_KERNEL,
                Helper.GET_STACKID, Helper.GET_ATTACH_COOKIE)));
        assertFalse(kprobe.contains(Helper.SKB_LOAD_BYTES));
        assertFalse(kprobe.contains(Helper.XDP_ADJUST_HEAD));
        Probes.NOT_PROBED.forEach(h -> assertFalse(kprobe.contains(h), h + " is never probed"));

        assertSame(xdp, features.helpers(ProgramType.XDP), "cached: no second probe");
        assertEquals(Set.of(), features.helpers(ProgramType.LSM), "a type that does not load has no helpers");
    }

    @Test
    void everyBtfKindLoads() {
        for (BtfKind kind : BtfKind.values()) {
            assertTrue(features.probe(kind).supported(), kind + ": " + features.probe(kind).describe());
        }
    }

    @Test
    void otherFeatures() {
        var misc = features.misc();
        assertEquals(java.util.List.of("kernel_btf", "bpf_link", "bpf_cookie", "ring_buffer", "sleepable_programs"),
                java.util.List.copyOf(misc.keySet()));
        misc.forEach((name, p) -> assertTrue(p.supported(), name + ": " + p.describe()));
    }

    @Test
    void systemSettingsAreReadFromProcSys() throws Exception {
        SystemInfo s = features.system();
        assertTrue(s.syscall().supported(), s.syscall().describe());
        assertEquals(Files.readString(Path.of("/proc/sys/net/core/bpf_jit_enable")).strip(),
                s.sysctls().get("bpf_jit_enable"));
        assertEquals(Files.readString(Path.of("/proc/sys/kernel/unprivileged_bpf_disabled")).strip(),
                s.sysctls().get("unprivileged_bpf_disabled"));
        assertTrue(s.config().isPresent());
        assertEquals("/proc/config.gz", s.config().get().source());
        assertEquals("y", s.configOptions().get("CONFIG_BPF_SYSCALL"));
        assertTrue(s.configOptions().containsKey("CONFIG_BPF_LIRC_MODE2"));
        assertEquals(null, s.configOptions().get("CONFIG_BPF_LIRC_MODE2"));
    }

    @Test
    void attachPointsOnThisKernel() {
        Probe kprobe = features.attachable(ProgramType.KPROBE);
        assertTrue(kprobe.supported());
        assertTrue(kprobe.detail().startsWith("uprobes only"), kprobe.detail());
        assertFalse(features.attachable(ProgramType.LSM).supported());
        assertFalse(features.attachable(ProgramType.LIRC_MODE2).supported());
    }

    @Test
    void probesCloseEverythingTheyOpen() {
        int before = FdCount.open();
        // uncached entry points: the EXT probe builds BTF and a target program, the link probe a link
        assertEquals("EPERM", Probes.programType(ProgramType.EXT).errnoName());
        assertTrue(Probes.mapType(MapType.STRUCT_OPS).supported());
        assertTrue(Probes.misc().get("bpf_link").supported());
        assertEquals(before, FdCount.open());
    }
}
