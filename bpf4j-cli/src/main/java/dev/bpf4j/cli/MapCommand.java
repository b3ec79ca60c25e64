package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.BpfMap;
import dev.bpf4j.MapInfo;
import dev.bpf4j.UpdateFlag;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** bpf4j map: the kernel's maps, and their elements. */
@Command(name = "map", mixinStandardHelpOptions = true, description = "List, show, dump and edit maps.",
        subcommands = {MapCommand.ListMaps.class, MapCommand.Show.class, MapCommand.Dump.class,
                MapCommand.Lookup.class, MapCommand.Update.class, MapCommand.Delete.class})
final class MapCommand {

    /** A map named on the command line: an id, {@code pinned:PATH} or {@code name:NAME}. */
    static BpfMap open(String ref) {
        return ObjectRef.open(ref, "map", BpfMap.ids(), BpfMap::byId, BpfMap::openPinned, m -> m.info().name());
    }

    static Map<String, Object> describe(MapInfo info) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", info.id());
        m.put("type", info.type() == null ? "unknown(" + info.typeValue() + ")" : info.type().name().toLowerCase());
        m.put("name", info.name());
        m.put("key_size", info.keySize());
        m.put("value_size", info.valueSize());
        m.put("max_entries", info.maxEntries());
        m.put("flags", String.format("0x%x", info.flags()));
        m.put("btf_id", info.btfId());
        return m;
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List every map on the system.")
    static final class ListMaps extends CommandBase {
        @Override
        public void run() {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int id : BpfMap.ids()) {
                try (BpfMap map = BpfMap.byId(id)) {
                    rows.add(describe(map.info()));
                } catch (BpfException gone) {
                    // the map went away between listing and opening
                }
            }
            if (json) {
                out().println(Json.write(rows));
            } else {
                Table table = new Table("ID", "TYPE", "NAME", "KEY", "VALUE", "MAX", "FLAGS");
                rows.forEach(r -> table.row(r.get("id"), r.get("type"), r.get("name"), r.get("key_size"),
                        r.get("value_size"), r.get("max_entries"), r.get("flags")));
                table.print(out());
            }
            out().flush();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one map.")
    static final class Show extends CommandBase {
        @Parameters(paramLabel = "MAP", description = "id, pinned:PATH or name:NAME")
        String ref;

        @Override
        public void run() {
            try (BpfMap map = open(ref)) {
                printObject(describe(map.info()));
            }
        }
    }

    @Command(name = "dump", mixinStandardHelpOptions = true, description = "Print every element of a map.")
    static final class Dump extends CommandBase {
        @Parameters(paramLabel = "MAP", description = "id, pinned:PATH or name:NAME")
        String ref;

        @Override
        public void run() {
            try (BpfMap map = open(ref); Arena arena = Arena.ofConfined()) {
                MemorySegment key = arena.allocate(map.keySize());
                MemorySegment value = arena.allocate(map.valueBufferSize());
                List<Map<String, Object>> elements = new ArrayList<>();
                for (byte[] k : map.keys()) {
                    MemorySegment.copy(k, 0, key, ValueLayout.JAVA_BYTE, 0, k.length);
                    Map<String, Object> e = new LinkedHashMap<>();
                    e.put("key", Bytes.hex(k));
                    e.put("value", map.lookup(key, value) ? Bytes.hex(value.toArray(ValueLayout.JAVA_BYTE)) : null);
                    elements.add(e);
                }
                if (json) {
                    out().println(Json.write(elements));
                } else {
                    for (Map<String, Object> e : elements) {
                        out().println("key: " + e.get("key") + "  value: "
                                + (e.get("value") == null ? "<gone>" : e.get("value")));
                    }
                    out().println("Found " + elements.size() + " element" + (elements.size() == 1 ? "" : "s"));
                }
            }
            out().flush();
        }
    }

    abstract static class KeyBase extends CommandBase {
        @Parameters(index = "0", paramLabel = "MAP", description = "id, pinned:PATH or name:NAME")
        String ref;

        @Option(names = "--key", required = true,
                description = "hex bytes ('01 00 00 00') or a typed number ('u32:1')")
        String keyText;

        MemorySegment key(BpfMap map, Arena arena) {
            byte[] bytes = Bytes.parse(keyText, "key");
            if (bytes.length != map.keySize()) {
                throw new IllegalArgumentException("key is " + bytes.length + " bytes, map " + ref + " has "
                        + map.keySize() + "-byte keys");
            }
            return arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
        }
    }

    @Command(name = "lookup", mixinStandardHelpOptions = true, description = "Print the value of one key.")
    static final class Lookup extends KeyBase {
        @Override
        public void run() {
            try (BpfMap map = open(ref); Arena arena = Arena.ofConfined()) {
                MemorySegment key = key(map, arena);
                MemorySegment value = arena.allocate(map.valueBufferSize());
                if (!map.lookup(key, value)) {
                    throw new BpfException("map " + ref + " has no element with key " + Bytes.hex(
                            key.toArray(ValueLayout.JAVA_BYTE)));
                }
                String hex = Bytes.hex(value.toArray(ValueLayout.JAVA_BYTE));
                out().println(json ? Json.write(Map.of("value", hex)) : hex);
            }
            out().flush();
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Set the value of one key.")
    static final class Update extends KeyBase {
        @Option(names = "--value", required = true, description = "hex bytes or a typed number")
        String valueText;

        @Option(names = "--flag", defaultValue = "any", description = "any, noexist or exist (default any)")
        String flag;

        @Override
        public void run() {
            UpdateFlag updateFlag = switch (flag.toLowerCase()) {
                case "any" -> UpdateFlag.ANY;
                case "noexist" -> UpdateFlag.NOEXIST;
                case "exist" -> UpdateFlag.EXIST;
                default -> throw new IllegalArgumentException("--flag " + flag + ": expected any, noexist or exist");
            };
            try (BpfMap map = open(ref); Arena arena = Arena.ofConfined()) {
                MemorySegment key = key(map, arena);
                byte[] bytes = Bytes.parse(valueText, "value");
                if (bytes.length != map.valueBufferSize()) {
                    throw new IllegalArgumentException("value is " + bytes.length + " bytes, map " + ref + " needs "
                            + map.valueBufferSize());
                }
                map.update(key, arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes), updateFlag);
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one key.")
    static final class Delete extends KeyBase {
        @Override
        public void run() {
            try (BpfMap map = open(ref); Arena arena = Arena.ofConfined()) {
                if (!map.delete(key(map, arena))) {
                    throw new BpfException("map " + ref + " has no element with key " + keyText);
                }
            }
        }
    }
}
