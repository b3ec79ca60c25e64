package dev.bpf4j;

import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link BpfObject#prepare}: a dry run that creates nothing, and the plan it makes loaded (more than once). */
class LoadPlanTest {
    private static final byte[] PACKET = ProgramTestSupport.frame(new byte[50]);

    @Test
    void prepareListsTheMapsAndProgramsALoadMakesAndOpensNothing() {
        ObjectSpec spec = ObjectLoadTest.spec("socket_xdp.o");
        BpfObject.prepare(spec, LoadOptions.defaults()); // BTF feature probes, once per process
        int fds = FdCount.open();
        LoadPlan plan = BpfObject.prepare(spec, LoadOptions.builder().autoload("xdp_pass", false).build());
        assertEquals(fds, FdCount.open(), "a plan holds no descriptor");
        assertEquals(List.of("sock_len", "sock_mix"), List.copyOf(plan.programs().keySet()));
        assertTrue(plan.mapNames().containsAll(List.of(".data", ".rodata")), plan.mapNames().toString());
        assertEquals(spec.link("sock_mix").instructions().list(), plan.programs().get("sock_mix").instructions().list(),
                "maps stay symbolic in the plan, as in a link of the spec");
    }

    @Test
    void prepareReportsTheErrorsALoadReports() {
        ObjectSpec spec = ObjectLoadTest.spec("socket_xdp.o");
        LoadOptions bad = LoadOptions.builder().maxEntries("no_such_map", 4).build();
        BpfException dry = assertThrows(BpfException.class, () -> BpfObject.prepare(spec, bad));
        assertTrue(dry.getMessage().contains("load options name map 'no_such_map'"), dry.getMessage());
        LoadOptions wrongSize = LoadOptions.builder().variable(spec.variables().getFirst().name(), new byte[99]).build();
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.prepare(spec, wrongSize));
        assertEquals(e.getMessage(), assertThrows(BpfException.class,
                () -> BpfObject.load(spec, wrongSize)).getMessage());
    }

    @Test
    @KernelTest
    void onePlanLoadsTwiceIntoSeparateObjects() {
        LoadPlan plan = BpfObject.prepare(ObjectLoadTest.spec("socket_xdp.o"), LoadOptions.defaults());
        int fds = FdCount.open();
        try (BpfObject a = BpfObject.load(plan); BpfObject b = BpfObject.load(plan)) {
            for (BpfObject obj : List.of(a, b)) {
                assertEquals(32, obj.program("sock_mix").testRun(TestRun.ofData(PACKET)).retval());
            }
            assertNotEquals(a.map(".data").info().id(), b.map(".data").info().id(), "each load makes its own maps");
        }
        assertEquals(fds, FdCount.open(), "closing both leaves nothing open");
    }

    @Test
    void aValuesInitialiserNeedsFourByteIndexKeys() {
        ObjectSpec spec = ObjectLoadTest.spec("tailcall.o");
        List<ObjectSpec.MapDef> maps = new java.util.ArrayList<>();
        for (ObjectSpec.MapDef m : spec.maps()) {
            maps.add(!m.name().equals("outer") ? m : new ObjectSpec.MapDef(m.name(), m.source(),
                    MapType.HASH_OF_MAPS.value(), 2, m.valueSize(), m.maxEntries(), m.flags(), m.numaNode(), m.pinning(),
                    m.mapExtra(), 0, 0, m.inner(), m.initialValues()));
        }
        ObjectSpec shortKeys = new ObjectSpec(spec.fileName(), spec.elf(), spec.license(), spec.kernelVersion(),
                spec.programs(), spec.subprograms(), maps, spec.dataSections(), spec.btf().orElse(null),
                spec.btfExt().orElse(null));
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.prepare(shortKeys, LoadOptions.defaults()));
        assertEquals("tailcall.o: map 'outer' has a values initialiser, so its key must be a 4-byte index, not 2 bytes",
                e.getMessage());
    }
}
