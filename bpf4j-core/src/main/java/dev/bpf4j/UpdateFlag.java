package dev.bpf4j;

/** The {@code flags} of a map update: whether the element must or must not exist, and spin-lock use. */
public enum UpdateFlag {
    /** Create or replace. */
    ANY(0),
    /** Create only: fails with EEXIST when the key is present. */
    NOEXIST(1),
    /** Replace only: fails with ENOENT when the key is absent. */
    EXIST(2),
    /** Take the value's {@code bpf_spin_lock} while copying (maps whose value has one). */
    LOCK(4);

    private final long value;

    UpdateFlag(long value) {
        this.value = value;
    }

    public long value() {
        return value;
    }
}
