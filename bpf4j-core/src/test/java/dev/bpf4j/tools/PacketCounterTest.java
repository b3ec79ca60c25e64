package dev.bpf4j.tools;

import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

@KernelTest
class PacketCounterTest {
    @Test
    void countsEveryDatagramAndItsBytes() {
        try (PacketCounter warmUp = new PacketCounter()) {
            warmUp.countDatagrams(1); // the JDK opens some descriptors of its own on first network use
        }
        int before = FdCount.open();
        try (PacketCounter counter = new PacketCounter()) {
            PacketCounter.Counts counts = counter.countDatagrams(10, 20, 30, 1000);
            assertEquals(4, counts.packets());
            assertEquals(10 + 20 + 30 + 1000 + 4 * 8, counts.bytes()); // each with its 8-byte UDP header
            // A second socket: the counters keep adding up.
            assertEquals(new PacketCounter.Counts(5, 1060 + 32 + 1 + 8), counter.countDatagrams(1));
        }
        assertEquals(before, FdCount.open());
    }
}
