package dev.bpf4j.btf;

import java.util.List;

/** Where a {@link Btf}'s types live: a decoded list, or an index over the raw records. */
interface TypeTable {
    /** Number of types including void and, for split BTF, the base's. */
    int count();

    /** Every type, by id: a view through {@link #get}, which tables that decode on demand keep. */
    default List<BtfType> list() {
        return new java.util.AbstractList<>() {
            @Override
            public BtfType get(int id) {
                java.util.Objects.checkIndex(id, count());
                return TypeTable.this.get(id);
            }

            @Override
            public int size() {
                return count();
            }
        };
    }

    /** The type with this id (in range). */
    BtfType get(int id);

    /** The kind of the type with this id (in range); a table of raw records reads it without decoding the type. */
    default BtfKind kind(int id) {
        return get(id).kind();
    }

    /** The linkage of a FUNC or VAR (null for other kinds); a table of raw records reads it without decoding the type. */
    default BtfType.Linkage linkage(int id) {
        return switch (get(id)) {
            case BtfType.Func f -> f.linkage();
            case BtfType.Var v -> v.linkage();
            default -> null;
        };
    }

    /** Ids of the types of this kind, ascending, void left out. Callers do not change the array. */
    default int[] idsOfKind(BtfKind kind) {
        int[] ids = new int[8];
        int n = 0;
        for (int id = 1; id < count(); id++) {
            if (kind(id) == kind) {
                if (n == ids.length) {
                    ids = java.util.Arrays.copyOf(ids, n * 2);
                }
                ids[n++] = id;
            }
        }
        return java.util.Arrays.copyOf(ids, n);
    }

    /** The first type with this name and kind, or null. */
    default BtfType first(String name, BtfKind kind) {
        for (BtfType t : named(name)) {
            if (t.kind() == kind) {
                return t;
            }
        }
        return null;
    }

    /** Types whose name is {@code name}, in id order. */
    List<BtfType> named(String name);

    /** Types whose name without its {@code ___flavour} suffix equals {@code essentialName}, in id order. */
    List<BtfType> essentiallyNamed(String essentialName);
}
