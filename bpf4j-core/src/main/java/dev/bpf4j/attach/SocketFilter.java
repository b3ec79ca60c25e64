package dev.bpf4j.attach;

import dev.bpf4j.BpfException;
import dev.bpf4j.Program;
import dev.bpf4j.ProgramType;
import dev.bpf4j.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Attaches a SOCKET_FILTER program to one socket with {@code setsockopt(SO_ATTACH_BPF)}: it then sees
 * every packet that socket receives, and its return value is how many bytes to keep (0 drops).
 * Closing the attachment detaches the program ({@code SO_DETACH_BPF}).
 */
public final class SocketFilter implements AutoCloseable {
    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_BPF = 50;
    static final int SO_DETACH_BPF = 27;

    private final int socketFd;
    private boolean attached;

    private SocketFilter(int socketFd) {
        this.socketFd = socketFd;
        this.attached = true;
    }

    /** Attaches {@code program} to the socket {@code socketFd} (which the caller keeps owning). */
    public static SocketFilter attach(int socketFd, Program program) {
        if (program.type() != ProgramType.SOCKET_FILTER) {
            throw new BpfException("program '" + program.name() + "' is " + program.type()
                    + ": only SOCKET_FILTER programs attach to a socket with SO_ATTACH_BPF");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fd = arena.allocateFrom(ValueLayout.JAVA_INT, program.fd());
            Sys.setsockopt(socketFd, SOL_SOCKET, SO_ATTACH_BPF, fd);
        }
        return new SocketFilter(socketFd);
    }

    /** Detaches the program; the socket stays open. */
    @Override
    public synchronized void close() {
        if (attached) {
            attached = false;
            try (Arena arena = Arena.ofConfined()) {
                Sys.setsockopt(socketFd, SOL_SOCKET, SO_DETACH_BPF, arena.allocateFrom(ValueLayout.JAVA_INT, 0));
            } catch (BpfException alreadyGone) {
                // The socket was closed first: the kernel dropped the filter with it.
            }
        }
    }
}
