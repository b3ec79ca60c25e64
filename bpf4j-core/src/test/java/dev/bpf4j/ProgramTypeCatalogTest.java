package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.KernelBtf;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProgramTypeCatalogTest {

    @Test
    void everyTypeHasAllThreeAnswers() {
        List<ProgramType> types = Arrays.stream(ProgramType.values()).filter(t -> t != ProgramType.UNSPEC).toList();
        assertEquals(types, ProgramTypeCatalog.entries().stream().map(ProgramTypeCatalog.Entry::type).toList());
        for (ProgramTypeCatalog.Entry e : ProgramTypeCatalog.entries()) {
            assertFalse(e.runsWhen().isBlank(), e.type() + " runs when?");
            assertFalse(e.attachedBy().isBlank(), e.type() + " attached how?");
            assertTrue(e.syscalls().getFirst().startsWith("bpf(BPF_PROG_LOAD)") || e.type() == ProgramType.TRACING,
                    e.type() + " is loaded first: " + e.syscalls());
            assertFalse(e.context().isBlank(), e.type() + " context?");
            assertFalse(e.sections().isEmpty(), e.type() + " has no section names");
        }
    }

    @Test
    void sectionNamesAndAttachTypesAgreeWithTheSectionTable() {
        for (SectionTable.Rule r : SectionTable.rules()) {
            ProgramTypeCatalog.Entry e = ProgramTypeCatalog.entry(r.type());
            assertTrue(r.legacy() ? e.legacySections().contains(r.pattern()) : e.sections().contains(r.pattern()),
                    r.pattern());
            if (r.attachType() != null) {
                assertTrue(e.attachTypes().contains(r.attachType()),
                        r.pattern() + " expects " + r.attachType() + ", which " + r.type() + " does not list");
            }
        }
        assertEquals(List.of("socket"), ProgramTypeCatalog.entry(ProgramType.SOCKET_FILTER).sections());
        assertTrue(ProgramTypeCatalog.entry(ProgramType.KPROBE).sections().containsAll(List.of("kprobe+", "uprobe+",
                "usdt+")));
    }

    @Test
    void seedCategoriesAndContexts() {
        Map<ProgramType, ProgramTypeCatalog.Category> seed = Map.of(ProgramType.SOCKET_FILTER,
                ProgramTypeCatalog.Category.SOCKET, ProgramType.SK_SKB, ProgramTypeCatalog.Category.SOCKET,
                ProgramType.SCHED_ACT, ProgramTypeCatalog.Category.TC, ProgramType.XDP, ProgramTypeCatalog.Category.XDP,
                ProgramType.PERF_EVENT, ProgramTypeCatalog.Category.TRACING, ProgramType.CGROUP_DEVICE,
                ProgramTypeCatalog.Category.CGROUP, ProgramType.LWT_SEG6LOCAL, ProgramTypeCatalog.Category.TUNNELLING);
        seed.forEach((t, c) -> assertEquals(c, ProgramTypeCatalog.entry(t).category(), t.name()));
        ProgramTypeCatalog.Entry kprobe = ProgramTypeCatalog.find("kprobe").orElseThrow();
        assertEquals("pt_regs", kprobe.contextStruct());
        assertTrue(kprobe.syscalls().contains("perf_event_open"));
        assertEquals("xdp_md", ProgramTypeCatalog.find("BPF_PROG_TYPE_XDP").orElseThrow().contextStruct());
        assertTrue(ProgramTypeCatalog.find("unspec").isEmpty());
        assertTrue(ProgramTypeCatalog.find("no_such_type").isEmpty());
    }

    @Test
    void onlySocketFilterIsAttachedByBpf4jSoFar() {
        for (ProgramTypeCatalog.Entry e : ProgramTypeCatalog.entries()) {
            assertEquals(e.type() == ProgramType.SOCKET_FILTER, e.bpf4jAttaches(), e.type().name());
            assertEquals(e.bpf4jAttaches() ? ProgramTypeCatalog.ATTACHERS.get(e.type()) : "not yet", e.bpf4jAttach());
        }
    }

    @Test
    void contextStructsExistInTheKernelBtf() {
        Btf btf = vmlinux();
        for (ProgramTypeCatalog.Entry e : ProgramTypeCatalog.entries()) {
            if (!e.contextStruct().isEmpty()) {
                ContextLayout layout = ContextLayout.read(btf, e.contextStruct()).orElseThrow(
                        () -> new AssertionError(e.type() + ": no struct " + e.contextStruct() + " in kernel BTF"));
                assertFalse(layout.fields().isEmpty(), e.contextStruct());
                for (ContextLayout.Field f : layout.fields()) {
                    assertTrue(f.offset() + (f.isBitfield() ? 0 : f.size()) <= layout.size(), e.contextStruct() + "." + f);
                }
            }
        }
    }

    @Test
    void skBuffLayoutAsTheUapiHeaderHasIt() {
        ContextLayout skb = ContextLayout.read(vmlinux(), "__sk_buff").orElseThrow();
        // offsets from struct __sk_buff in linux/bpf.h: the fields are ABI and never move
        assertEquals(0, skb.field("len").orElseThrow().offset());
        assertEquals(4, skb.field("pkt_type").orElseThrow().offset());
        assertEquals(76, skb.field("data").orElseThrow().offset());
        assertEquals(80, skb.field("data_end").orElseThrow().offset());
        assertEquals(4, skb.field("data").orElseThrow().size());
        ContextLayout.Field cb = skb.field("cb").orElseThrow();
        assertEquals(5, cb.count());
        assertEquals(20, cb.size());
        // flow_keys sits in an anonymous union (__bpf_md_ptr): listed in place at 144
        assertEquals(144, skb.field("flow_keys").orElseThrow().offset());
        assertEquals(8, skb.field("flow_keys").orElseThrow().size());
    }

    @Test
    void bitfieldsCarryTheirBits() {
        // struct bpf_sock_ops has none; the kernel's struct tcp_sock has plenty
        ContextLayout tcp = ContextLayout.read(vmlinux(), "tcp_sock").orElseThrow();
        assertTrue(tcp.fields().stream().anyMatch(f -> f.isBitfield() && f.bits() == 1), "1-bit flags");
        tcp.fields().stream().filter(ContextLayout.Field::isBitfield)
                .forEach(f -> assertTrue(f.bitOffset() < 8 && f.bits() <= f.size() * 8, f.toString()));
    }

    @Test
    void ptRegsArgumentRegistersOnX86And64BitArm() {
        ContextLayout.Registers x86 = ContextLayout.Registers.of("amd64").orElseThrow();
        assertEquals(List.of("di", "si", "dx", "cx", "r8", "r9"), x86.arguments());
        assertEquals("ax", x86.returnValue());
        ContextLayout.Registers arm = ContextLayout.Registers.of("aarch64").orElseThrow();
        assertEquals("regs[5]", arm.arguments().get(5));
        assertEquals("regs[0]", arm.returnValue());
        assertTrue(ContextLayout.Registers.of("sparc").isEmpty());

        assumeTrue(System.getProperty("os.arch").equals("amd64"), "x86-64 pt_regs offsets");
        ContextLayout regs = ContextLayout.read(vmlinux(), "pt_regs").orElseThrow();
        // struct pt_regs of arch/x86/include/asm/ptrace.h: r15 first, 8 bytes each
        Map<String, Long> expected = Map.of("di", 112L, "si", 104L, "dx", 96L, "cx", 88L, "r8", 72L, "r9", 64L,
                "ax", 80L);
        expected.forEach((reg, off) -> assertEquals(off, regs.offsetOf(reg).orElseThrow(), reg));
        assertEquals(0, regs.offsetOf("r15").orElseThrow());
        assertTrue(regs.offsetOf("regs[0]").isEmpty());
    }

    @Test
    void kernelTypesByNameIncludeEveryEnumConstant() {
        Map<Integer, String> kernel = ProgramTypeCatalog.kernelTypes(vmlinux());
        for (ProgramType t : ProgramType.values()) {
            assertEquals(t.name(), kernel.get(t.value()), "kernel name of " + t.value());
        }
        assertFalse(kernel.containsValue("__MAX_BPF_PROG_TYPE"), "the count is no type");
        assertTrue(Set.copyOf(kernel.values()).size() == kernel.size());
    }

    private static Btf vmlinux() {
        return KernelBtf.find().orElseThrow(() -> new AssertionError("no /sys/kernel/btf/vmlinux"));
    }
}
