package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfSyscallException;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The one binding of libc's {@code syscall(2)}: every kernel call bpf4j makes goes through here.
 *
 * <p>syscall is variadic after the number, so it is linked with {@code firstVariadicArg(1)} and
 * every argument passed as a 64-bit value. errno is captured by the linker into the calling
 * thread's {@link Frame} during the call itself, and read only when the call returned -1 (a
 * successful call may leave a stale value there).
 */
public final class Syscall {
    public static final SyscallNumbers NR = SyscallNumbers.CURRENT;

    private static final MethodHandle SYSCALL3;
    private static final MethodHandle SYSCALL6;
    private static final VarHandle ERRNO;

    static {
        Linker linker = Linker.nativeLinker();
        MemorySegment address = linker.defaultLookup().find("syscall")
                .orElseThrow(() -> new IllegalStateException("libc has no syscall symbol"));
        Linker.Option[] options = {Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno")};
        ValueLayout.OfLong j = ValueLayout.JAVA_LONG;
        SYSCALL3 = linker.downcallHandle(address, FunctionDescriptor.of(j, j, j, j, j), options);
        SYSCALL6 = linker.downcallHandle(address, FunctionDescriptor.of(j, j, j, j, j, j, j, j), options);
        ERRNO = Linker.Option.captureStateLayout()
                .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    }

    /**
     * Per-thread memory for calls: the errno capture area and a small attribute buffer for the
     * hot paths (map element operations), so that they allocate nothing.
     */
    public static final class Frame {
        public static final int SCRATCH_SIZE = 256;
        final MemorySegment capture;
        /** Scratch memory owned by this thread; callers zero what they pass. */
        public final MemorySegment scratch;

        private Frame() {
            Arena arena = Arena.ofAuto();
            capture = arena.allocate(Linker.Option.captureStateLayout());
            scratch = arena.allocate(SCRATCH_SIZE, 16);
        }

        /** errno of the last call made with this frame; meaningful only after a -1 result. */
        public int errno() {
            return (int) ERRNO.get(capture, 0L);
        }
    }

    private static final ThreadLocal<Frame> FRAMES = ThreadLocal.withInitial(Frame::new);

    private Syscall() {
    }

    public static Frame frame() {
        return FRAMES.get();
    }

    /** A raw call: returns the kernel's result, -1 on failure with errno in {@code frame}. */
    public static long raw(Frame frame, long nr, long a, long b, long c) {
        try {
            return (long) SYSCALL3.invokeExact(frame.capture, nr, a, b, c);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    public static long raw(Frame frame, long nr, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL6.invokeExact(frame.capture, nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new AssertionError("syscall downcall failed", t);
        }
    }

    /** Calls and throws a typed exception naming {@code what} when the kernel returns -1. */
    public static long call(String what, long nr, long a, long b, long c) {
        Frame frame = frame();
        long result = raw(frame, nr, a, b, c);
        if (result == -1) {
            throw failure(what, frame.errno());
        }
        return result;
    }

    public static long call(String what, long nr, long a, long b, long c, long d, long e, long f) {
        Frame frame = frame();
        long result = raw(frame, nr, a, b, c, d, e, f);
        if (result == -1) {
            throw failure(what, frame.errno());
        }
        return result;
    }

    /** The exception for a refused call, with the likely cause for this call and errno. */
    public static BpfSyscallException failure(String what, int errno) {
        return new BpfSyscallException(what, errno, Errno.name(errno), Errno.description(errno),
                ErrorHints.hint(what, errno));
    }
}
