package dev.bpf4j.tools;

import dev.bpf4j.BpfSyscallException;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Fd;
import dev.bpf4j.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A UDP socket bound to 127.0.0.1 on a free port, owned by this process: something to attach a
 * socket filter to without touching anything else on the machine.
 */
final class LoopbackUdpSocket implements AutoCloseable {
    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000, MSG_DONTWAIT = 0x40;
    private static final int SOCKADDR_IN_SIZE = 16;

    private final Fd fd;
    private final int port;

    LoopbackUdpSocket() {
        fd = new Fd(Sys.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), "UDP socket");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_IN_SIZE, 4);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            address.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, 0x7f000001);
            Sys.bind(fd.get(), address);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, SOCKADDR_IN_SIZE);
            Sys.getsockname(fd.get(), address, length);
            port = Short.toUnsignedInt(address.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Waits up to {@code timeoutMillis} for the next datagram and discards it; false on timeout.
     * A received datagram has passed the socket's filter, so its effects on maps are visible.
     */
    boolean receive(int timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(65536);
            MemorySegment iov = arena.allocate(16, 8); // struct iovec { void *base; size_t len; }
            iov.set(ValueLayout.JAVA_LONG, 0, buffer.address());
            iov.set(ValueLayout.JAVA_LONG, 8, buffer.byteSize());
            MemorySegment msg = arena.allocate(56, 8); // struct msghdr: msg_iov at 16, msg_iovlen at 24
            msg.set(ValueLayout.JAVA_LONG, 16, iov.address());
            msg.set(ValueLayout.JAVA_LONG, 24, 1);
            while (true) {
                try {
                    Sys.recvmsg(fd.get(), msg, MSG_DONTWAIT);
                    return true;
                } catch (BpfSyscallException e) {
                    if (e.errno() != Errno.EAGAIN) {
                        throw e;
                    }
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.onSpinWait();
            }
        }
    }

    int fd() {
        return fd.get();
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        fd.close();
    }
}
