package dev.bpf4j.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Splits the calling thread's CPU time into user and kernel by sampling it every {@value #PERIOD_NS} ns
 * with a task-clock perf event and counting where each sample landed (the record's cpumode). The
 * kernel's own split (getrusage) samples once per scheduler tick (4 ms here), far too coarse for a load
 * whose user part is a few hundred µs. c/load_bench.c samples the same way, so both sides pay the same
 * interrupts. No signal is sent (a signal would make the verifier give up with EAGAIN).
 */
final class ModeSampler implements AutoCloseable {
    static final long PERIOD_NS = 100_000;
    private static final int DATA_PAGES = 64; // 256 KiB: 32768 header-only records, 3 s of CPU
    private static final long PAGE = 4096;
    private static final int PERF_TYPE_SOFTWARE = 1;
    private static final int PERF_COUNT_SW_TASK_CLOCK = 1;
    private static final int ATTR_SIZE = 64; // PERF_ATTR_SIZE_VER0 is all this needs
    private static final long FLAG_DISABLED = 1L;
    private static final long FLAG_EXCLUDE_HV = 1L << 6;
    private static final long IOC_ENABLE = 0x2400;
    private static final long IOC_DISABLE = 0x2401;
    private static final int RECORD_LOST = 2;
    private static final int RECORD_SAMPLE = 9;
    private static final int MISC_CPUMODE_MASK = 7;
    private static final int MISC_KERNEL = 1;
    private static final int MISC_USER = 2;
    private static final long DATA_HEAD = 1024; // struct perf_event_mmap_page
    private static final long DATA_TAIL = 1032;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
    private static final MethodHandle IOCTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle MMAP = LINKER.downcallHandle(
            LINKER.defaultLookup().find("mmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle MUNMAP = LINKER.downcallHandle(
            LINKER.defaultLookup().find("munmap").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;
    private final MemorySegment ring;
    private long user;
    private long kernel;
    private long lost;

    private ModeSampler(int fd, MemorySegment ring) {
        this.fd = fd;
        this.ring = ring;
    }

    /** A disabled sampler on the calling thread. */
    static ModeSampler open() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_SIZE, 8);
            attr.set(ValueLayout.JAVA_INT, 0, PERF_TYPE_SOFTWARE);
            attr.set(ValueLayout.JAVA_INT, 4, ATTR_SIZE);
            attr.set(ValueLayout.JAVA_LONG, 8, PERF_COUNT_SW_TASK_CLOCK);
            attr.set(ValueLayout.JAVA_LONG, 16, PERIOD_NS); // sample_period
            attr.set(ValueLayout.JAVA_LONG, 24, 0); // sample_type: the header (with its cpumode) is enough
            attr.set(ValueLayout.JAVA_LONG, 40, FLAG_DISABLED | FLAG_EXCLUDE_HV);
            attr.set(ValueLayout.JAVA_INT, 48, 1_000_000); // wakeup_events: nobody waits on it
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            long nr = System.getProperty("os.arch").equals("aarch64") ? 241 : 298;
            int fd = (int) (long) SYSCALL.invokeExact(errno, nr, attr, 0, -1, -1, 0L);
            if (fd < 0) {
                int e = errno.get(ValueLayout.JAVA_INT, 0);
                throw new IllegalStateException("perf_event_open(task-clock) failed: errno " + e);
            }
            long length = (1 + DATA_PAGES) * PAGE;
            MemorySegment map = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, 3, 1, fd, 0L);
            if (map.address() == -1L) {
                int rc = (int) CLOSE.invokeExact(fd);
                throw new IllegalStateException("mmap of the perf ring failed (close: " + rc + ")");
            }
            return new ModeSampler(fd, map.reinterpret(length));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    void start() {
        ioctl(IOC_ENABLE);
    }

    /** Stops sampling and counts the samples taken since {@link #start}. */
    void stop() {
        ioctl(IOC_DISABLE);
        long head = (long) ValueLayout.JAVA_LONG.varHandle().getAcquire(ring, DATA_HEAD);
        long tail = ring.get(ValueLayout.JAVA_LONG, DATA_TAIL);
        long size = DATA_PAGES * PAGE;
        while (tail < head) {
            long at = PAGE + tail % size; // records are 8-byte aligned and never split a header
            int type = ring.get(ValueLayout.JAVA_INT, at);
            int misc = Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, at + 4));
            int length = Short.toUnsignedInt(ring.get(ValueLayout.JAVA_SHORT, at + 6));
            if (type == RECORD_SAMPLE) {
                switch (misc & MISC_CPUMODE_MASK) {
                    case MISC_USER -> user++;
                    case MISC_KERNEL -> kernel++;
                    default -> { }
                }
            } else if (type == RECORD_LOST) {
                lost++;
            }
            tail += length;
        }
        ValueLayout.JAVA_LONG.varHandle().setRelease(ring, DATA_TAIL, tail);
    }

    /** The user share of the samples so far, and clears the counts. */
    double takeUserShare() {
        if (lost > 0) {
            throw new IllegalStateException("the perf ring overflowed: " + lost + " lost records");
        }
        long total = user + kernel;
        double share = total == 0 ? 0 : (double) user / total;
        user = 0;
        kernel = 0;
        return share;
    }

    long samples() {
        return user + kernel;
    }

    private void ioctl(long request) {
        try {
            int rc = (int) IOCTL.invokeExact(fd, request, 0L);
            if (rc != 0) {
                throw new IllegalStateException("perf ioctl " + Long.toHexString(request) + " failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        try {
            int unmapped = (int) MUNMAP.invokeExact(ring, ring.byteSize());
            int closed = (int) CLOSE.invokeExact(fd);
            if (unmapped != 0 || closed != 0) {
                throw new IllegalStateException("closing the perf sampler failed");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
