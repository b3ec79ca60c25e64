package dev.bpf4j.tools;

import dev.bpf4j.BpfException;
import dev.bpf4j.BpfMap;
import dev.bpf4j.BpfObject;
import dev.bpf4j.Codecs;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.ObjectSpec;
import dev.bpf4j.Program;
import dev.bpf4j.TypedMap;
import dev.bpf4j.attach.SocketFilter;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo tool: the bundled socket filter {@code packet_counter.o} (source in
 * {@code bpf4j-core/src/main/bpf/packet_counter.c}) counts the packets and bytes a socket receives
 * and their size classes. It is attached to a loopback UDP socket of this process, fed with
 * datagrams, and read back from its maps.
 */
public final class PacketCounter implements AutoCloseable {
    /** The object file, bundled as a resource beside this class. */
    public static final String OBJECT = "packet_counter.o";

    /** What the program counted; {@code sizeClasses[k]} counts packets of 2^k to 2^(k+1)-1 bytes. */
    public record Counts(long packets, long bytes, List<Long> sizeClasses) {
        public Counts {
            sizeClasses = List.copyOf(sizeClasses);
        }
    }

    private static final int PACKETS = 0, BYTES = 1;

    private final BpfObject object;
    private final Program program;
    private final TypedMap<Integer, Long> counts;
    private final TypedMap<Integer, Long> sizes;

    public PacketCounter() {
        object = BpfObject.load(bundledObject(), LoadOptions.defaults());
        try {
            program = object.program("packet_counter");
            counts = TypedMap.of(object.map("counts"), Codecs.INT32, Codecs.INT64);
            sizes = TypedMap.of(object.map("sizes"), Codecs.INT32, Codecs.INT64);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** The parsed bundled object. */
    public static ObjectSpec bundledObject() {
        try (InputStream in = PacketCounter.class.getResourceAsStream(OBJECT)) {
            if (in == null) {
                throw new BpfException("the bundled BPF object " + OBJECT + " is missing from the bpf4j jar");
            }
            return ObjectSpec.parse(OBJECT, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the bundled " + OBJECT, e);
        }
    }

    /**
     * Attaches to a fresh loopback UDP socket, sends it one datagram per entry of
     * {@code payloadSizes}, and returns what the program has counted so far. The socket sees the UDP
     * header plus the payload (8 + size bytes).
     */
    public Counts countDatagrams(int... payloadSizes) {
        try (LoopbackUdpSocket socket = new LoopbackUdpSocket();
                SocketFilter filter = SocketFilter.attach(socket.fd(), program);
                DatagramSocket sender = new DatagramSocket()) {
            InetAddress loopback = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            for (int size : payloadSizes) {
                sender.send(new DatagramPacket(new byte[size], size, loopback, socket.port()));
            }
            // Delivery may be deferred (softirq): a datagram received has been through the filter.
            for (int i = 0; i < payloadSizes.length; i++) {
                if (!socket.receive(2000)) {
                    throw new BpfException("datagram " + (i + 1) + " of " + payloadSizes.length
                            + " did not arrive on 127.0.0.1:" + socket.port() + " within 2 s");
                }
            }
            return read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The counters as they are now. */
    public Counts read() {
        BpfMap sizeMap = object.map("sizes");
        List<Long> classes = new ArrayList<>(sizeMap.maxEntries());
        for (int k = 0; k < sizeMap.maxEntries(); k++) {
            classes.add(sizes.get(k));
        }
        return new Counts(counts.get(PACKETS), counts.get(BYTES), classes);
    }

    public Program program() {
        return program;
    }

    @Override
    public void close() {
        object.close();
    }
}
