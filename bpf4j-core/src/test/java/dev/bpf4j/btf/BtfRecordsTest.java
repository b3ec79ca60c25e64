package dev.bpf4j.btf;

import dev.bpf4j.BpfFormatException;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BtfRecordsTest {
    private static byte[] blob(String object) {
        return ObjectBtf.of(object).elf().section(".BTF").orElseThrow().contents().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void patchedWordsReadBackAsTheSameChangeMadeToTheTypes() {
        byte[] blob = blob("socket_xdp.o");
        Btf btf = Btf.parseLazily(blob, "socket_xdp.o .BTF");
        BtfRecords r = BtfRecords.copyOf(btf);
        BtfType.Datasec maps = (BtfType.Datasec) btf.typeByName(".maps", BtfKind.DATASEC).orElseThrow();
        assertEquals(2, maps.vars().size(), "socket_xdp.o defines two maps");
        BtfType.Var first = (BtfType.Var) btf.type(maps.vars().get(0).type());

        // the second variable placed before the first, the section sized, the first map made static
        r.setVarOffset(maps.id(), 0, 40);
        r.setVarOffset(maps.id(), 1, 8);
        r.sortVars(maps.id());
        r.setSize(maps.id(), 72);
        r.setLinkage(first.id(), BtfType.Linkage.STATIC);

        List<BtfType> expected = new ArrayList<>(Btf.parse(blob).types());
        BtfType.SecInfo a = maps.vars().get(0), b = maps.vars().get(1);
        expected.set(maps.id(), new BtfType.Datasec(maps.id(), maps.name(), 72,
                List.of(new BtfType.SecInfo(b.type(), 8, b.size()), new BtfType.SecInfo(a.type(), 40, a.size()))));
        expected.set(first.id(), new BtfType.Var(first.id(), first.name(), first.type(), BtfType.Linkage.STATIC));
        assertEquals(expected, Btf.parse(r.bytes()).types());
        assertEquals(blob.length, r.bytes().length, "written in place");
        assertArrayEquals(blob("socket_xdp.o"), blob, "the blob the lazy BTF reads from is left as it was");
    }

    @Test
    void sortingKeepsEntriesOfOneOffsetInTheirOrder() {
        Btf btf = Btf.parseLazily(blob("socket_xdp.o"), "socket_xdp.o .BTF");
        BtfRecords r = BtfRecords.copyOf(btf);
        int maps = btf.typeByName(".maps", BtfKind.DATASEC).orElseThrow().id();
        int first = r.varType(maps, 0), second = r.varType(maps, 1);
        r.setVarOffset(maps, 0, 16);
        r.setVarOffset(maps, 1, 16);
        r.sortVars(maps);
        assertEquals(List.of(first, second), List.of(r.varType(maps, 0), r.varType(maps, 1)));
    }

    @Test
    void wrongKindsIdsAndCopiesAreRefused() {
        Btf btf = Btf.parseLazily(blob("socket_xdp.o"), "socket_xdp.o .BTF");
        BtfRecords r = BtfRecords.copyOf(btf);
        int maps = btf.typeByName(".maps", BtfKind.DATASEC).orElseThrow().id();
        int var = r.varType(maps, 0);
        assertThrows(IllegalArgumentException.class, () -> r.setSize(var, 4), "a VAR has no size");
        assertThrows(IllegalArgumentException.class, () -> r.setLinkage(maps, BtfType.Linkage.STATIC), "a DATASEC has no linkage");
        assertThrows(IndexOutOfBoundsException.class, () -> r.setVarOffset(maps, 2, 0), "two entries");
        assertThrows(BpfFormatException.class, () -> r.kind(btf.typeCount()), "past the last id");
        assertEquals(BtfKind.VOID, r.kind(0));
        assertThrows(IllegalArgumentException.class, () -> r.name(0), "void has no record");
        assertThrows(IllegalArgumentException.class, () -> BtfRecords.copyOf(btf.withTypes(btf.types())),
                "a copy has no blob of its own");
    }
}
