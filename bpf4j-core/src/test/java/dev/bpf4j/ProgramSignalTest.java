package dev.bpf4j;

import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Sys;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.bpf4j.asm.Register.R0;
import static dev.bpf4j.asm.Register.R1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifier stops with EAGAIN when a signal is pending for the loading thread; a JVM's threads do
 * get signals (profilers, JFR's CPU sampler), so Program.load makes such a load again, as libbpf does.
 */
@KernelTest
class ProgramSignalTest {
    private static final int SIGPIPE = 13; // HotSpot handles it (and ignores it), so it stays pending until return
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle GETTID = LINKER.downcallHandle(LINKER.defaultLookup().find("gettid").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle TGKILL = LINKER.downcallHandle(LINKER.defaultLookup().find("tgkill").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    /** A loop the verifier walks iteration by iteration: long enough to be interrupted. */
    static Instructions slowToVerify(int iterations) {
        return new Assembler()
                .mov64(R0, 0)
                .mov64(R1, 0)
                .label("loop")
                .add64(R1, 1)
                .add64(R0, 3)
                .jlt(R1, iterations, "loop")
                .exit()
                .build();
    }

    @Test
    void aSignalDuringVerificationFailsOneAttemptButNotTheLoad() throws Throwable {
        ProgramSpec spec = ProgramSpec.builder(ProgramType.SOCKET_FILTER, slowToVerify(150_000)).name("slow").build();
        long verifyNanos = timeLoad(spec);
        assertTrue(verifyNanos > 5_000_000, "the verifier takes long enough to be interrupted: " + verifyNanos + " ns");

        // One raw BPF_PROG_LOAD with a signal sent half-way: the kernel gives up with EAGAIN.
        int raw = withOneSignal(verifyNanos / 2, () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment attr = Bpf.attr(arena, BpfAttr.ProgLoad.SIZE);
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, ProgramType.SOCKET_FILTER.value());
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, spec.instructions().slotCount());
                attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.INSNS, spec.instructions().encode(arena).address());
                attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.LICENSE, arena.allocateFrom("GPL").address());
                int result = Bpf.tryCall(BpfCommand.BPF_PROG_LOAD, attr, BpfAttr.ProgLoad.SIZE);
                if (result >= 0) {
                    Sys.close(result);
                }
                return result;
            }
        });
        assertEquals(-Errno.EAGAIN, raw, "a signal pending during verification makes the load fail with EAGAIN");

        // The same with Program.load: the first attempt fails the same way, the next one loads.
        int fd = withOneSignal(verifyNanos / 2, () -> {
            try (Program p = Program.load(spec)) {
                return p.fd();
            }
        });
        assertTrue(fd > 0);
    }

    private static long timeLoad(ProgramSpec spec) {
        long start = System.nanoTime();
        try (Program p = Program.load(spec)) {
            assertTrue(p.fd() > 0);
        }
        return System.nanoTime() - start;
    }

    interface Load {
        int run() throws Exception;
    }

    /** Runs {@code load} on this thread while another thread sends it one SIGPIPE after {@code delayNanos}. */
    private static int withOneSignal(long delayNanos, Load load) throws Throwable {
        int pid = (int) ProcessHandle.current().pid();
        int tid = (int) GETTID.invokeExact();
        CountDownLatch started = new CountDownLatch(1);
        Thread sender = new Thread(() -> {
            try {
                started.await();
                TimeUnit.NANOSECONDS.sleep(delayNanos);
                int rc = (int) TGKILL.invokeExact(pid, tid, SIGPIPE);
                assertEquals(0, rc);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        sender.start();
        started.countDown();
        try {
            return load.run();
        } finally {
            sender.join(10_000);
        }
    }
}
