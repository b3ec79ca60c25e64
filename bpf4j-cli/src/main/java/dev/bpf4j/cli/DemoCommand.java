package dev.bpf4j.cli;

import dev.bpf4j.ProgramInfo;
import dev.bpf4j.tools.PacketCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * bpf4j demo: the main job end to end. Loads the bundled packet counter (a BPF object compiled from
 * C), attaches it to a UDP socket of this process on 127.0.0.1 (nothing else on the machine is
 * touched), sends it datagrams, and shows what the program counted in its maps.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Load a socket filter, attach it to a loopback UDP socket of this process, send it "
                + "datagrams and show what it counted.")
final class DemoCommand extends CommandBase {
    @Option(names = "--packets", defaultValue = "10", description = "How many datagrams to send (default 10).")
    int packets;

    @Override
    public void run() {
        if (packets < 1 || packets > 100_000) {
            throw new IllegalArgumentException("--packets " + packets + ": expected 1 to 100000");
        }
        int[] sizes = IntStream.rangeClosed(1, packets).map(i -> 16 * i).toArray();
        try (PacketCounter counter = new PacketCounter()) {
            ProgramInfo info = counter.program().info();
            PacketCounter.Counts counts = counter.countDatagrams(sizes);
            long sentBytes = IntStream.of(sizes).asLongStream().sum() + 8L * packets;
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("program", info.name());
            result.put("program_id", info.id());
            result.put("type", info.type().name().toLowerCase());
            result.put("attached_to", "UDP socket on 127.0.0.1 (SO_ATTACH_BPF)");
            result.put("datagrams_sent", packets);
            result.put("bytes_sent", sentBytes);
            result.put("packets_counted", counts.packets());
            result.put("bytes_counted", counts.bytes());
            result.put("size_classes", counts.sizeClasses());
            if (json) {
                out().println(Json.write(result));
            } else {
                out().printf("Loaded %s from %s (id %d, %s, %d instructions, JIT %d bytes)%n", info.name(),
                        PacketCounter.OBJECT, info.id(), result.get("type"), info.xlated().size(), info.jitedLength());
                out().printf("Attached to a UDP socket on 127.0.0.1 with SO_ATTACH_BPF; sent %d datagrams (%d bytes"
                        + " with UDP headers)%n", packets, sentBytes);
                out().printf("The program counted: %d packets, %d bytes%n", counts.packets(), counts.bytes());
                printSizeClasses(counts.sizeClasses());
            }
        }
        out().flush();
    }

    /** One line per non-empty size class, with a bar scaled to the largest. */
    private void printSizeClasses(List<Long> classes) {
        long max = classes.stream().mapToLong(Long::longValue).max().orElse(0);
        out().println("Packet sizes (bytes, with UDP header):");
        for (int k = 0; k < classes.size(); k++) {
            long n = classes.get(k);
            if (n == 0) {
                continue;
            }
            String range = k == classes.size() - 1 ? (1L << k) + "+" : (1L << k) + "-" + ((1L << (k + 1)) - 1);
            out().printf("  %-11s %6d  %s%n", range, n, "#".repeat((int) Math.max(1, 40 * n / max)));
        }
    }
}
