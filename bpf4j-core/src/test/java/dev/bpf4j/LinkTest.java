package dev.bpf4j;

import dev.bpf4j.asm.Assembler;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.bpf4j.asm.Register.R0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class LinkTest {
    /** BPF_RAW_TRACEPOINT_OPEN: attaches {@code prog} to a raw tracepoint; returns the link fd. */
    private static Link rawTracepoint(Program prog, String tracepoint) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.RawTracepoint.SIZE);
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.RawTracepoint.NAME, arena.allocateFrom(tracepoint).address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.RawTracepoint.PROG_FD, prog.fd());
            return new Link(Bpf.call(BpfCommand.BPF_RAW_TRACEPOINT_OPEN, attr, BpfAttr.RawTracepoint.SIZE),
                    "raw tracepoint link " + tracepoint);
        }
    }

    @Test
    void rawTracepointLinkIsListedOpenedAndDescribed() {
        int before = FdCount.open();
        int linkId;
        try (Program prog = Program.load(ProgramSpec.builder(ProgramType.RAW_TRACEPOINT,
                new Assembler().mov64(R0, 0).exit().build()).name("rtp_noop").build());
             Link link = rawTracepoint(prog, "sys_enter")) {
            LinkInfo info = link.info();
            linkId = info.id();
            assertEquals(LinkType.RAW_TRACEPOINT, info.type());
            assertEquals(prog.info().id(), info.progId());
            assertTrue(Link.ids().contains(linkId), Link.ids() + " lacks " + linkId);
            try (Link again = Link.byId(linkId)) {
                assertEquals(info, again.info());
            }
        }
        assertFalse(Link.ids().contains(linkId), "closing the last fd removes the link");
        assertEquals(before, FdCount.open());
    }

    @Test
    void unknownLinkIdIsRefused() {
        BpfSyscallException e = assertThrows(BpfSyscallException.class, () -> Link.byId(Integer.MAX_VALUE));
        assertEquals("ENOENT", e.errnoName());
    }
}
