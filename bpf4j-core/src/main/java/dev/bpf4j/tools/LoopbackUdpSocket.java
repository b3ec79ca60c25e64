package dev.bpf4j.tools;

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
    private static final int AF_INET = 2, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0x80000;
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
