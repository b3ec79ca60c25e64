package dev.bpf4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pins the calling thread to one CPU. The run scripts start the JVM on another CPU and move only the
 * measuring thread here, so that the JVM's compiler and GC threads neither share its CPU nor evict
 * its caches: the measured thread has a CPU to itself, as the single-threaded C side does.
 */
final class Affinity {
    private static final int MASK_BYTES = 128; // cpu_set_t

    private Affinity() {
    }

    /** Pins the calling thread to the CPU named by {@code -Dbench.cpu}, if it is set. */
    static void pinFromProperty() {
        String cpu = System.getProperty("bench.cpu");
        if (cpu != null && !cpu.isBlank()) {
            pin(Integer.parseInt(cpu.trim()));
        }
    }

    static void pin(int cpu) {
        if (cpu < 0 || cpu >= MASK_BYTES * 8) {
            throw new IllegalArgumentException("CPU " + cpu + " is outside the affinity mask");
        }
        Linker linker = Linker.nativeLinker();
        MethodHandle setaffinity = linker.downcallHandle(
                linker.defaultLookup().find("sched_setaffinity").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(MASK_BYTES, 8);
            mask.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            int rc = (int) setaffinity.invokeExact(0, (long) MASK_BYTES, mask); // 0: the calling thread
            if (rc != 0) {
                throw new IllegalStateException("sched_setaffinity to CPU " + cpu + " failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
