package dev.bpf4j;

import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Programs with BTF attach targets (testdata/bpf/btf_targets.c): the loader looks the target up
 * in vmlinux BTF and loads with its id. Two loads succeed here (tp_btf, iter); three are refused
 * by this kernel (fentry, fexit, lsm) and must say which target was asked for and why.
 */
@KernelTest
class AttachTargetTest {
    private static final ObjectSpec SPEC = ObjectSpec.read(TestObjects.path("btf_targets.o"));

    @Test
    void tpBtfAndIterLoadWithTheKernelsTypeIds() {
        try (BpfObject obj = BpfObject.load(SPEC, LoadOptions.builder().only("count_switch", "dump_map").build())) {
            ProgramInfo tp = obj.program("count_switch").info();
            assertEquals(ProgramType.TRACING, tp.type());
            assertEquals(KernelBtf.id("btf_trace_sched_switch", BtfKind.TYPEDEF), tp.attachBtfId());
            try (BtfObject target = BtfObject.byId(tp.attachBtfObjId())) {
                assertEquals("vmlinux", target.info().name(), "loaded with attach_btf_obj_fd 0: the kernel's own BTF");
            }
            ProgramInfo iter = obj.program("dump_map").info();
            assertEquals(KernelBtf.id("bpf_iter_bpf_map", BtfKind.FUNC), iter.attachBtfId());
        }
    }

    @Test
    void refusedFentryNamesItsTargetAndTheCause() {
        int fds = FdCount.open();
        for (String[] p : new String[][] {{"on_entry", "FUNC bpf_fentry_test1", "TRACE_FENTRY"},
                {"on_exit", "FUNC bpf_fentry_test1", "TRACE_FEXIT"}, {"on_file_open", "FUNC bpf_lsm_file_open", "LSM"}}) {
            LoadOptions only = LoadOptions.builder().only(p[0]).build();
            try {
                BpfObject.load(SPEC, only).close(); // a kernel that allows it: nothing to explain
                continue;
            } catch (VerifierException e) {
                throw new AssertionError(p[0] + " reached the verifier: " + e.log(), e);
            } catch (BpfException e) {
                String m = e.getMessage();
                assertTrue(m.startsWith("btf_targets.o: program '" + p[0] + "'"), m);
                assertTrue(m.contains("EPERM") || m.contains("EINVAL"), m);
                assertTrue(m.contains(p[1]) || m.contains(p[2]), m);
                if (!m.contains("do not load on this kernel")) {
                    String[] kindName = p[1].split(" ");
                    int id = KernelBtf.id(kindName[1], BtfKind.valueOf(kindName[0]));
                    assertTrue(m.contains("kernel BTF id " + id), m);
                    assertTrue(m.contains(p[2]), m);
                }
            }
        }
        assertEquals(fds, FdCount.open(), "refused loads leave nothing behind");
    }

    @Test
    void aTargetTheKernelLacksIsNamed() {
        ObjectSpec.ProgramDef def = SPEC.program("on_entry").orElseThrow();
        SectionMatch m = def.match().orElseThrow();
        SectionMatch missing = new SectionMatch("fentry/bpf4j_no_such_function", m.rule(), "bpf4j_no_such_function");
        ObjectSpec.ProgramDef bad = new ObjectSpec.ProgramDef(def.name(), "fentry/bpf4j_no_such_function",
                java.util.Optional.of(missing), def.binding(), def.sectionOffset(), def.instructions(), def.relocations());
        BpfException e = assertThrows(BpfException.class, () -> AttachTarget.resolve(bad, "x.o"));
        assertTrue(e.getMessage().contains("no FUNC 'bpf4j_no_such_function'"), e.getMessage());
    }
}
