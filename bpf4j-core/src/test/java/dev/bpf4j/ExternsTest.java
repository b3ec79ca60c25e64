package dev.bpf4j;

import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.elf.ElfSymbol;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kconfig and ksym externs of testdata/core/core_externs.c, resolved and run on this kernel. */
class ExternsTest {
    private static final Map<String, Long> LINUX = Map.of("LINUX_KERNEL_VERSION", 0x060c05L,
            "LINUX_HAS_BPF_COOKIE", 1L, "LINUX_HAS_SYSCALL_WRAPPER", 0L);

    private static ObjectSpec object() {
        Path p = Path.of("").toAbsolutePath();
        while (!Files.isDirectory(p.resolve("testdata/core"))) {
            p = p.getParent();
        }
        return ObjectSpec.read(p.resolve("testdata/core/core_externs.o"));
    }

    private static Set<String> weak(ObjectSpec o) {
        return o.elf().symbols().stream().filter(s -> s.binding() == ElfSymbol.STB_WEAK).map(ElfSymbol::name)
                .collect(Collectors.toSet());
    }

    @Test
    void kernelVersionIsClampedLikeTheKernelMacro() {
        assertEquals(0x06122c, KernelConfig.kernelVersion("6.18.44-fc-v1300"));
        assertEquals(0x0409ff, KernelConfig.kernelVersion("4.9.337"));
        assertEquals(0x050a00, KernelConfig.kernelVersion("5.10"));
        assertThrows(BpfFormatException.class, () -> KernelConfig.kernelVersion("linux"));
    }

    @Test
    void layoutFollowsAlignmentThenSizeThenNameAndValuesComeFromTheConfig() {
        ObjectSpec o = object();
        KconfigExterns k = KconfigExterns.of(o.btf().orElseThrow(), weak(o));
        List<String> order = k.externs().stream().map(KconfigExterns.Extern::name).toList();
        assertEquals(List.of("CONFIG_BPF4J_NOT_THERE", "CONFIG_ILLEGAL_POINTER_VALUE", "CONFIG_BPF_SYSCALL",
                "CONFIG_HZ", "LINUX_KERNEL_VERSION", "CONFIG_BPF_JIT", "CONFIG_MODULES", "LINUX_HAS_BPF_COOKIE",
                "LINUX_HAS_SYSCALL_WRAPPER", "CONFIG_DEFAULT_HOSTNAME"), order);
        KernelConfig config = KernelConfig.parse("""
                CONFIG_BPF_SYSCALL=m
                CONFIG_BPF_JIT=y
                CONFIG_HZ=250
                CONFIG_ILLEGAL_POINTER_VALUE=0xdead000000000000
                CONFIG_DEFAULT_HOSTNAME="a-long-hostname"
                # CONFIG_MODULES is not set
                """, "test");
        ByteBuffer v = ByteBuffer.wrap(k.values(config, LINUX)).order(ByteOrder.nativeOrder());
        assertEquals(0, v.getLong(at(k, "CONFIG_BPF4J_NOT_THERE")), "weak and unset: zero");
        assertEquals(0xdead000000000000L, v.getLong(at(k, "CONFIG_ILLEGAL_POINTER_VALUE")));
        assertEquals(2, v.getInt(at(k, "CONFIG_BPF_SYSCALL")), "m is TRI_MODULE");
        assertEquals(250, v.getInt(at(k, "CONFIG_HZ")));
        assertEquals(0x060c05, v.getInt(at(k, "LINUX_KERNEL_VERSION")));
        assertEquals(1, v.get(at(k, "CONFIG_BPF_JIT")));
        assertEquals(0, v.get(at(k, "CONFIG_MODULES")), "weak char, not set");
        byte[] host = new byte[8];
        v.get(at(k, "CONFIG_DEFAULT_HOSTNAME"), host);
        assertEquals("a-long-", new String(host, 0, 7));
        assertEquals(0, host[7], "truncated strings stay NUL-terminated");
        assertEquals(k.size(), at(k, "CONFIG_DEFAULT_HOSTNAME") + 8);

        BpfException strong = assertThrows(BpfException.class,
                () -> k.values(KernelConfig.parse("CONFIG_BPF_JIT=y\n", "small.config"), LINUX));
        assertTrue(strong.getMessage().contains("is not set in small.config"), strong.getMessage());
        BpfException bool = assertThrows(BpfException.class, () -> k.values(KernelConfig.parse(
                "CONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=m\nCONFIG_HZ=1\nCONFIG_ILLEGAL_POINTER_VALUE=1\nCONFIG_DEFAULT_HOSTNAME=\"x\"\n",
                "t"), LINUX));
        assertTrue(bool.getMessage().contains("cannot be a bool"), bool.getMessage());

        // as libbpf: a bool may be given as 0 or 1, and lines other than CONFIG_ ones are skipped
        KernelConfig numeric = KernelConfig.parse("""
                Linux/x86 6.18 Kernel Configuration
                CONFIG_BPF_SYSCALL=y
                CONFIG_BPF_JIT=1
                CONFIG_HZ=100
                CONFIG_ILLEGAL_POINTER_VALUE=0
                CONFIG_DEFAULT_HOSTNAME="h"
                """, "numeric");
        ByteBuffer n = ByteBuffer.wrap(k.values(numeric, LINUX)).order(ByteOrder.nativeOrder());
        assertEquals(1, n.get(at(k, "CONFIG_BPF_JIT")));
        assertEquals(100, n.getInt(at(k, "CONFIG_HZ")));
        BpfException two = assertThrows(BpfException.class, () -> k.values(KernelConfig.parse(
                "CONFIG_BPF_SYSCALL=y\nCONFIG_BPF_JIT=2\nCONFIG_HZ=1\nCONFIG_ILLEGAL_POINTER_VALUE=1\nCONFIG_DEFAULT_HOSTNAME=\"x\"\n",
                "t"), LINUX));
        assertTrue(two.getMessage().contains("CONFIG_BPF_JIT=2"), two.getMessage());
    }

    @Test
    void runningKernelConfigIsFoundAndNamesItsSource() {
        KernelConfig c = KernelConfig.running();
        assertTrue(c.source().equals("/proc/config.gz") || c.source().startsWith("/boot/config-"), c.source());
        assertEquals("y", c.value("CONFIG_BPF_SYSCALL").orElseThrow());
        BpfException none = assertThrows(BpfException.class, () -> KernelConfig.load(Path.of("/nonexistent/config")));
        assertTrue(none.getMessage().contains("no kernel configuration found"), none.getMessage());
    }

    @Test
    void ksymsResolveByAddressAndBtfIdAndWeakOnesMayBeMissing() {
        ObjectSpec o = object();
        Btf kernel = KernelBtf.vmlinux();
        Map<String, Ksyms.Ksym> k = Ksyms.resolve(o.btf().orElseThrow(), weak(o), kernel, Ksyms.KALLSYMS).stream()
                .collect(Collectors.toMap(Ksyms.Ksym::name, x -> x));
        assertEquals(Ksyms.Kind.ADDRESS, k.get("bpf_prog_put").kind());
        assertEquals(Ksyms.address("bpf_prog_put").orElseThrow(), k.get("bpf_prog_put").value());
        assertEquals(kernel.typeByName("bpf_prog_active", BtfKind.VAR).orElseThrow().id(), k.get("bpf_prog_active").value());
        assertEquals(Ksyms.Kind.KFUNC, k.get("bpf_task_from_pid").kind());
        assertEquals(kernel.typeByName("bpf_task_from_pid", BtfKind.FUNC).orElseThrow().id(), k.get("bpf_task_from_pid").value());
        assertFalse(k.get("bpf4j_no_such_var").found());
        assertEquals(0, k.get("bpf4j_no_such_var").btfObjFd());
    }

    @Test
    void kfuncsAreFoundWithoutTheirFlavourAndAWeakOneOfAnotherPrototypeIsMissing() {
        // extern struct task_struct *bpf_task_from_pid___v2(int pid) __ksym;
        // extern int bpf_task_release___bad(int a, int b) __ksym __weak;   (the kernel's takes a task)
        List<BtfType> types = List.of(new BtfType.Void(),
                new BtfType.Int(1, "int", 4, BtfType.Int.SIGNED, 0, 32),
                new BtfType.Struct(2, "task_struct", false, 0, false, List.of()),
                new BtfType.Ptr(3, "", 2),
                new BtfType.FuncProto(4, "", 3, List.of(new BtfType.Param("pid", 1))),
                new BtfType.Func(5, "bpf_task_from_pid___v2", 4, BtfType.Linkage.EXTERN),
                new BtfType.FuncProto(6, "", 1, List.of(new BtfType.Param("a", 1), new BtfType.Param("b", 1))),
                new BtfType.Func(7, "bpf_task_release___bad", 6, BtfType.Linkage.EXTERN),
                new BtfType.Datasec(8, ".ksyms", 0, List.of(new BtfType.SecInfo(5, 0, 0), new BtfType.SecInfo(7, 0, 0))));
        Btf object = Btf.of(types);
        Btf kernel = KernelBtf.vmlinux();
        Map<String, Ksyms.Ksym> k = Ksyms.resolve(object, Set.of("bpf_task_release___bad"), kernel, Ksyms.KALLSYMS)
                .stream().collect(Collectors.toMap(Ksyms.Ksym::name, x -> x));
        assertEquals(kernel.typeByName("bpf_task_from_pid", BtfKind.FUNC).orElseThrow().id(),
                k.get("bpf_task_from_pid___v2").value());
        assertTrue(k.get("bpf_task_from_pid___v2").found());
        assertFalse(k.get("bpf_task_release___bad").found(), "a weak kfunc of another prototype is missing");

        BpfException strong = assertThrows(BpfException.class,
                () -> Ksyms.resolve(object, Set.of(), kernel, Ksyms.KALLSYMS));
        assertTrue(strong.getMessage().contains("bpf_task_release___bad is declared as"), strong.getMessage());
    }

    /**
     * The externs program loaded through {@link BpfObject#load}: the loader makes the .kconfig map
     * and patches the ksym loads and kfunc calls; the test checks what the program read.
     * typed_ksym is switched off: this kernel lists per-CPU variables in kallsyms only with
     * CONFIG_KALLSYMS_ALL.
     */
    @Test
    @KernelTest
    void externsProgramReadsTheKernelsValues() {
        ObjectSpec o = object();
        try (BpfObject obj = BpfObject.load(o, LoadOptions.builder().autoload("typed_ksym", false).build())) {
            BpfMap kconfig = obj.map(".kconfig");
            assertEquals(KconfigExterns.of(o.btf().orElseThrow(), weak(o)).size(), kconfig.valueSize());
            assertEquals("core_ex.kconfig", kconfig.name(), "libbpf's rule: 15 - 8 characters of the object name");
            assertTrue((kconfig.info().flags() & MapFlags.RDONLY_PROG) != 0);
            Program prog = obj.program("externs");
            {
                ByteBuffer ctx = ByteBuffer.allocate(16 * 8).order(ByteOrder.nativeOrder());
                ctx.putLong(15 * 8, ProcessHandle.current().pid());
                TestRun.Result r = prog.testRun(TestRun.builder().context(ctx.array()).build());
                ByteBuffer v = ByteBuffer.wrap(r.contextOut()).order(ByteOrder.nativeOrder());
                KernelConfig c = KernelConfig.running();
                assertEquals(KernelConfig.runningKernelVersion(), v.getLong(0));
                assertEquals(1, v.getLong(8), "6.18 has bpf_get_attach_cookie");
                assertEquals(KconfigExterns.linuxValues().get("LINUX_HAS_SYSCALL_WRAPPER"), v.getLong(16));
                assertEquals(1, v.getLong(24), "CONFIG_BPF_SYSCALL=y is TRI_YES");
                assertEquals(1, v.getLong(32));
                assertEquals(Long.parseLong(c.value("CONFIG_HZ").orElseThrow()), v.getLong(40));
                assertEquals(Long.parseUnsignedLong(c.value("CONFIG_ILLEGAL_POINTER_VALUE").orElseThrow().substring(2), 16),
                        v.getLong(48));
                assertEquals(c.value("CONFIG_DEFAULT_HOSTNAME").orElseThrow().charAt(2), (char) v.getLong(56));
                assertEquals(c.value("CONFIG_MODULES").isPresent() ? 'y' : 0, v.getLong(64));
                assertEquals(0, v.getLong(72), "weak, unset");
                assertEquals(Ksyms.address("bpf_prog_put").orElseThrow(), v.getLong(80));
                assertEquals(1, v.getLong(96), "a missing weak ksym has address 0");
                assertEquals(ProcessHandle.current().pid(), v.getLong(104), "tgid through the bpf_task_from_pid kfunc");
            }
            Instructions linked = obj.linked("externs").instructions();
            assertTrue(linked.list().stream().anyMatch(Instruction::isKfuncCall), linked.toString());
        }
    }

    private static int at(KconfigExterns k, String name) {
        return k.extern(name).orElseThrow().offset();
    }
}
