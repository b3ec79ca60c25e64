package dev.bpf4j.btf;

/** BTF type kinds, numbered as {@code BTF_KIND_*} in the kernel's {@code btf.h}. */
public enum BtfKind {
    VOID(0), INT(1), PTR(2), ARRAY(3), STRUCT(4), UNION(5), ENUM(6), FWD(7), TYPEDEF(8),
    VOLATILE(9), CONST(10), RESTRICT(11), FUNC(12), FUNC_PROTO(13), VAR(14), DATASEC(15),
    FLOAT(16), DECL_TAG(17), TYPE_TAG(18), ENUM64(19);

    private static final BtfKind[] BY_VALUE = values();

    private final int value;

    BtfKind(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The kind for a number, or null if this library does not know it. */
    public static BtfKind ofValue(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
