package dev.bpf4j;

import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.asm.Size;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.bpf4j.asm.Register.R0;
import static dev.bpf4j.asm.Register.R1;
import static dev.bpf4j.asm.Register.R2;
import static dev.bpf4j.asm.Register.R3;
import static dev.bpf4j.asm.Register.R4;
import static dev.bpf4j.asm.Register.R6;
import static dev.bpf4j.asm.Register.R7;
import static dev.bpf4j.asm.Register.R10;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class ProgramTest {
    private static final int XDP_PASS = 2;

    /**
     * Sums two packet bytes and a big-endian u16 after the Ethernet header, through legacy packet
     * loads. A socket filter sees the packet from the network header on: offset 0 is byte 14.
     */
    static Instructions packetSum() {
        return new Assembler()
                .mov64(R6, R1)           // ld_abs needs the skb in r6
                .ldAbs(Size.B, 0).mov64(R7, R0)
                .ldAbs(Size.B, 1).add64(R7, R0)
                .ldAbs(Size.H, 2).add64(R7, R0)
                .mov64(R0, R7)
                .exit()
                .build();
    }

    @Test
    void socketFilterComputesFromPacketBytes() {
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).name("pkt_sum").build();
        try (Program prog = Program.load(spec)) {
            TestRun.Result r = prog.testRun(TestRun.builder()
                    .data(ProgramTestSupport.frame((byte) 3, (byte) 4, (byte) 0x01, (byte) 0x02)).repeat(5).build());
            assertEquals(3 + 4 + 0x0102, r.retval());
            assertTrue(r.durationNs() < 1_000_000_000L, "a plausible run time: " + r.durationNs());
            assertEquals(ProgramType.SOCKET_FILTER, prog.type());
            assertEquals("pkt_sum", prog.name());
        }
    }

    @Test
    void xdpPassesAndRewritesTheFirstByte() {
        Instructions insns = new Assembler()
                .ldxw(R2, R1, 0)         // xdp_md->data
                .ldxw(R3, R1, 4)         // xdp_md->data_end
                .mov64(R4, R2).add64(R4, 1)
                .jgt(R4, R3, "out")
                .stb(R2, 0, 0xab)
                .label("out")
                .mov64(R0, XDP_PASS)
                .exit()
                .build();
        try (Program prog = Program.load(ProgramSpec.builder(ProgramType.XDP, insns).name("xdp_mark").build())) {
            byte[] in = ProgramTestSupport.frame((byte) 1, (byte) 2);
            TestRun.Result r = prog.testRun(TestRun.ofData(in));
            assertEquals(XDP_PASS, r.retval());
            byte[] expected = in.clone();
            expected[0] = (byte) 0xab;
            assertArrayEquals(expected, r.dataOut());
        }
    }

    @Test
    void sleepableSyscallProgramReadsAndWritesItsContext() {
        Instructions insns = new Assembler()
                .ldxw(R2, R1, 0)
                .mul32(R2, 3)
                .stxw(R1, 4, R2)
                .mov64(R0, R2)
                .exit()
                .build();
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SYSCALL, insns).name("ctx_triple")
                .flags(ProgramSpec.F_SLEEPABLE).build();
        try (Program prog = Program.load(spec)) {
            byte[] ctx = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(14).putInt(0).array();
            TestRun.Result r = prog.testRun(TestRun.builder().context(ctx).build());
            assertEquals(42, r.retval());
            ByteBuffer out = ByteBuffer.wrap(r.contextOut()).order(ByteOrder.nativeOrder());
            assertEquals(14, out.getInt(0));
            assertEquals(42, out.getInt(4));
            BpfException e = assertThrows(BpfException.class,
                    () -> prog.testRun(TestRun.builder().context(ctx).repeat(3).build()));
            assertTrue(e.getMessage().contains("run once"), e.getMessage());
        }
    }

    /** Counts its runs in a map: key 0 on the stack, lookup, atomic add. */
    static Instructions mapCounter(int mapFd) {
        return new Assembler()
                .stw(R10, -4, 0)
                .mov64(R2, R10).add64(R2, -4)
                .ldMapFd(R1, mapFd)
                .call(Helper.MAP_LOOKUP_ELEM)
                .jeq(R0, 0, "out")
                .mov64(R1, 1)
                .atomicAdd(Size.DW, R0, 0, R1)
                .label("out")
                .mov64(R0, 0)
                .exit()
                .build();
    }

    @Test
    void mapUsingProgramCountsRepeatedRunsAndReportsItsInfo() {
        try (BpfMap map = ProgramTestSupport.arrayMap();
             Program prog = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, mapCounter(map.fd()))
                     .name("counter").build());
             Program.Stats stats = Program.enableStats()) {
            TestRun.Result r = prog.testRun(TestRun.builder().data(ProgramTestSupport.frame()).repeat(7).build());
            assertEquals(0, r.retval());
            assertEquals(7, ProgramTestSupport.valueAtZero(map));

            ProgramInfo info = prog.info();
            assertEquals(ProgramType.SOCKET_FILTER, info.type());
            assertEquals("counter", info.name());
            assertEquals(16, info.tag().length());
            assertEquals(java.util.List.of(map.info().id()), info.mapIds());
            assertTrue(info.xlated().size() > 0);
            assertTrue(info.jitedLength() > 0 && info.jited().length == info.jitedLength());
            assertEquals(7, info.runCount());
            assertTrue(info.verifiedInstructions() > 0);
            assertTrue(info.gplCompatible());
            assertTrue(Program.ids().contains(info.id()));
            try (Program again = Program.byId(info.id())) {
                assertEquals(info.tag(), again.info().tag());
                assertEquals("counter", again.name());
                assertEquals(ProgramType.SOCKET_FILTER, again.type());
            }
        }
    }

    @Test
    void boundMapsAppearInInfo() {
        try (BpfMap map = ProgramTestSupport.arrayMap();
             Program prog = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).build())) {
            assertTrue(prog.info().mapIds().isEmpty());
            prog.bindMap(map);
            assertEquals(java.util.List.of(map.info().id()), prog.info().mapIds());
        }
    }

    @Test
    void verifierRejectionCarriesTheLog() {
        Instructions insns = new Assembler().mov64(R0, R2).exit().build(); // r2 was never written
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, insns).name("bad_read").build();
        VerifierException e = assertThrows(VerifierException.class, () -> Program.load(spec));
        assertTrue(e.log().contains("R2 !read_ok"), e.log());
        assertEquals("R2 !read_ok", e.summary());
        assertEquals("EACCES", e.errnoName());
        assertTrue(e.getMessage().contains("bad_read"), e.getMessage());
    }

    @Test
    void requestedLogIsKeptOnSuccess() {
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).logLevel(2).build();
        try (Program prog = Program.load(spec)) {
            assertTrue(prog.verifierLog().contains("processed"), prog.verifierLog());
        }
    }

    @Test
    void pinnedProgramOpensAgainAndPinIsRemoved() throws Exception {
        Path pin = Path.of("/sys/fs/bpf/bpf4j_progtest_" + ProcessHandle.current().pid());
        try (Program prog = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum())
                .name("pinned").build())) {
            prog.pin(pin);
            try (Program opened = Program.pinned(pin)) {
                assertEquals(prog.info().id(), opened.info().id());
                assertEquals("pinned", opened.name());
                TestRun.Result r = opened.testRun(TestRun.ofData(ProgramTestSupport.frame((byte) 1, (byte) 1,
                        (byte) 0, (byte) 1)));
                assertEquals(3, r.retval());
            }
        } finally {
            Files.deleteIfExists(pin);
        }
        assertFalse(Files.exists(pin));
    }

    @Test
    void noDescriptorLeaksOverCreateRunInfoCloseCycles() {
        Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).build()).close(); // warm up
        int before = FdCount.open();
        for (int i = 0; i < 30; i++) {
            try (Program prog = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).build())) {
                prog.testRun(TestRun.ofData(ProgramTestSupport.frame(new byte[4])));
                prog.info();
                Program.byId(prog.info().id()).close();
            }
        }
        for (int i = 0; i < 5; i++) { // refused loads leak nothing either
            assertThrows(VerifierException.class, () -> Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER,
                    new Assembler().mov64(R0, R2).exit().build()).build()));
        }
        assertEquals(before, FdCount.open());
    }

    @Test
    void badArgumentsGetClearErrors() {
        BpfException empty = assertThrows(BpfException.class,
                () -> ProgramSpec.builder(ProgramType.XDP, new Instructions(java.util.List.of())).name("e").build());
        assertTrue(empty.getMessage().contains("no instructions"), empty.getMessage());

        BpfException longName = assertThrows(BpfException.class, () -> Program.load(
                ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).name("a_much_too_long_name").build()));
        assertTrue(longName.getMessage().contains("too long"), longName.getMessage());
        for (String bad : new String[] {"dash-ed", "sp ace", "\u00e9t\u00e9", "slash/"}) {
            BpfException badName = assertThrows(BpfException.class, () -> Program.load(
                    ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).name(bad).build()), bad);
            assertTrue(badName.getMessage().contains("may hold only letters, digits, '_' and '.'"), badName.getMessage());
        }
        try (Program ok = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum())
                .name("Az09_.x").build())) {
            assertEquals("Az09_.x", ok.name());
        }

        // Not a verifier matter: CGROUP_SOCK_ADDR programs must name one of their own attach types.
        Instructions accept = new Assembler().mov64(R0, 1).exit().build();
        BpfSyscallException attach = assertThrows(BpfSyscallException.class, () -> Program.load(
                ProgramSpec.builder(ProgramType.CGROUP_SOCK_ADDR, accept).name("odd_attach")
                        .expectedAttachType(AttachType.CGROUP_INET_INGRESS).build()));
        assertEquals("EINVAL", attach.errnoName());
        assertTrue(attach.getMessage().contains("odd_attach"), attach.getMessage());
        try (Program connect = Program.load(ProgramSpec.builder(ProgramType.CGROUP_SOCK_ADDR, accept)
                .name("connect4").expectedAttachType(AttachType.CGROUP_INET4_CONNECT).build())) {
            assertEquals(ProgramType.CGROUP_SOCK_ADDR, connect.info().type());
        }

        BpfSyscallException noSuch = assertThrows(BpfSyscallException.class, () -> Program.byId(Integer.MAX_VALUE));
        assertEquals("ENOENT", noSuch.errnoName());

        Program prog = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, packetSum()).name("short").build());
        try (prog) {
            BpfException small = assertThrows(BpfException.class,
                    () -> prog.testRun(TestRun.ofData(new byte[] {1, 2, 3})));
            assertTrue(small.getMessage().contains("14 bytes"), small.getMessage());
        }
        BpfException closed = assertThrows(BpfException.class, prog::info);
        assertEquals("program 'short' is closed", closed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TestRun.builder().repeat(0));
        assertTrue(prog.toString().contains("short"), prog.toString());
    }
}
