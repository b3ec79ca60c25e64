package dev.bpf4j.tools;

import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

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
            // 18 and 28 bytes are in class 4 (16-31), 38 in class 5 (32-63), 1008 in class 9 (512-1023).
            long[] expected = new long[16];
            expected[4] = 2;
            expected[5] = 1;
            expected[9] = 1;
            assertEquals(Arrays.stream(expected).boxed().toList(), counts.sizeClasses());
            // A second socket: the counters keep adding up; 9 bytes fall in class 3.
            PacketCounter.Counts more = counter.countDatagrams(1);
            assertEquals(5, more.packets());
            assertEquals(1060 + 32 + 1 + 8, more.bytes());
            assertEquals(1, more.sizeClasses().get(3));
        }
        assertEquals(before, FdCount.open());
    }
}
