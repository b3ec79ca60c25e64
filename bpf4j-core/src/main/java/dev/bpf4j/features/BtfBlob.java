package dev.bpf4j.features;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.internal.sys.BtfCall;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Small BTF for probes, built type by type (ids count from 1 in the order types are added) and
 * encoded by the BTF writer: one kind each for the BTF-kind probes, and a function type for the
 * programs an EXT probe replaces.
 */
final class BtfBlob {
    private final List<BtfType> types = new ArrayList<>(List.of(new BtfType.Void()));

    /** Adds the type made for the next id; returns that id. */
    int add(IntFunction<BtfType> type) {
        int id = types.size();
        types.add(type.apply(id));
        return id;
    }

    /** {@code int}: 4 bytes, signed, 32 bits. */
    int addInt() {
        return add(id -> new BtfType.Int(id, "int", 4, BtfType.Int.SIGNED, 0, 32));
    }

    /** {@code int name(void)}: a prototype and a global function; returns the function's id. */
    int addFunc(String name) {
        int intId = addInt();
        int proto = add(id -> new BtfType.FuncProto(id, "", intId, List.of()));
        return add(id -> new BtfType.Func(id, name, proto, BtfType.Linkage.GLOBAL));
    }

    /** BPF_BTF_LOAD of these types: the new BTF object's fd, or -errno. */
    int tryLoad() {
        return BtfCall.tryLoad(Btf.of(types, ByteOrder.nativeOrder()).encode(ByteOrder.nativeOrder()), null);
    }
}
