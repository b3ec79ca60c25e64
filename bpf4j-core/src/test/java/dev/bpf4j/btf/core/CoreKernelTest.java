package dev.bpf4j.btf.core;

import dev.bpf4j.BpfObject;
import dev.bpf4j.LinkedProgram;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.ObjectSpec;
import dev.bpf4j.Program;
import dev.bpf4j.TestRun;
import dev.bpf4j.VerifierException;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.CoreReloKind;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CO-RE against the running kernel: testdata/core/core_fields.c computes every relocation kind
 * (with a deliberately wrong local layout) and returns the values through its SYSCALL context;
 * each is compared with what the kernel's BTF says, found here by walking members by name.
 * The objects go through {@link BpfObject#load}: the loader relocates. Three program loads; libbpf's
 * instructions for the same objects are compared in LibbpfParityTest.
 */
class CoreKernelTest {
    private static final int SLOTS = 32;

    @Test
    @KernelTest
    void everyRelocationKindGivesTheKernelsValueWhenTheProgramRuns() {
        Btf kernel = KernelBtf.vmlinux();
        ObjectSpec o = CoreObjects.read("core_fields.o");
        long[] v;
        List<CoreResolution> resolutions;
        try (BpfObject obj = BpfObject.load(o, LoadOptions.defaults())) {
            v = run(obj.program("core_fields"));
            resolutions = obj.linked("core_fields").coreRelocations();
        }

        BtfType.Struct task = struct(kernel, "task_struct");
        long pid = bitOffset(kernel, task, "pid");
        long inExecve = bitOffset(kernel, task, "in_execve");
        long comm = bitOffset(kernel, task, "comm");
        assertEquals(pid / 8, v[0], "offset of task_struct.pid");
        assertEquals(bitOffset(kernel, task, "tgid") / 8, v[1], "offset of task_struct.tgid");
        assertEquals(16, v[2], "size of task_struct.comm");
        assertEquals(0, v[3], "task_struct___old.old_field does not exist");
        assertEquals(1, v[4], "task_struct___old.pid exists");
        assertEquals(1, v[5], "pid_t is signed");
        long byteOffset = inExecve / 8 / 4 * 4; // a 4-byte unsigned int bitfield, read with one aligned u32 load
        assertEquals(64 - (inExecve + 1 - byteOffset * 8), v[6], "lshift of in_execve");
        assertEquals(63, v[7], "rshift of a 1-bit field");
        assertEquals(byteOffset, v[8], "byte offset of the load holding in_execve");
        assertEquals(4, v[9], "byte size of that load");
        assertEquals(0, v[10], "in_execve is unsigned");
        assertEquals(comm / 8 + 3, v[11], "offset of task_struct.comm[3]");
        assertEquals(bitOffset(kernel, struct(kernel, "sk_buff"), "tstamp") / 8, v[12],
                "sk_buff.tstamp, inside an anonymous union");
        assertEquals(1, v[13]);
        assertEquals(0, v[14], "a type the kernel lacks");
        assertEquals(kernel.sizeOf(task.id()), v[15]);
        assertEquals(task.id(), v[16], "kernel type id of task_struct");
        assertEquals(o.btf().orElseThrow().typeByName("task_struct___shuffled", dev.bpf4j.btf.BtfKind.STRUCT)
                .orElseThrow().id(), v[17], "local type id");
        assertEquals(0, v[18], "task_struct___old does not match task_struct");
        assertEquals(1, v[19], "list_head from vmlinux.h matches");
        assertEquals(1, v[20]);
        assertEquals(enumValue(kernel, "bpf_func_id", "BPF_FUNC_get_attach_cookie"), v[21]);
        assertEquals(0, v[22]);
        assertEquals(enumValue(kernel, "perf_callchain_context", "PERF_CONTEXT_KERNEL"), v[23], "ENUM64 value");
        assertEquals(ProcessHandle.current().pid(), v[25], "current->tgid read through relocated offsets");
        assertTrue(v[24] > 0, "current->pid (this thread)");
        assertEquals(77, v[26], "the guarded, poisoned read is dead code");
        assertEquals(0, v[27], "in_execve of this thread, read as a bitfield");
        assertEquals(8, v[28]);

        assertTrue(resolutions.stream().anyMatch(x -> x.poisoned() && x.local().equals("struct task_struct___old.old_field")),
                resolutions.toString());
        assertTrue(resolutions.stream().allMatch(x -> x.kind() != CoreReloKind.FIELD_BYTE_OFFSET
                || x.poisoned() || x.found()), resolutions.toString());
    }

    @Test
    @KernelTest
    void aRelocationInACalledSubprogramIsPlacedWithTheSubprogram() {
        Btf kernel = KernelBtf.vmlinux();
        try (BpfObject obj = BpfObject.load(CoreObjects.read("core_subprog.o"), LoadOptions.defaults())) {
            long[] v = run(obj.program("core_subprog"));
            assertEquals(bitOffset(kernel, struct(kernel, "task_struct"), "pid") / 8 + 1000, v[0],
                    "the subprogram's relocated offset of task_struct.pid, plus its argument");
            assertEquals(4, v[1], "size of task_struct.tgid");
            LinkedProgram linked = obj.linked("core_subprog");
            int subprogram = linked.functions().get(1).slot(); // appended after the whole program
            List<CoreResolution> resolutions = linked.coreRelocations();
            assertEquals(2, resolutions.size(), resolutions.toString());
            for (CoreResolution r : resolutions) {
                assertEquals(r.slot(), linked.instructions().slotOf(r.instruction()),
                        "instruction index and slot name the same instruction: " + r);
            }
            assertTrue(resolutions.stream().anyMatch(r -> r.slot() == subprogram), resolutions.toString());
        }
    }

    @Test
    @KernelTest
    void reachablePoisonIsRejectedAndExplainedByTypeAndField() {
        int fds = FdCount.open();
        VerifierException e = assertThrows(VerifierException.class,
                () -> BpfObject.load(CoreObjects.read("core_poison.o"), LoadOptions.defaults()).close());
        assertTrue(e.getMessage().contains("struct task_struct___old.old_field"), e.getMessage());
        assertTrue(e.getMessage().contains("FIELD_BYTE_OFFSET"), e.getMessage());
        assertTrue(e.log().contains("poisoned"), e.log());
        assertEquals(fds, FdCount.open(), "a rejected load leaves no descriptors");
    }

    private static long[] run(Program prog) {
        byte[] ctx = new byte[SLOTS * 8];
        TestRun.Result r = prog.testRun(TestRun.builder().context(ctx).build());
        assertEquals(0, r.retval());
        ByteBuffer b = ByteBuffer.wrap(r.contextOut()).order(ByteOrder.nativeOrder());
        long[] v = new long[SLOTS];
        for (int i = 0; i < SLOTS; i++) {
            v[i] = b.getLong(i * 8);
        }
        return v;
    }

    static BtfType.Struct struct(Btf btf, String name) {
        return (BtfType.Struct) btf.typeByName(name, dev.bpf4j.btf.BtfKind.STRUCT).orElseThrow();
    }

    /** Bit offset of a member found by name, looking inside anonymous members; -1 if absent. */
    static long bitOffset(Btf btf, BtfType.Struct s, String member) {
        for (BtfType.Member m : s.members()) {
            if (m.name().equals(member)) {
                return m.bitOffset();
            }
            if (m.name().isEmpty() && btf.resolve(m.type()) instanceof BtfType.Struct inner) {
                long in = bitOffset(btf, inner, member);
                if (in >= 0) {
                    return m.bitOffset() + in;
                }
            }
        }
        return -1;
    }

    static long enumValue(Btf btf, String enumName, String value) {
        List<BtfType> found = new ArrayList<>(btf.typesByName(enumName));
        for (BtfType t : found) {
            if (t instanceof BtfType.Enum e) {
                for (BtfType.EnumValue v : e.values()) {
                    if (v.name().equals(value)) {
                        return v.value();
                    }
                }
            }
        }
        throw new AssertionError(enumName + "::" + value + " not in kernel BTF");
    }
}
