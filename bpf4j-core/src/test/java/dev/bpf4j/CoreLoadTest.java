package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.core.CoreResolution;
import dev.bpf4j.elf.ElfSection;
import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.testing.FdCount;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CO-RE in the loader against a target BTF the test writes (LoadOptions.targetBtf), and bad
 * input: whatever fails, nothing is left behind. core.o's core_sizes returns field size of
 * {@code __sk_buff.len} + 10 if {@code task_struct} exists + 100 if {@code task_struct.pid} exists.
 * Four program loads.
 */
@KernelTest
class CoreLoadTest {
    @TempDir
    Path dir;

    /** A target where __sk_buff.len is 2 bytes and task_struct comes in two flavours. */
    private static List<BtfType> target(boolean flavourWithPid) {
        List<BtfType> t = new ArrayList<>(List.of(new BtfType.Void()));
        t.add(new BtfType.Int(1, "unsigned int", 4, 0, 0, 32));
        t.add(new BtfType.Int(2, "unsigned short", 2, 0, 0, 16));
        t.add(new BtfType.Int(3, "int", 4, BtfType.Int.SIGNED, 0, 32));
        t.add(new BtfType.Struct(4, "__sk_buff", false, 8, false, List.of(
                new BtfType.Member("pad", 1, 0, 0), new BtfType.Member("len", 2, 32, 0))));
        t.add(new BtfType.Struct(5, "task_struct", false, 4, false, List.of(new BtfType.Member("tgid", 3, 0, 0))));
        if (flavourWithPid) {
            t.add(new BtfType.Struct(6, "task_struct___v2", false, 8, false, List.of(
                    new BtfType.Member("tgid", 3, 0, 0), new BtfType.Member("pid", 3, 32, 0))));
        }
        return t;
    }

    private Path write(String name, byte[] blob) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, blob);
        return p;
    }

    private static int sizes(Path targetBtf, List<CoreResolution> out) {
        try (BpfObject obj = BpfObject.load(ObjectSpec.read(TestObjects.path("core.o")),
                LoadOptions.builder().only("core_sizes").targetBtf(targetBtf).build())) {
            out.addAll(obj.linked("core_sizes").coreRelocations());
            return obj.program("core_sizes").testRun(TestRun.builder().data(new byte[64]).build()).retval();
        }
    }

    @Test
    void aTargetBtfFileSelectsTheCandidateThatHasTheField() throws Exception {
        List<CoreResolution> r = new ArrayList<>();
        assertEquals(2 + 10 + 100, sizes(write("two.btf", Btf.of(target(true)).encode()), r),
                "len is 2 bytes there; pid is found in the task_struct___v2 flavour");
        assertTrue(r.stream().anyMatch(x -> x.target().contains("task_struct___v2.pid")), r.toString());
        r.clear();
        assertEquals(2 + 10, sizes(write("one.btf", Btf.of(target(false)).encode()), r), "no candidate has pid");
        assertTrue(r.stream().anyMatch(x -> x.local().equals("struct task_struct.pid") && !x.found()), r.toString());
    }

    @Test
    void badTargetBtfGivesAClearErrorAndLeavesNothing() throws Exception {
        List<BtfType> cyclic = target(false);
        cyclic.set(3, new BtfType.Typedef(3, "loop_a", 6));          // tgid's type: a typedef loop
        cyclic.add(new BtfType.Typedef(6, "loop_b", 3));
        List<BtfType> range = target(false);
        range.set(5, new BtfType.Struct(5, "task_struct", false, 4, false, List.of(new BtfType.Member("pid", 99, 0, 0))));
        byte[] good = Btf.of(target(false)).encode();
        Path[] bad = {write("cyclic.btf", Btf.of(cyclic, ByteOrder.nativeOrder()).encode()),
                write("range.btf", Btf.of(range, ByteOrder.nativeOrder()).encode()),
                write("truncated.btf", Arrays.copyOf(good, good.length - 30)),
                dir.resolve("missing.btf")};
        ObjectSpec core = ObjectSpec.read(TestObjects.path("core.o"));
        int fds = FdCount.open();
        for (Path p : bad) {
            BpfException e = assertThrows(BpfException.class,
                    () -> BpfObject.load(core, LoadOptions.builder().targetBtf(p).build()).close(), p.toString());
            assertTrue(e.getMessage().contains(p.getFileName().toString()) || e.getMessage().contains("core.o"),
                    e.getMessage());
            assertEquals(fds, FdCount.open(), p + ": " + e.getMessage());
        }
    }

    /** .BTF.ext records patched in core.o's bytes: an offset outside the programs, a type id out of range. */
    @Test
    void badRelocationRecordsAreNamedAndLeaveNothing() {
        byte[] object = TestObjects.bytes("core.o");
        ObjectSpec spec = ObjectSpec.parse("core.o", object);
        ElfSection ext = spec.elf().section(".BTF.ext").orElseThrow();
        ByteBuffer b = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int base = (int) ext.offset();
        int hdrLen = b.getInt(base + 4);
        int relos = base + hdrLen + b.getInt(base + 24);
        int recSize = b.getInt(relos);
        int firstSection = relos + 4;
        int count = b.getInt(firstSection + 4);
        int lastRecord = firstSection + 8 + (count - 1) * recSize;   // of the first section with records

        byte[] outside = object.clone();
        ByteBuffer.wrap(outside).order(ByteOrder.LITTLE_ENDIAN).putInt(lastRecord, 0x7ff8);
        int fds = FdCount.open();
        BpfException e = assertThrows(BpfException.class,
                () -> BpfObject.load(ObjectSpec.parse("core.o", outside), LoadOptions.defaults()).close());
        assertTrue(e.getMessage().contains("outside every program"), e.getMessage());
        assertEquals(fds, FdCount.open());

        byte[] badType = object.clone();
        ByteBuffer.wrap(badType).order(ByteOrder.LITTLE_ENDIAN).putInt(lastRecord + 4, 100000);
        BpfException t = assertThrows(BpfException.class,
                () -> BpfObject.load(ObjectSpec.parse("core.o", badType), LoadOptions.defaults()).close());
        assertTrue(t.getMessage().contains("out of range"), t.getMessage());
        assertEquals(fds, FdCount.open(), "the BTF loaded before linking is closed again");
    }
}
