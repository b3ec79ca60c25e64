package dev.bpf4j;

import dev.bpf4j.asm.Instruction;
import dev.bpf4j.elf.TestObjects;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linker alone (no kernel): subprograms appended depth-first, calls and data references resolved. */
class ObjectLinkTest {
    private static final ObjectSpec SOCKET_XDP = ObjectSpec.read(TestObjects.path("socket_xdp.o"));

    @Test
    void staticCallAppendsTheSubprogramAndPointsTheCallAtIt() {
        LinkedProgram p = SOCKET_XDP.link("sock_mix");
        assertEquals(List.of("sock_mix", "mix"), p.functions().stream().map(LinkedProgram.Function::name).toList());
        int mixSlot = p.functions().get(1).slot();
        assertEquals(20, mixSlot); // sock_mix has 20 slots
        assertEquals(20 + 6, p.instructions().slotCount()); // mix has 6
        int callIndex = p.instructions().indexOfSlot(14);
        Instruction call = p.instructions().get(callIndex);
        assertTrue(call.isSubprogramCall());
        assertEquals(mixSlot, 14 + call.imm32() + 1);
        // global data: .data.custom and .data by map reference plus offset, .rodata in mix
        Instruction custom = p.instructions().get(p.instructions().indexOfSlot(8));
        assertEquals(Instruction.PSEUDO_MAP_VALUE, custom.src());
        assertEquals(".data.custom", custom.reference());
        Instruction settings = p.instructions().get(p.instructions().indexOfSlot(4));
        assertEquals(Instruction.PSEUDO_MAP_FD, settings.src());
        assertEquals("settings", settings.reference());
        Instruction ro = p.instructions().get(p.instructions().indexOfSlot(mixSlot));
        assertEquals(".rodata", ro.reference());
        assertTrue(p.functions().stream().allMatch(f -> f.btfTypeId() > 0), "func_info for every function");
        assertEquals(0, p.lines().get(0).slot());
        assertTrue(p.lines().stream().anyMatch(l -> l.slot() == mixSlot), "line_info rebased into mix");
    }

    @Test
    void subprogramsFollowInCallOrderWithTheCallbackAsPseudoFunc() {
        LinkedProgram p = SOCKET_XDP.link("xdp_pass");
        assertEquals(List.of("xdp_pass", "add_index", "global_sum", "weak_bias"),
                p.functions().stream().map(LinkedProgram.Function::name).toList());
        Instruction callback = p.instructions().get(p.instructions().indexOfSlot(5));
        assertEquals(Instruction.PSEUDO_FUNC, callback.src());
        assertEquals(p.functions().get(1).slot(), 5 + callback.imm32() + 1);
        String listing = p.disassemble();
        assertTrue(listing.contains("add_index:\n"), listing);
        assertTrue(listing.contains("; bpf_loop(5, add_index, &c, 0); @ socket_xdp.c:"), listing);
    }

    @Test
    void sourceLineLookupAndErrors() {
        LinkedProgram p = SOCKET_XDP.link("sock_len");
        assertTrue(p.sourceLineAt(0).orElseThrow().annotation().startsWith("; int sock_len("));
        BpfException missing = assertThrows(BpfException.class, () -> SOCKET_XDP.link("nope"));
        assertTrue(missing.getMessage().contains("sock_len"), missing.getMessage());
        LinkedProgram core = ObjectSpec.read(TestObjects.path("core.o")).link("core_sizes");
        assertEquals(3, core.coreRelocations().size(), core.coreRelocations().toString());
    }
}
