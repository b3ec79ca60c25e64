package dev.bpf4j.internal.sys;

import java.lang.foreign.MemorySegment;

/** The non-bpf system calls bpf4j needs, each in one place. */
public final class Sys {
    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;
    public static final int RLIMIT_MEMLOCK = 8;

    private static volatile int pageSize;

    private Sys() {
    }

    /**
     * The memory page size (4 KiB on x86-64; 4, 16 or 64 KiB on aarch64), from AT_PAGESZ in
     * /proc/self/auxv: mmap lengths and ring buffer sizes are multiples of it.
     */
    public static int pageSize() {
        int size = pageSize;
        if (size == 0) {
            size = 4096;
            try {
                java.nio.ByteBuffer auxv = java.nio.ByteBuffer.wrap(
                        java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/auxv")))
                        .order(java.nio.ByteOrder.nativeOrder());
                while (auxv.remaining() >= 16) {
                    long type = auxv.getLong();
                    long value = auxv.getLong();
                    if (type == 6) { // AT_PAGESZ
                        size = (int) value;
                        break;
                    }
                }
            } catch (java.io.IOException e) {
                // keep the common 4 KiB
            }
            pageSize = size;
        }
        return size;
    }

    /** close(2); errors are ignored, as the descriptor is gone either way on Linux. */
    public static void close(int fd) {
        Syscall.raw(Syscall.frame(), Syscall.NR.close(), fd, 0, 0);
    }

    /** mmap(2) of {@code length} bytes of {@code fd} at {@code offset}; returns the address. */
    public static long mmap(long length, int prot, int flags, int fd, long offset) {
        return Syscall.call("mmap", Syscall.NR.mmap(), 0, length, prot, flags, fd, offset);
    }

    public static void munmap(long address, long length) {
        Syscall.call("munmap", Syscall.NR.munmap(), address, length, 0);
    }

    public static long ioctl(int fd, long request, long argument) {
        return Syscall.call("ioctl", Syscall.NR.ioctl(), fd, request, argument);
    }

    /** perf_event_open(2) with a filled {@code perf_event_attr}. */
    public static int perfEventOpen(MemorySegment attr, int pid, int cpu, int groupFd, long flags) {
        return (int) Syscall.call("perf_event_open", Syscall.NR.perfEventOpen(), attr.address(), pid, cpu, groupFd,
                flags, 0);
    }

    /** prlimit64(2) on this process: {@code newLimit} (or NULL) in, the old limit (16 bytes) out. */
    public static void prlimit(int resource, MemorySegment newLimit, MemorySegment oldLimit) {
        Syscall.call("prlimit64", Syscall.NR.prlimit64(), 0, resource,
                newLimit == null ? 0 : newLimit.address(), oldLimit == null ? 0 : oldLimit.address(), 0, 0);
    }

    public static int getpid() {
        return (int) Syscall.call("getpid", Syscall.NR.getpid(), 0, 0, 0);
    }

    public static int gettid() {
        return (int) Syscall.call("gettid", Syscall.NR.gettid(), 0, 0, 0);
    }

    /** mount(2) of a filesystem of {@code type} (no source device, no data) at {@code target}. */
    public static void mount(String type, String target) {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(type);
            Syscall.call("mount " + type + " at " + target, Syscall.NR.mount(), name.address(),
                    arena.allocateFrom(target).address(), name.address(), 0, 0, 0);
        }
    }

    public static int socket(int domain, int type, int protocol) {
        return (int) Syscall.call("socket", Syscall.NR.socket(), domain, type, protocol);
    }

    public static void setsockopt(int fd, int level, int name, MemorySegment value) {
        Syscall.call("setsockopt", Syscall.NR.setsockopt(), fd, level, name, value.address(), value.byteSize(), 0);
    }

    public static void bind(int fd, MemorySegment address) {
        Syscall.call("bind", Syscall.NR.bind(), fd, address.address(), address.byteSize());
    }

    public static void getsockname(int fd, MemorySegment address, MemorySegment lengthInOut) {
        Syscall.call("getsockname", Syscall.NR.getsockname(), fd, address.address(), lengthInOut.address());
    }

    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        return Syscall.call("sendmsg", Syscall.NR.sendmsg(), fd, msghdr.address(), flags);
    }

    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        return Syscall.call("recvmsg", Syscall.NR.recvmsg(), fd, msghdr.address(), flags);
    }

    public static int epollCreate() {
        return (int) Syscall.call("epoll_create1", Syscall.NR.epollCreate1(), 0x80000 /* EPOLL_CLOEXEC */, 0, 0);
    }

    public static void epollCtl(int epfd, int op, int fd, MemorySegment event) {
        Syscall.call("epoll_ctl", Syscall.NR.epollCtl(), epfd, op, fd, event.address(), 0, 0);
    }

    /** epoll_pwait(2) without a signal mask; returns the number of ready events (0 on timeout). */
    public static int epollWait(int epfd, MemorySegment events, int maxEvents, int timeoutMillis) {
        return (int) Syscall.call("epoll_pwait", Syscall.NR.epollPwait(), epfd, events.address(), maxEvents,
                timeoutMillis, 0, 8);
    }
}
