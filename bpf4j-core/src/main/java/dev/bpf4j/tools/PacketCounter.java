package dev.bpf4j.tools;

import dev.bpf4j.BpfMap;
import dev.bpf4j.MapSpec;
import dev.bpf4j.MapType;
import dev.bpf4j.Program;
import dev.bpf4j.ProgramSpec;
import dev.bpf4j.ProgramType;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.asm.Register;
import dev.bpf4j.asm.Size;
import dev.bpf4j.attach.SocketFilter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;

/**
 * The demo: a socket filter that counts the packets and bytes a socket receives, attached to a
 * loopback UDP socket of this process, fed with datagrams, and read back from its map.
 */
public final class PacketCounter implements AutoCloseable {
    /** What the program counted. */
    public record Counts(long packets, long bytes) {
    }

    private static final int PACKETS = 0, BYTES = 1;

    private final BpfMap counts;
    private final Program program;

    public PacketCounter() {
        counts = BpfMap.create(MapSpec.builder(MapType.ARRAY).name("counts").keySize(4).valueSize(8).maxEntries(2)
                .build());
        try {
            program = Program.load(ProgramSpec.builder(ProgramType.SOCKET_FILTER, instructions(counts.fd()))
                    .name("packet_counter").build());
        } catch (RuntimeException e) {
            counts.close();
            throw e;
        }
    }

    /**
     * r7 = skb->len; counts[0] += 1; counts[1] += len (atomically, as packets may arrive on several
     * CPUs at once); return len, which keeps the whole packet.
     */
    static Instructions instructions(int mapFd) {
        return new Assembler()
                .mov64(Register.R6, Register.R1)
                .ldxw(Register.R7, Register.R6, 0) // __sk_buff.len
                .stw(Register.R10, -4, PACKETS)
                .ldMapFd(Register.R1, mapFd)
                .mov64(Register.R2, Register.R10)
                .add64(Register.R2, -4)
                .call(Helper.ofName("bpf_map_lookup_elem"))
                .jeq(Register.R0, 0, "out")
                .mov64(Register.R1, 1)
                .atomicAdd(Size.DW, Register.R0, 0, Register.R1)
                .stw(Register.R10, -4, BYTES)
                .ldMapFd(Register.R1, mapFd)
                .mov64(Register.R2, Register.R10)
                .add64(Register.R2, -4)
                .call(Helper.ofName("bpf_map_lookup_elem"))
                .jeq(Register.R0, 0, "out")
                .atomicAdd(Size.DW, Register.R0, 0, Register.R7)
                .label("out")
                .mov64(Register.R0, Register.R7)
                .exit()
                .build();
    }

    /**
     * Attaches to a fresh loopback UDP socket, sends it {@code payloadSizes.length} datagrams of those
     * sizes, and returns what the program counted. The socket sees UDP header plus payload (8 + size).
     */
    public Counts countDatagrams(int... payloadSizes) {
        try (LoopbackUdpSocket socket = new LoopbackUdpSocket();
                SocketFilter filter = SocketFilter.attach(socket.fd(), program);
                DatagramSocket sender = new DatagramSocket()) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            for (int size : payloadSizes) {
                sender.send(new DatagramPacket(new byte[size], size, loopback, socket.port()));
            }
            // Loopback delivery runs in the sender's context, so it is complete when send returns.
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The counters as they are now. */
    public Counts read() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            key.set(ValueLayout.JAVA_INT, 0, PACKETS);
            counts.lookup(key, value);
            long packets = value.get(ValueLayout.JAVA_LONG, 0);
            key.set(ValueLayout.JAVA_INT, 0, BYTES);
            counts.lookup(key, value);
            return new Counts(packets, value.get(ValueLayout.JAVA_LONG, 0));
        }
    }

    public Program program() {
        return program;
    }

    @Override
    public void close() {
        program.close();
        counts.close();
    }
}
