package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfSanitizer;
import dev.bpf4j.btf.BtfSanitizer.Feature;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.elf.TestObjects;
import dev.bpf4j.internal.sys.Sys;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** BTF sanitising, checked on the encoded bytes, and DATASEC fix-up of object BTF. */
class BtfSanitizeTest {
    /** One type of every kind a kernel may lack. */
    private static Btf everyKind() {
        BtfType.Int i32 = new BtfType.Int(1, "int", 4, BtfType.Int.SIGNED, 0, 32);
        return Btf.of(List.of(new BtfType.Void(), i32,
                new BtfType.Var(2, "x", 1, BtfType.Linkage.GLOBAL),
                new BtfType.Datasec(3, ".data", 4, List.of(new BtfType.SecInfo(2, 0, 4))),
                new BtfType.FuncProto(4, "", 1, List.of(new BtfType.Param("a", 1))),
                new BtfType.Func(5, "f", 4, BtfType.Linkage.GLOBAL),
                new BtfType.Float(6, "double", 8),
                new BtfType.DeclTag(7, "tag", 2, -1, false),
                new BtfType.TypeTag(8, "user", 1, false),
                new BtfType.Ptr(9, "", 8),
                new BtfType.Enum(10, "big", true, 8, false, List.of(new BtfType.EnumValue("B", 1L << 40))),
                new BtfType.Enum(11, "neg", false, 4, true, List.of(new BtfType.EnumValue("N", -1)))),
                ByteOrder.nativeOrder());
    }

    /** Encodes and parses again: the sanitised BTF as the kernel would read it. */
    private static Btf roundTrip(Btf btf) {
        return Btf.parse(btf.encode());
    }

    @Test
    void everyFeaturePresentChangesNothing() {
        Btf btf = everyKind();
        assertSame(btf, BtfSanitizer.sanitize(btf, EnumSet.allOf(Feature.class)));
    }

    @Test
    void eachMissingKindIsReplacedAsLibbpfDoes() {
        Btf out = roundTrip(BtfSanitizer.sanitize(everyKind(), Set.of()));
        assertEquals(List.of(BtfKind.VOID, BtfKind.INT, BtfKind.INT, BtfKind.STRUCT, BtfKind.ENUM, BtfKind.TYPEDEF,
                BtfKind.STRUCT, BtfKind.INT, BtfKind.CONST, BtfKind.PTR, BtfKind.UNION, BtfKind.ENUM, BtfKind.INT),
                out.types().stream().map(BtfType::kind).toList());
        BtfType.Struct data = (BtfType.Struct) out.type(3);
        assertEquals("_data", data.name());
        assertEquals(4, data.size());
        assertEquals(List.of(new BtfType.Member("x", 2, 0, 0)), data.members());
        assertEquals(List.of(new BtfType.EnumValue("a", 1)), ((BtfType.Enum) out.type(4)).values());
        assertEquals(8, ((BtfType.Struct) out.type(6)).size()); // FLOAT keeps its size
        assertEquals(1, ((BtfType.Qualifier) out.type(8)).type()); // TYPE_TAG -> CONST of the same type
        BtfType.Struct union = (BtfType.Struct) out.type(10);
        assertEquals(8, union.size());
        assertEquals("B", union.members().get(0).name());
        assertEquals("enum64_placeholder", out.type(union.members().get(0).type()).name());
        assertEquals(false, ((BtfType.Enum) out.type(11)).signed());
    }

    @Test
    void onlyGlobalFunctionsMissingMakesThemStatic() {
        Set<Feature> all = EnumSet.allOf(Feature.class);
        all.remove(Feature.FUNC_GLOBAL);
        Btf out = roundTrip(BtfSanitizer.sanitize(everyKind(), all));
        assertEquals(BtfType.Linkage.STATIC, ((BtfType.Func) out.type(5)).linkage());
        assertEquals(BtfKind.FLOAT, out.type(6).kind());
    }

    @Test
    @KernelTest
    void theKernelAcceptsFullySanitisedBtf() {
        assertEquals(EnumSet.allOf(Feature.class), BtfLoad.supported(), "kernel 6.x knows every BTF kind");
        for (Btf btf : List.of(everyKind(), objectBtf("socket_xdp.o"), objectBtf("tailcall.o"))) {
            Sys.close(BtfLoad.load(BtfSanitizer.sanitize(btf, Set.of()), "sanitised test BTF"));
            Sys.close(BtfLoad.load(btf, "unsanitised test BTF"));
        }
    }

    private static Btf objectBtf(String name) {
        ObjectSpec spec = ObjectSpec.read(TestObjects.path(name));
        return Btf.parse(DatasecFixup.apply(spec.btf().orElseThrow(), spec.elf()));
    }

    @Test
    void datasecSizesAndOffsetsComeFromTheObject() {
        ObjectSpec spec = ObjectSpec.read(TestObjects.path("socket_xdp.o"));
        Btf raw = spec.btf().orElseThrow();
        BtfType.Datasec maps = (BtfType.Datasec) raw.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        assertEquals(0, maps.size()); // as clang leaves it
        Btf fixed = Btf.parse(DatasecFixup.apply(raw, spec.elf()));
        BtfType.Datasec fixedMaps = (BtfType.Datasec) fixed.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        assertEquals(64, fixedMaps.size());
        assertEquals(List.of(0, 32), fixedMaps.vars().stream().map(BtfType.SecInfo::offset).toList());
        assertEquals(8, ((BtfType.Datasec) fixed.typeByName(".bss", BtfKind.DATASEC).orElseThrow()).size());
    }
}
