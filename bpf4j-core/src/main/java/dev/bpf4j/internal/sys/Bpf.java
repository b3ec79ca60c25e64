package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfSyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The bpf() system call: one command, one attribute block, a result or a typed exception. */
public final class Bpf {
    private Bpf() {
    }

    /** Runs {@code cmd} with the first {@code size} bytes of {@code attr}; returns the result (often an fd). */
    public static int call(BpfCommand cmd, MemorySegment attr, int size) {
        Syscall.Frame frame = Syscall.frame();
        long result = Syscall.raw(frame, Syscall.NR.bpf(), cmd.number(), attr.address(), size);
        if (result < 0) {
            throw Syscall.failure(cmd.name(), frame.errno());
        }
        return (int) result;
    }

    /** Runs {@code cmd}; returns the result, or {@code -errno} instead of throwing (for probes and loops). */
    public static int tryCall(BpfCommand cmd, MemorySegment attr, int size) {
        Syscall.Frame frame = Syscall.frame();
        long result = Syscall.raw(frame, Syscall.NR.bpf(), cmd.number(), attr.address(), size);
        return result < 0 ? -frame.errno() : (int) result;
    }

    /** Attempts of one BPF_PROG_LOAD, as libbpf makes: see {@link #tryProgLoad}. */
    static final int PROG_LOAD_ATTEMPTS = 5;

    /**
     * BPF_PROG_LOAD; returns the fd or {@code -errno}. The verifier gives up with EAGAIN when a signal
     * is pending for the thread, and a JVM's threads get signals (profilers, JFR's CPU sampler): such a
     * load is made again, a few times, as libbpf does.
     */
    public static int tryProgLoad(MemorySegment attr, int size) {
        int result = tryCall(BpfCommand.BPF_PROG_LOAD, attr, size);
        for (int attempt = 1; attempt < PROG_LOAD_ATTEMPTS && result == -Errno.EAGAIN; attempt++) {
            result = tryCall(BpfCommand.BPF_PROG_LOAD, attr, size);
        }
        return result;
    }

    /** A zeroed attribute block of {@code size} bytes (arena memory is zero-filled). */
    public static MemorySegment attr(Arena arena, int size) {
        return arena.allocate(size, 8);
    }

    /** The thread's scratch block with its first {@code size} bytes zeroed: for hot paths. */
    public static MemorySegment scratchAttr(int size) {
        MemorySegment scratch = Syscall.frame().scratch;
        scratch.asSlice(0, size).fill((byte) 0);
        return scratch;
    }

    public static BpfSyscallException failure(BpfCommand cmd, int errno) {
        return Syscall.failure(cmd.name(), errno);
    }
}
