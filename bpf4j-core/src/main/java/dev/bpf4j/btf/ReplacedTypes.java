package dev.bpf4j.btf;

import java.util.List;
import java.util.Map;

/**
 * Another table's types with a few of them replaced, each by a type of the same id, kind and name
 * (a loader's fixes: DATASEC sizes and offsets, VAR linkage). The rest are the other table's, still
 * decoded only when asked for, and encoding patches just the replaced records ({@link BtfWriter#patch}).
 */
final class ReplacedTypes implements TypeTable {
    private final TypeTable under;
    private final Map<Integer, BtfType> replaced;
    private final int[] ids; // the replaced ids, ascending

    ReplacedTypes(TypeTable under, Map<Integer, BtfType> replaced) {
        this.under = under;
        this.replaced = replaced;
        int[] keys = new int[replaced.size()];
        int n = 0;
        for (int id : replaced.keySet()) {
            keys[n++] = id;
        }
        java.util.Arrays.sort(keys);
        this.ids = keys;
    }

    TypeTable under() {
        return under;
    }

    int[] replacedIds() {
        return ids.clone();
    }

    @Override
    public int count() {
        return under.count();
    }

    @Override
    public BtfType get(int id) {
        BtfType t = replaced.get(id);
        return t != null ? t : under.get(id);
    }

    @Override
    public BtfKind kind(int id) {
        return under.kind(id); // replacements keep the kind
    }

    @Override
    public int[] idsOfKind(BtfKind kind) {
        return under.idsOfKind(kind); // replacements keep the kind
    }

    @Override
    public BtfType first(String name, BtfKind kind) {
        BtfType t = under.first(name, kind);
        return t == null ? null : get(t.id());
    }

    @Override
    public List<BtfType> named(String name) {
        return under.named(name).stream().map(t -> get(t.id())).toList();
    }

    @Override
    public List<BtfType> essentiallyNamed(String essentialName) {
        return under.essentiallyNamed(essentialName).stream().map(t -> get(t.id())).toList();
    }
}
