package dev.bpf4j.btf.core;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** Builds a small BTF by hand: each add returns the new type's id. */
final class TypeList {
    private final List<BtfType> types = new ArrayList<>(List.of(new BtfType.Void()));

    int add(IntFunction<BtfType> make) {
        int id = types.size();
        types.add(make.apply(id));
        return id;
    }

    int integer(String name, int size, boolean signed) {
        return add(id -> new BtfType.Int(id, name, size, signed ? BtfType.Int.SIGNED : 0, 0, size * 8));
    }

    /** Members as name, type, bit offset triples; bitfield sizes 0. */
    int struct(String name, int size, Object... members) {
        List<BtfType.Member> list = new ArrayList<>();
        for (int i = 0; i < members.length; i += 3) {
            list.add(new BtfType.Member((String) members[i], (Integer) members[i + 1], (Integer) members[i + 2], 0));
        }
        return add(id -> new BtfType.Struct(id, name, false, size, false, list));
    }

    Btf build() {
        return Btf.of(types);
    }
}
