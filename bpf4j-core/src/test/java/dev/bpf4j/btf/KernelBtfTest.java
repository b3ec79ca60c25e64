package dev.bpf4j.btf;

import dev.bpf4j.testing.Tools;
import dev.bpf4j.BpfException;
import dev.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lazily parsed kernel BTF, split BTF, and the lazy parser's checks. */
class KernelBtfTest {
    private static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    @Test
    void lazyKernelBtfEqualsTheEagerParseTypeForTypeAndNameForName() throws Exception {
        Tools.requireFile(VMLINUX, "the kernel's BTF");
        Btf lazy = KernelBtf.vmlinux();
        assertSame(lazy, KernelBtf.vmlinux(), "read once per process");
        Btf eager = Btf.parse(Files.readAllBytes(VMLINUX));
        assertEquals(eager.typeCount(), lazy.typeCount());
        for (int id = 0; id < eager.typeCount(); id++) {
            assertEquals(eager.type(id), lazy.type(id));
        }
        int names = 0;
        for (BtfType t : eager.types()) {
            if (!t.name().isEmpty() && names++ % 7 == 0) {
                assertEquals(eager.typesByName(t.name()), lazy.typesByName(t.name()), t.name());
            }
        }
        assertArrayEquals(eager.encode(), lazy.encode());
        assertEquals(eager.typesByName("task_struct"), lazy.typesByEssentialName("task_struct"));
        assertEquals(List.of(), lazy.typesByName("no_such_type_bpf4j"));
    }

    @Test
    void splitBtfContinuesItsBasesIdsAndStrings() {
        // base: [1] int, [2] struct base_s { int a; }
        Btf base = Btf.of(List.of(new BtfType.Void(), new BtfType.Int(1, "int", 4, BtfType.Int.SIGNED, 0, 32),
                new BtfType.Struct(2, "base_s", false, 4, false, List.of(new BtfType.Member("a", 1, 0, 0)))));
        int baseStrings = base.strings().size();
        int intName = base.strings().offsetOf("int");
        // split: [3] struct mod_s___v1 { int x; struct base_s *p; }, [4] ptr -> base_s; own strings "\0mod_s___v1\0x\0p\0"
        byte[] own = "mod_s___v1\0x\0p\0".getBytes();
        ByteBuffer types = ByteBuffer.allocate(12 + 24 + 12).order(ByteOrder.LITTLE_ENDIAN);
        types.putInt(baseStrings).putInt((4 << 24) | 2).putInt(16);             // struct, vlen 2, size 16
        types.putInt(baseStrings + 11).putInt(1).putInt(0);                     // x: int (a base type)
        types.putInt(baseStrings + 13).putInt(4).putInt(64);                    // p: type 4
        types.putInt(0).putInt(2 << 24).putInt(2);                              // ptr -> base_s
        byte[] blob = blob(types.array(), own);
        Btf split = Btf.parseSplit(blob, base, "mod");
        assertEquals(3, split.firstOwnId());
        assertEquals(5, split.typeCount());
        BtfType.Struct s = (BtfType.Struct) split.type(3);
        assertEquals("mod_s___v1", s.name());
        assertEquals(List.of("x", "p"), s.members().stream().map(BtfType.Member::name).toList());
        assertEquals("struct base_s *", split.cName(4));
        assertEquals("int", split.type(1).name(), "base types are visible through the split BTF");
        assertEquals(List.of(s), split.typesByEssentialName("mod_s"));
        assertEquals(List.of(base.type(2)), split.typesByName("base_s"));
        assertEquals(16, split.sizeOf(3));
        assertTrue(intName > 0);

        ByteBuffer bad = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        bad.putInt(0).putInt(2 << 24).putInt(9);                                // ptr -> 9: out of range
        BpfFormatException e = assertThrows(BpfFormatException.class, () -> Btf.parseSplit(blob(bad.array(), own), base, "mod"));
        assertTrue(e.getMessage().contains("refers to type 9"), e.getMessage());
    }

    @Test
    void essentialNamesDropTheLastFlavourSuffix() {
        List<String> names = List.of("task", "task___v2", "task___a___b", "task____x", "__task___v1", "_", "a___");
        List<BtfType> types = new java.util.ArrayList<>(List.of(new BtfType.Void()));
        for (String n : names) {
            types.add(new BtfType.Struct(types.size(), n, false, 0, false, List.of()));
        }
        Btf lazy = Btf.parseLazily(Btf.of(types).encode(), "flavours");
        assertEquals(List.of("task", "task___v2"), lazy.typesByEssentialName("task").stream().map(BtfType::name).toList());
        assertEquals(List.of("task___a___b"), lazy.typesByEssentialName("task___a").stream().map(BtfType::name).toList());
        assertEquals(List.of("task____x"), lazy.typesByEssentialName("task____x").stream().map(BtfType::name).toList());
        assertEquals(List.of("__task___v1"), lazy.typesByEssentialName("__task").stream().map(BtfType::name).toList());
        assertEquals(List.of("a___"), lazy.typesByName("a___").stream().map(BtfType::name).toList());
        assertEquals("task", Btf.essentialName("task___v2"));
        for (String n : names) {
            assertEquals(Btf.of(types).typesByEssentialName(Btf.essentialName(n)), lazy.typesByEssentialName(Btf.essentialName(n)), n);
        }
    }

    @Test
    void lazyParseRejectsWhatTheEagerParseRejects() {
        ByteBuffer loop = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        loop.putInt(0).putInt(8 << 24).putInt(2);                               // [1] typedef -> 2
        loop.putInt(0).putInt(8 << 24).putInt(1);                               // [2] typedef -> 1
        byte[] name = "\0".getBytes();
        Btf cyclic = Btf.parseLazily(blob(loop.array(), new byte[] {0}), "loop");
        assertTrue(assertThrows(BpfFormatException.class, () -> cyclic.resolve(1)).getMessage().contains("loop"));
        byte[] truncated = Arrays.copyOf(blob(loop.array(), name), 24 + 20);
        assertThrows(BpfFormatException.class, () -> Btf.parseLazily(truncated, "truncated"));
        ByteBuffer kind = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        kind.putInt(0).putInt(31 << 24).putInt(0);
        assertTrue(assertThrows(BpfFormatException.class, () -> Btf.parseLazily(blob(kind.array(), name), "k"))
                .getMessage().contains("unknown kind 31"));
        ByteBuffer range = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        range.putInt(0).putInt(2 << 24).putInt(7);
        assertTrue(assertThrows(BpfFormatException.class, () -> Btf.parseLazily(blob(range.array(), name), "r"))
                .getMessage().contains("refers to type 7"));
    }

    @Test
    void aMissingFileSaysSo() {
        BpfException e = assertThrows(BpfException.class, () -> KernelBtf.read(Path.of("/nonexistent/btf")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertTrue(KernelBtf.module("no_such_module_bpf4j").isEmpty());
        assertThrows(IllegalArgumentException.class, () -> KernelBtf.module("../etc"));
    }

    static byte[] blob(byte[] types, byte[] strings) {
        ByteBuffer b = ByteBuffer.allocate(24 + types.length + strings.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(types.length).putInt(types.length).putInt(strings.length);
        return b.put(types).put(strings).array();
    }
}
