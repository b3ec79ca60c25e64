package dev.bpf4j.cli;

import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class DemoCommandTest {
    @Test
    void demoCountsWhatItSent() {
        Cli demo = Cli.run("demo", "--packets", "3");
        assertEquals(0, demo.exitCode(), demo.err());
        // 16 + 32 + 48 payload bytes, plus an 8-byte UDP header each.
        assertTrue(demo.out().contains("The program counted: 3 packets, 120 bytes"), demo.out());
        Cli json = Cli.run("demo", "--json");
        assertTrue(json.out().contains("\"datagrams_sent\":10,\"bytes_sent\":960,\"packets_counted\":10,"
                + "\"bytes_counted\":960"), json.out());
    }

    @Test
    void demoRefusesSillyCounts() {
        Cli bad = Cli.run("demo", "--packets", "0");
        assertEquals(1, bad.exitCode());
        assertEquals("bpf4j: --packets 0: expected 1 to 100000", bad.err().strip());
    }
}
