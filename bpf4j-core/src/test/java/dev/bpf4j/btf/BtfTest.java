package dev.bpf4j.btf;

import dev.bpf4j.testing.Tools;
import dev.bpf4j.BpfFormatException;
import dev.bpf4j.elf.TestObjects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BtfTest {

    static List<String> objects() {
        return TestObjects.all();
    }

    @ParameterizedTest
    @MethodSource("objects")
    void encodeOfParseIsTheOriginalBytes(String object) {
        ObjectBtf o = ObjectBtf.of(object);
        byte[] original = o.elf().section(".BTF").orElseThrow().contents().toArray(ValueLayout.JAVA_BYTE);
        assertArrayEquals(original, new BtfWriter(o.btf(), o.btf().order()).write(), "the full writer");
        assertArrayEquals(original, o.btf().encode(), "encode, which copies the blob it was parsed from");
    }

    @Test
    void linkageReadFromTheRecordsIsWhatDecodingGives() {
        for (String object : List.of("socket_xdp.o", "tailcall.o", "../core/core_externs.o", "../core/core_fields.o")) {
            for (BtfKind kind : List.of(BtfKind.FUNC, BtfKind.VAR)) {
                for (BtfType.Linkage linkage : BtfType.Linkage.values()) {
                    Btf decoded = dev.bpf4j.ObjectSpec.read(TestObjects.path(object)).btf().orElseThrow();
                    boolean expected = decoded.typesOfKind(kind).stream().anyMatch(t -> switch (t) {
                        case BtfType.Func f -> f.linkage() == linkage;
                        case BtfType.Var v -> v.linkage() == linkage;
                        default -> false;
                    });
                    Btf fresh = dev.bpf4j.ObjectSpec.read(TestObjects.path(object)).btf().orElseThrow(); // nothing decoded
                    assertEquals(expected, fresh.anyWithLinkage(kind, linkage), object + " " + kind + " " + linkage);
                }
            }
        }
        Btf externs = dev.bpf4j.ObjectSpec.read(TestObjects.path("../core/core_externs.o")).btf().orElseThrow();
        assertTrue(externs.anyWithLinkage(BtfKind.VAR, BtfType.Linkage.EXTERN));
        assertTrue(externs.anyWithLinkage(BtfKind.FUNC, BtfType.Linkage.EXTERN));
        Btf plain = ObjectBtf.of("socket_xdp.o").btf();
        assertTrue(!plain.anyWithLinkage(BtfKind.VAR, BtfType.Linkage.EXTERN)
                && !plain.anyWithLinkage(BtfKind.FUNC, BtfType.Linkage.EXTERN));
        // a changed copy answers from its own types
        BtfType.Var global = (BtfType.Var) plain.typesOfKind(BtfKind.VAR).stream()
                .filter(t -> ((BtfType.Var) t).linkage() == BtfType.Linkage.GLOBAL).findFirst().orElseThrow();
        List<BtfType> types = new java.util.ArrayList<>(plain.types());
        types.set(global.id(), new BtfType.Var(global.id(), global.name(), global.type(), BtfType.Linkage.EXTERN));
        assertTrue(plain.withTypes(types).anyWithLinkage(BtfKind.VAR, BtfType.Linkage.EXTERN));
    }

    @Test
    void changedRecordsArePatchedInPlaceAndOthersFallBackToTheFullWriter() {
        ObjectBtf o = ObjectBtf.of("socket_xdp.o");
        Btf btf = o.btf();
        byte[] original = btf.encode();
        List<BtfType> types = new java.util.ArrayList<>(btf.types());
        int datasec = -1, var = -1, struct = -1;
        for (BtfType t : types) {
            if (t instanceof BtfType.Datasec d && !d.vars().isEmpty() && datasec < 0) {
                datasec = t.id();
                types.set(t.id(), new BtfType.Datasec(d.id(), d.name(), d.size() + 64, d.vars().stream()
                        .map(v -> new BtfType.SecInfo(v.type(), v.offset() + 8, v.size())).toList()));
            } else if (t instanceof BtfType.Var v && var < 0) {
                var = t.id();
                types.set(t.id(), new BtfType.Var(v.id(), v.name(), v.type(), BtfType.Linkage.STATIC));
            } else if (t instanceof BtfType.Struct s && !s.members().isEmpty() && struct < 0) {
                struct = t.id();
            }
        }
        assertTrue(datasec > 0 && var > 0 && struct > 0, "socket_xdp.o has a DATASEC, a VAR and a struct");

        // DATASEC and VAR changes: the same length, so patched; everything else byte for byte the same
        Btf changed = btf.withTypes(types);
        byte[] patched = changed.encode();
        assertArrayEquals(patched, BtfWriter.patch(changed, changed.order()),
                "encoded by patching");
        assertEquals(original.length, patched.length);
        assertEquals(types, Btf.parse(patched).types());
        int differing = 0;
        for (int i = 0; i < original.length; i++) {
            differing += original[i] != patched[i] ? 1 : 0;
        }
        assertTrue(differing > 0 && differing < 64, differing + " bytes differ");

        // a struct with a renamed member needs a new string: the full writer, which adds it
        BtfType.Struct s = (BtfType.Struct) types.get(struct);
        List<BtfType.Member> members = new java.util.ArrayList<>(s.members());
        BtfType.Member m = members.getFirst();
        members.set(0, new BtfType.Member(m.name() + "_renamed", m.type(), m.bitOffset(), m.bitfieldSize()));
        types.set(struct, new BtfType.Struct(s.id(), s.name(), s.union(), s.size(), s.bitfields(), members));
        Btf renamed = btf.withTypes(types);
        assertEquals(null, BtfWriter.patch(renamed, renamed.order()));
        byte[] rewritten = renamed.encode();
        assertTrue(rewritten.length > original.length, "the new name is appended to the string table");
        assertEquals(types, Btf.parse(rewritten).types());
    }

    @Test
    void aLazyTableListsEachKindInIdOrder() {
        ObjectBtf o = ObjectBtf.of("socket_xdp.o");
        byte[] blob = o.elf().section(".BTF").orElseThrow().contents().toArray(ValueLayout.JAVA_BYTE);
        Btf eager = Btf.parse(blob);
        Btf lazy = Btf.parseLazily(blob, "socket_xdp.o .BTF");
        for (BtfKind kind : BtfKind.values()) { // the lazy table's kind index, the eager list's scan
            assertEquals(eager.types().stream().filter(t -> t.kind() == kind && t.id() != 0).toList(), lazy.typesOfKind(kind),
                    "every " + kind + ", in id order");
            assertEquals(eager.typesOfKind(kind), lazy.typesOfKind(kind), kind.toString());
        }
        assertEquals(List.of(), lazy.typesOfKind(BtfKind.VOID), "void is no type of its own kind");
        BtfType.Datasec maps = (BtfType.Datasec) eager.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        assertEquals(maps, lazy.typeByName(".maps", BtfKind.DATASEC).orElseThrow(), "found through the kind index");
        assertEquals(java.util.Optional.empty(), lazy.typeByName(".maps", BtfKind.STRUCT), "a name of another kind");
    }

    @Test
    void bigEndianBtfReadsLikeLittleEndianAndEncodesToIt() {
        ObjectBtf le = ObjectBtf.of("socket_xdp.o");
        ObjectBtf be = ObjectBtf.of("socket_xdp.bpfeb.o");
        assertEquals(ByteOrder.BIG_ENDIAN, be.btf().order());
        assertEquals(le.btf().types(), be.btf().types());
        assertArrayEquals(le.btf().encode(), be.btf().encode(ByteOrder.LITTLE_ENDIAN));
        assertEquals(le.ext().funcInfos(), be.ext().funcInfos());
        assertEquals(le.ext().lineInfos(), be.ext().lineInfos());
    }

    @ParameterizedTest
    @MethodSource("objects")
    void typesMatchBpftool(String object) throws Exception {
        Btf btf = ObjectBtf.of(object).btf();
        String out = run(Tools.require("bpftool").toString(), "btf", "dump", "file", TestObjects.path(object).toString());
        Pattern line = Pattern.compile("^\\[(\\d+)\\] (\\S+) '([^']*)'(.*)$");
        int compared = 0;
        for (String l : out.split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                BtfType t = btf.type(Integer.parseInt(m.group(1)));
                assertEquals(m.group(2), t.kind().name(), l);
                assertEquals(m.group(3).equals("(anon)") ? "" : m.group(3), t.name(), l);
                Matcher size = Pattern.compile(" size=(\\d+)").matcher(m.group(4));
                if (size.find() && !(t instanceof BtfType.Datasec)) {
                    assertEquals(Long.parseLong(size.group(1)), btf.sizeOf(t.id()), l);
                }
                compared++;
            }
        }
        assertEquals(btf.typeCount() - 1, compared);
    }

    @Test
    void modelOfSocketXdp() {
        ObjectBtf o = ObjectBtf.of("socket_xdp.o");
        Btf btf = o.btf();
        BtfType.Struct skb = (BtfType.Struct) btf.typeByName("__sk_buff", BtfKind.STRUCT).orElseThrow();
        assertEquals(192, skb.size());
        assertEquals("len", skb.members().get(0).name());
        assertEquals("unsigned int", btf.cName(skb.members().get(0).type()).replace("__u32", "unsigned int")
                .replace("u32", "unsigned int"));
        BtfType.Datasec maps = (BtfType.Datasec) btf.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        assertEquals(List.of("counts", "settings"), maps.vars().stream().map(v -> btf.type(v.type()).name()).toList());
        BtfType.Var counts = (BtfType.Var) btf.type(maps.vars().get(0).type());
        assertEquals(BtfType.Linkage.GLOBAL, counts.linkage());
        // the map definition struct is anonymous: its members are pointers to int arrays
        BtfType.Struct def = (BtfType.Struct) btf.resolve(counts.type());
        assertEquals(List.of("type", "max_entries", "key", "value"), def.members().stream().map(BtfType.Member::name).toList());
        assertEquals("int (*)[1]", btf.cName(def.members().get(0).type()));
        assertEquals(32, btf.sizeOf(counts.id()));
        BtfType.Func mix = (BtfType.Func) btf.typeByName("mix", BtfKind.FUNC).orElseThrow();
        assertEquals(BtfType.Linkage.STATIC, mix.linkage());
        assertEquals("__u32 mix(__u32, __u32)", btf.cName(mix.id()));
        assertEquals(BtfType.Linkage.GLOBAL, ((BtfType.Func) btf.typeByName("global_sum", BtfKind.FUNC).orElseThrow()).linkage());
        assertEquals("int sock_len(struct __sk_buff *)", btf.cName(btf.typeByName("sock_len", BtfKind.FUNC).orElseThrow().id()));
        BtfType.Var ro = (BtfType.Var) btf.typeByName("ro_factor", BtfKind.VAR).orElseThrow();
        assertEquals("const volatile __u32 ro_factor", btf.cName(ro.id()));
        assertEquals(4, btf.sizeOf(ro.id()));
        assertInstanceOf(BtfType.Int.class, btf.resolve(ro.type()));
        assertTrue(btf.typeByName(".data.custom", BtfKind.DATASEC).isPresent());
        assertTrue(btf.typeByName("LICENSE", BtfKind.VAR).isPresent());
        assertEquals("char[4]", btf.cName(((BtfType.Var) btf.typeByName("LICENSE", BtfKind.VAR).orElseThrow()).type()));
        assertEquals(List.of(), btf.typesByName("no_such_type"));
    }

    @Test
    void btfExtOfSocketXdp() {
        ObjectBtf o = ObjectBtf.of("socket_xdp.o");
        List<BtfExt.FuncInfo> socket = o.ext().funcInfos().get("socket");
        assertEquals(List.of("sock_len", "sock_mix"), socket.stream().map(f -> o.btf().type(f.typeId()).name()).toList());
        assertEquals(0, socket.get(0).insnOffset());
        assertEquals(0xe0, socket.get(1).insnOffset()); // sock_mix's symbol value
        List<BtfExt.FuncInfo> text = o.ext().funcInfos().get(".text");
        assertEquals(List.of("global_sum", "weak_bias", "mix", "add_index"),
                text.stream().map(f -> o.btf().type(f.typeId()).name()).toList());
        List<BtfExt.LineInfo> lines = o.ext().lineInfos().get("xdp");
        assertTrue(lines.stream().allMatch(l -> l.fileName().endsWith("socket_xdp.c")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.line().contains("bpf_loop(5, add_index, &c, 0)")), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.lineNumber() > 0));
        assertTrue(o.ext().coreRelos().isEmpty());
    }

    @Test
    void coreRelocationsOfCoreObject() {
        ObjectBtf o = ObjectBtf.of("core.o");
        List<BtfExt.CoreRelo> socket = o.ext().coreRelos().get("socket");
        assertEquals(List.of(CoreReloKind.TYPE_EXISTS, CoreReloKind.FIELD_BYTE_SIZE, CoreReloKind.FIELD_EXISTS),
                socket.stream().map(BtfExt.CoreRelo::kind).toList());
        assertEquals("struct task_struct", o.btf().cName(socket.get(0).typeId()));
        assertEquals("struct __sk_buff", o.btf().cName(socket.get(1).typeId()));
        assertEquals("0:0", socket.get(1).accessString());
        assertEquals("struct task_struct", o.btf().cName(socket.get(2).typeId()));
        List<BtfExt.CoreRelo> tp = o.ext().coreRelos().get("raw_tp/sys_enter");
        assertTrue(tp.stream().anyMatch(r -> r.kind() == CoreReloKind.FIELD_BYTE_OFFSET && r.accessString().equals("0:1")),
                tp.toString());
    }

    @Test
    void kernelBtfParsesAndRoundTrips() throws IOException {
        Path vmlinux = Path.of("/sys/kernel/btf/vmlinux");
        Tools.requireFile(vmlinux, "the kernel's BTF");
        byte[] data = Files.readAllBytes(vmlinux);
        Btf btf = Btf.parse(data);
        assertTrue(btf.typeCount() > 10_000);
        assertArrayEquals(data, btf.encode());
        assertTrue(btf.sizeOf(btf.typeByName("task_struct", BtfKind.STRUCT).orElseThrow().id()) > 1000);
        assertEquals("struct sk_buff *", btf.cName(
                ((BtfType.Ptr) btf.types().stream().filter(t -> t instanceof BtfType.Ptr p
                        && btf.type(p.type()).name().equals("sk_buff")).findFirst().orElseThrow()).id()));
    }

    // ---- hand-built BTF for the error paths ----

    /** Builds BTF from raw type words and a string table ("\0a\0b\0"). */
    static byte[] build(String strings, int... typeWords) {
        byte[] str = strings.getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(24 + typeWords.length * 4 + str.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(typeWords.length * 4).putInt(typeWords.length * 4).putInt(str.length);
        for (int w : typeWords) {
            b.putInt(w);
        }
        b.put(str);
        return b.array();
    }

    static int info(BtfKind kind, int vlen) {
        return kind.value() << 24 | vlen;
    }

    @Test
    void typedefLoopIsAFormatErrorNotAHang() {
        // [1] typedef a -> 2, [2] const -> 1
        byte[] data = build("\0a\0", 1, info(BtfKind.TYPEDEF, 0), 2, 0, info(BtfKind.CONST, 0), 1);
        Btf btf = Btf.parse(data);
        assertTrue(assertThrows(BpfFormatException.class, () -> btf.sizeOf(1)).getMessage().contains("loop"));
        assertThrows(BpfFormatException.class, () -> btf.resolve(2));
        assertEquals("const a", btf.cName(2)); // a typedef is spelled by name: no loop to follow
        // [1] ptr -> 1
        Btf self = Btf.parse(build("\0", 0, info(BtfKind.PTR, 0), 1));
        assertTrue(assertThrows(BpfFormatException.class, () -> self.cName(1)).getMessage().contains("loop"));
        assertEquals(8, self.sizeOf(1));
        assertArrayEquals(data, btf.encode());
    }

    @Test
    void arrayLoopAndOverflow() {
        // [1] int (4 bytes), [2] array of 3 -> [2]; [3] array 0xffffffff of [4] array 0xffffffff of int
        byte[] data = build("\0int\0", 1, info(BtfKind.INT, 0), 4, 32,
                0, info(BtfKind.ARRAY, 0), 0, 2, 1, 3,
                0, info(BtfKind.ARRAY, 0), 0, 4, 1, -1,
                0, info(BtfKind.ARRAY, 0), 0, 1, 1, -1);
        Btf btf = Btf.parse(data);
        assertThrows(BpfFormatException.class, () -> btf.sizeOf(2));
        assertTrue(assertThrows(BpfFormatException.class, () -> btf.sizeOf(3)).getMessage().contains("overflows"));
        assertEquals(4L * 0xffffffffL, btf.sizeOf(4));
        assertEquals("int[4294967295]", btf.cName(4));
    }

    @Test
    void badLengthsAndReferences() {
        byte[] ok = build("\0int\0", 1, info(BtfKind.INT, 0), 4, 32);
        Btf.parse(ok);
        byte[] longTypes = ok.clone();
        ByteBuffer.wrap(longTypes).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 1000);
        assertTrue(assertThrows(BpfFormatException.class, () -> Btf.parse(longTypes)).getMessage()
                .startsWith("BTF: type section (1000 bytes) runs past the end"));
        // struct with vlen 0xffff but no member bytes
        byte[] hugeVlen = build("\0s\0", 1, info(BtfKind.STRUCT, 0xffff), 8);
        assertTrue(assertThrows(BpfFormatException.class, () -> Btf.parse(hugeVlen)).getMessage().contains("vlen 65535"));
        byte[] badRef = build("\0p\0", 0, info(BtfKind.PTR, 0), 77);
        assertEquals("BTF: type #1 (PTR '') refers to type 77, past the last type 1 at offset 0x18",
                assertThrows(BpfFormatException.class, () -> Btf.parse(badRef)).getMessage());
        byte[] badName = build("\0x\0", 50, info(BtfKind.INT, 0), 4, 32);
        assertTrue(assertThrows(BpfFormatException.class, () -> Btf.parse(badName)).getMessage().contains("name offset 50"));
        byte[] badKind = build("\0x\0", 0, info(BtfKind.INT, 0) | 25 << 24, 4);
        assertTrue(assertThrows(BpfFormatException.class, () -> Btf.parse(badKind)).getMessage().contains("unknown kind"));
        byte[] noNul = build("\0x", 0, info(BtfKind.PTR, 0), 0);
        assertThrows(BpfFormatException.class, () -> Btf.parse(noNul));
    }

    @Test
    void errorsNameTheObjectSectionAndFileOffset() {
        byte[] data = TestObjects.bytes("socket_xdp.o");
        dev.bpf4j.elf.ElfFile elf = dev.bpf4j.elf.ElfFile.parse("x.o", data);
        dev.bpf4j.elf.ElfSection s = elf.section(".BTF").orElseThrow();
        // corrupt the string section length
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putInt((int) s.offset() + 20, 1 << 30);
        BpfFormatException e = assertThrows(BpfFormatException.class,
                () -> Btf.parse(s.contents(), "x.o: " + s.describe(), s.offset()));
        assertTrue(e.getMessage().startsWith("x.o: section '.BTF' (#" + s.index() + "): string section"), e.getMessage());
        assertTrue(e.getMessage().endsWith("at offset 0x" + Long.toHexString(s.offset() + 24 + ByteBuffer.wrap(data)
                .order(ByteOrder.LITTLE_ENDIAN).getInt((int) s.offset() + 16))), e.getMessage());
    }

    @Test
    void btfExtBadCountsAreFormatErrors() {
        ObjectBtf o = ObjectBtf.of("socket_xdp.o");
        byte[] ext = o.elf().section(".BTF.ext").orElseThrow().contents().toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer b = ByteBuffer.wrap(ext).order(ByteOrder.LITTLE_ENDIAN);
        int funcOff = b.getInt(8);
        b.putInt(b.getInt(4) + funcOff + 4 + 4, 0x7fffffff); // first section's record count
        assertTrue(assertThrows(BpfFormatException.class, () -> BtfExt.parse(java.lang.foreign.MemorySegment.ofArray(ext),
                o.btf(), "BTF.ext", 0)).getMessage().contains("run past the end"));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
