package dev.bpf4j;

import dev.bpf4j.testing.Tools;
import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Loading an object with bpf4j and with libbpf (testdata/harness/load_dump.c on Debian's
 * libbpf-dev) leaves the same translated instructions in the kernel, apart from what differs
 * between any two loads: map ids (in map loads) and the JIT addresses of callbacks.
 *
 * <p>CO-RE objects are included: relocations, kconfig and ksym externs and kfunc calls give the
 * same instructions. Left out on purpose: {@code legacy.o} (libbpf 1.x refuses the legacy
 * {@code maps} section) and {@code core_poison.o} (both loaders have it rejected).
 */
@KernelTest
class LibbpfParityTest {
    /** Objects both loaders load, with the programs to switch off in both. */
    private static final Map<String, List<String>> OBJECTS = new LinkedHashMap<>();

    static {
        OBJECTS.put("socket_xdp.o", List.of());
        OBJECTS.put("tailcall.o", List.of());
        OBJECTS.put("reject.o", List.of("bad_prog"));
        OBJECTS.put("core.o", List.of());
        OBJECTS.put("btf_targets.o", List.of("on_entry", "on_exit", "on_file_open")); // EPERM here
        OBJECTS.put("../core/core_fields.o", List.of());
        OBJECTS.put("../core/core_subprog.o", List.of());
        OBJECTS.put("../core/core_externs.o", List.of("typed_ksym")); // needs CONFIG_KALLSYMS_ALL
    }

    private static Path harness;

    @BeforeAll
    static void buildHarness() throws Exception {
        Tools.requireFile(Path.of("/usr/include/bpf/libbpf.h"), "libbpf-dev's header");
        Tools.require("gcc");
        Path source = TestObjects.dir().resolveSibling("harness").resolve("load_dump.c");
        Path out = Path.of("target", "harness");
        Files.createDirectories(out);
        harness = out.resolve("load_dump").toAbsolutePath();
        Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-o", harness.toString(), source.toString(), "-lbpf")
                .redirectErrorStream(true).start();
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, gcc.waitFor(), "gcc failed: " + log);
    }

    @Test
    void xlatedInstructionsEqualLibbpfs() throws Exception {
        Path pinRoot = Path.of("/sys/fs/bpf/bpf4j-parity-" + ProcessHandle.current().pid());
        Files.createDirectories(pinRoot);
        try {
            for (Map.Entry<String, List<String>> o : OBJECTS.entrySet()) {
                Map<String, String> libbpf = runHarness(o.getKey(), o.getValue(), pinRoot);
                Map<String, String> ours = new LinkedHashMap<>();
                LoadOptions.Builder options = LoadOptions.builder().pinRoot(pinRoot);
                o.getValue().forEach(p -> options.autoload(p, false));
                try (BpfObject obj = BpfObject.load(ObjectSpec.read(TestObjects.path(o.getKey())), options.build())) {
                    for (Map.Entry<String, Program> p : obj.programs().entrySet()) {
                        byte[] xlated = p.getValue().info().xlated().encode(java.nio.ByteOrder.nativeOrder());
                        ours.put(p.getKey(), masked(xlated));
                    }
                }
                assertEquals(libbpf.keySet(), ours.keySet(), o.getKey() + ": programs loaded");
                for (String name : libbpf.keySet()) {
                    assertEquals(libbpf.get(name), ours.get(name), o.getKey() + ": xlated instructions of " + name);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(pinRoot)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Map<String, String> runHarness(String object, List<String> skip, Path pinRoot) throws Exception {
        List<String> command = new ArrayList<>(List.of(harness.toString(), TestObjects.path(object).toString()));
        command.addAll(skip);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PIN_ROOT", pinRoot.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), object + ": libbpf harness failed: " + err);
        Map<String, String> result = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] parts = line.split(" ");
            result.put(parts[0], masked(HexFormat.of().parseHex(parts[1])));
        }
        return result;
    }

    /**
     * The instructions as hex with what differs between two loads zeroed: the map id in map loads
     * (PSEUDO_MAP_FD/VALUE/IDX/IDX_VALUE; the value offset stays), and the address callbacks get.
     */
    static String masked(byte[] xlated) {
        byte[] b = xlated.clone();
        for (int at = 0; at + 16 <= b.length; at += 8) {
            if ((b[at] & 0xff) != 0x18) {
                continue;
            }
            int src = (b[at + 1] >> 4) & 0xf; // little-endian register byte: src in the high nibble
            if (src == 1 || src == 2 || src == 5 || src == 6 || src == 4) {
                java.util.Arrays.fill(b, at + 4, at + 8, (byte) 0);
                if (src == 4) {
                    java.util.Arrays.fill(b, at + 12, at + 16, (byte) 0);
                }
            }
            at += 8;
        }
        return HexFormat.of().formatHex(b);
    }
}
