package dev.bpf4j.btf;

/** What a CO-RE relocation asks for, numbered as the kernel's {@code enum bpf_core_relo_kind}. */
public enum CoreReloKind {
    FIELD_BYTE_OFFSET, FIELD_BYTE_SIZE, FIELD_EXISTS, FIELD_SIGNED, FIELD_LSHIFT_U64, FIELD_RSHIFT_U64,
    TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, ENUMVAL_EXISTS, ENUMVAL_VALUE, TYPE_MATCHES;

    /** The kind for a number, or null if unknown. */
    public static CoreReloKind ofValue(int value) {
        return value >= 0 && value < values().length ? values()[value] : null;
    }
}
