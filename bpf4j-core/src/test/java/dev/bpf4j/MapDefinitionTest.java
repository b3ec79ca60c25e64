package dev.bpf4j;

import dev.bpf4j.testing.KernelTest;
import dev.bpf4j.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BTF map definitions as clang writes them, compiled by the test: sizes given twice, pinned-map reuse. */
class MapDefinitionTest {
    @TempDir
    Path dir;

    private Path compile(String name, String source) throws Exception {
        Path c = dir.resolve(name + ".c");
        Path o = dir.resolve(name + ".o");
        Files.writeString(c, "#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\n" + source
                + "\nchar LICENSE[] SEC(\"license\") = \"GPL\";\n");
        String multiarch = System.getProperty("os.arch").equals("aarch64") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        Process p = new ProcessBuilder(Tools.require("clang-19").toString(), "-O2", "-g", "-target", "bpf",
                "-I/usr/include/" + multiarch, "-c", c.toString(), "-o", o.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return o;
    }

    @Test
    void aKeySizeThatContradictsTheKeyTypeIsRefused() throws Exception {
        Path o = compile("conflict", """
                struct {
                	__uint(type, BPF_MAP_TYPE_HASH);
                	__uint(max_entries, 4);
                	__uint(key_size, 4);
                	__type(key, __u64);
                	__type(value, __u32);
                } clash SEC(".maps");
                """);
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> ObjectSpec.read(o));
        assertTrue(e.getMessage().contains("map 'clash': key size 4 conflicts with 8"), e.getMessage());
    }

    @Test
    @KernelTest
    void aPinnedMapWithAnotherMapExtraIsNotReused() throws Exception {
        Path o = compile("bloom", """
                struct {
                	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
                	__uint(max_entries, 16);
                	__uint(value_size, 4);
                	__uint(map_extra, 3);
                	__uint(pinning, LIBBPF_PIN_BY_NAME);
                } seen SEC(".maps");

                SEC("socket")
                int keep(struct __sk_buff *skb)
                {
                	__u32 v = 1;
                	return bpf_map_peek_elem(&seen, &v) == 0;
                }
                """);
        Path root = Path.of("/sys/fs/bpf/bpf4j-mapdef-" + ProcessHandle.current().pid());
        Path pin = root.resolve("seen");
        try (BpfMap other = BpfMap.create(MapSpec.builder(MapType.BLOOM_FILTER).name("seen").keySize(0).valueSize(4)
                .maxEntries(16).mapExtra(5).build())) {
            Files.createDirectories(root);
            other.pin(pin);
            BpfException e = assertThrows(BpfException.class,
                    () -> BpfObject.load(ObjectSpec.read(o), LoadOptions.builder().pinRoot(root).build()));
            assertTrue(e.getMessage().contains("map_extra 5 there, 3 here"), e.getMessage());
        } finally {
            Files.deleteIfExists(pin);
            Files.deleteIfExists(root);
        }
    }
}
