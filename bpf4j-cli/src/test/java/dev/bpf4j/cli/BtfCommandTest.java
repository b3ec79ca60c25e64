package dev.bpf4j.cli;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bpf4j btf dump: the raw list equals bpftool's line for line; the C header of this kernel's BTF
 * compiles with clang -target bpf, a BPF program using it compiles, and every uniquely named
 * struct and union has the kernel's size and member offsets (checked with _Static_assert).
 */
class BtfCommandTest {
    @TempDir
    Path dir;

    private static String run(Path cwd, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void jsonDumpListsTheTypesWithTheirFields() {
        Cli json = Cli.run("btf", "dump", TestObjects.path("lirc.o").toString(), "--json");
        assertEquals(0, json.exitCode(), json.err());
        assertTrue(json.out().contains("{\"kind\":\"FUNC\",\"id\":5,\"name\":\"ir_decode\",\"type\":3,"
                + "\"linkage\":\"GLOBAL\"}"), json.out());
        assertTrue(json.out().contains("\"params\":[{\"name\":\"sample\",\"type\":1}]"), json.out());
        Cli header = Cli.run("btf", "dump", TestObjects.path("lirc.o").toString(), "--format", "c", "--json");
        assertEquals(1, header.exitCode());
        assertTrue(header.err().contains("not a C header"), header.err());
    }

    @Test
    void rawDumpEqualsBpftools() throws Exception {
        for (Path file : List.of(TestObjects.path("socket_xdp.o"), TestObjects.path("btf_targets.o"),
                TestObjects.path("../core/core_externs.o"))) {
            Cli ours = Cli.run("btf", "dump", file.toString(), "--format", "raw");
            assertEquals(0, ours.exitCode(), ours.err());
            String theirs = run(dir, Tools.require("bpftool").toString(), "btf", "dump", "file", file.toString(), "format", "raw");
            assertEquals(theirs, ours.out(), file.toString());
        }
    }

    @Test
    void rawDumpOfTheKernelEqualsBpftools() throws Exception {
        Tools.requireFile(KernelBtf.VMLINUX, "the kernel's BTF");
        Cli ours = Cli.run("btf", "dump");
        assertEquals(0, ours.exitCode(), ours.err());
        String theirs = run(dir, Tools.require("bpftool").toString(), "btf", "dump", "file", KernelBtf.VMLINUX.toString(), "format", "raw");
        assertTrue(ours.out().equals(theirs), "raw dumps of the kernel differ");
    }

    @Test
    void cHeaderOfTheKernelCompilesWithTheKernelsLayouts() throws Exception {
        Tools.requireFile(KernelBtf.VMLINUX, "the kernel's BTF");
        Cli dump = Cli.run("btf", "dump", "--format", "c");
        assertEquals(0, dump.exitCode(), dump.err());
        assertTrue(dump.out().startsWith("#ifndef __VMLINUX_H__"), dump.out().substring(0, 100));
        Files.writeString(dir.resolve("vmlinux.h"), dump.out());
        Files.writeString(dir.resolve("prog.c"), """
                #include "vmlinux.h"
                #define SEC(name) __attribute__((section(name), used))
                char LICENSE[] SEC("license") = "GPL";
                SEC("tp_btf/sched_switch")
                int on_switch(unsigned long long *ctx)
                {
                	struct task_struct *next = (void *)ctx[2];
                	return next->pid + (int)BPF_MAP_TYPE_ARRAY + sizeof(struct sk_buff);
                }
                """);
        run(dir, Tools.require("clang-19").toString(), "-O2", "-Werror", "-target", "bpf", "-c", "prog.c", "-o", "prog.o");
        Files.writeString(dir.resolve("layout.c"), layoutAsserts(KernelBtf.vmlinux()));
        // struct warn_args holds a va_list: the kernel's is x86's 24-byte one, the BPF target's is a pointer
        run(dir, Tools.require("clang-19").toString(), "-target", "bpf", "-fsyntax-only", "-ferror-limit=0", "layout.c");
    }

    @Test
    void cHeaderKeepsEnumSizes() throws Exception {
        // 8-byte enums whose values clang would fit in 4 bytes, and a 4-byte one
        List<BtfType> types = List.of(new BtfType.Void(),
                new BtfType.Enum(1, "wide_small", true, 8, false, List.of(new BtfType.EnumValue("WS", 1L << 31))),
                new BtfType.Enum(2, "wide_big", true, 8, false, List.of(new BtfType.EnumValue("WB", 1L << 40))),
                new BtfType.Enum(3, "wide_signed", true, 8, true, List.of(new BtfType.EnumValue("WN", -1))),
                new BtfType.Enum(4, "narrow_eight", false, 8, false, List.of(new BtfType.EnumValue("NE", 7))),
                new BtfType.Enum(5, "narrow_four", false, 4, false, List.of(new BtfType.EnumValue("NF", 3))));
        Path raw = dir.resolve("enums.btf");
        Files.write(raw, Btf.of(types, java.nio.ByteOrder.nativeOrder()).encode(java.nio.ByteOrder.nativeOrder()));
        Cli dump = Cli.run("btf", "dump", raw.toString(), "--format", "c");
        assertEquals(0, dump.exitCode(), dump.err());
        Files.writeString(dir.resolve("enums.h"), dump.out());
        Files.writeString(dir.resolve("enums.c"), """
                #include "enums.h"
                _Static_assert(sizeof(enum wide_small) == 8, "wide_small");
                _Static_assert(sizeof(enum wide_big) == 8, "wide_big");
                _Static_assert(sizeof(enum wide_signed) == 8, "wide_signed");
                _Static_assert(sizeof(enum narrow_eight) == 8, "narrow_eight");
                _Static_assert(sizeof(enum narrow_four) == 4, "narrow_four");
                """);
        // a header without structs leaves preserve_access_index unused, as bpftool's would
        run(dir, Tools.require("clang-19").toString(), "-target", "bpf", "-Werror", "-Wno-pragma-clang-attribute",
                "-fsyntax-only", "enums.c");
    }

    @Test
    void cHeaderOfAnObjectCompiles() throws Exception {
        Cli dump = Cli.run("btf", "dump", TestObjects.path("../core/core_fields.o").toString(), "--format", "c");
        assertEquals(0, dump.exitCode(), dump.err());
        Files.writeString(dir.resolve("obj.h"), dump.out());
        Files.writeString(dir.resolve("use.c"), "#include \"obj.h\"\nint size = sizeof(struct task_struct___shuffled);\n");
        run(dir, Tools.require("clang-19").toString(), "-target", "bpf", "-Werror", "-fsyntax-only", "use.c");
        assertTrue(dump.out().contains("struct task_struct___shuffled {"), dump.out());
        assertTrue(dump.out().contains("unsigned int in_execve: 1;"), dump.out());
    }

    @Test
    void badFormatAndMissingFileAreNamed() {
        Cli r = Cli.run("btf", "dump", "--format", "xml");
        assertTrue(r.exitCode() != 0);
        assertTrue(r.err().contains("--format must be c or raw"), r.err());
        Cli missing = Cli.run("btf", "dump", "/nonexistent.btf");
        assertTrue(missing.err().contains("/nonexistent.btf"), missing.err());
    }

    /** sizeof and offsetof of every struct/union whose name no other tag shares, as static assertions. */
    private static String layoutAsserts(Btf btf) {
        Map<String, Integer> tags = new HashMap<>();
        for (BtfType t : btf.types()) {
            if ((t instanceof BtfType.Struct || t instanceof BtfType.Enum) && !t.name().isEmpty()) {
                tags.merge(t.name(), 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>(List.of("#include \"vmlinux.h\""));
        for (BtfType t : btf.types()) {
            if (!(t instanceof BtfType.Struct s) || s.name().isEmpty() || tags.get(s.name()) > 1
                    || s.name().equals("warn_args")) {
                continue;
            }
            String tag = (s.union() ? "union " : "struct ") + s.name();
            out.add("_Static_assert(sizeof(" + tag + ") == " + s.size() + ", \"" + tag + "\");");
            for (BtfType.Member m : s.members()) {
                if (!m.name().isEmpty() && m.bitfieldSize() == 0) {
                    out.add("_Static_assert(__builtin_offsetof(" + tag + ", " + m.name() + ") == " + m.bitOffset() / 8
                            + ", \"" + tag + "." + m.name() + "\");");
                }
            }
        }
        return String.join("\n", out) + "\n";
    }
}
