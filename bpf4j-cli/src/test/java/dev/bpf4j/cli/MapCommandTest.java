package dev.bpf4j.cli;

import dev.bpf4j.BpfMap;
import dev.bpf4j.MapSpec;
import dev.bpf4j.MapType;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@KernelTest
class MapCommandTest {
    private static BpfMap hash() {
        return BpfMap.create(MapSpec.builder(MapType.HASH).name("cli_test").keySize(4).valueSize(8).maxEntries(8)
                .build());
    }

    @Test
    void listAndShowNameOurMap() {
        try (BpfMap map = hash()) {
            String id = String.valueOf(map.info().id());
            Cli list = Cli.run("map", "list");
            assertEquals(0, list.exitCode(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("hash")
                    && l.contains("cli_test")), list.out());
            Cli json = Cli.run("map", "list", "--json");
            assertTrue(json.out().contains("\"id\":" + id + ",\"type\":\"hash\",\"name\":\"cli_test\""), json.out());
            Cli show = Cli.run("map", "show", id);
            assertTrue(show.out().contains("max_entries: 8"), show.out());
        }
    }

    @Test
    void updateLookupDumpDeleteThroughTheCommand() {
        try (BpfMap map = hash(); Arena arena = Arena.ofConfined()) {
            String id = String.valueOf(map.info().id());
            assertEquals(0, Cli.run("map", "update", id, "--key", "u32:7", "--value", "u64:42").exitCode());
            MemorySegment key = arena.allocateFrom(ValueLayout.JAVA_INT, 7);
            MemorySegment value = arena.allocate(8);
            assertTrue(map.lookup(key, value));
            assertEquals(42L, value.get(ValueLayout.JAVA_LONG, 0));

            Cli lookup = Cli.run("map", "lookup", id, "--key", "07 00 00 00");
            assertEquals("2a 00 00 00 00 00 00 00", lookup.out().strip());
            Cli dump = Cli.run("map", "dump", id);
            assertTrue(dump.out().contains("key: 07 00 00 00  value: 2a 00 00 00 00 00 00 00"), dump.out());
            assertTrue(dump.out().contains("Found 1 element"), dump.out());

            Cli again = Cli.run("map", "update", id, "--key", "u32:7", "--value", "u64:1", "--flag", "noexist");
            assertEquals(1, again.exitCode());
            assertTrue(again.err().contains("EEXIST"), again.err());

            assertEquals(0, Cli.run("map", "delete", id, "--key", "u32:7").exitCode());
            assertFalse(map.lookup(key, value));
            Cli missing = Cli.run("map", "lookup", id, "--key", "u32:7");
            assertEquals(1, missing.exitCode());
            assertTrue(missing.err().startsWith("bpf4j: map " + id + " has no element with key"), missing.err());
        }
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        try (BpfMap map = hash()) {
            String id = String.valueOf(map.info().id());
            Cli shortKey = Cli.run("map", "lookup", id, "--key", "u16:1");
            assertEquals(1, shortKey.exitCode());
            assertEquals("bpf4j: key is 2 bytes, map " + id + " has 4-byte keys", shortKey.err().strip());
            Cli badHex = Cli.run("map", "lookup", id, "--key", "zz");
            assertTrue(badHex.err().contains("expected hex bytes"), badHex.err());
            Cli noKey = Cli.run("map", "lookup", id);
            assertEquals(2, noKey.exitCode());
            assertTrue(noKey.err().contains("--key"), noKey.err());
            Cli noMap = Cli.run("map", "show", "name:no_such_map_here");
            assertEquals("bpf4j: no map is named 'no_such_map_here'", noMap.err().strip());
        }
    }
}
