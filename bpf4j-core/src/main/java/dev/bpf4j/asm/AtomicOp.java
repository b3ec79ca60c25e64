package dev.bpf4j.asm;

/** Atomic operations, selected by the immediate of an STX|ATOMIC instruction. */
public enum AtomicOp {
    ADD(0x00), OR(0x40), AND(0x50), XOR(0xa0),
    FETCH_ADD(0x01), FETCH_OR(0x41), FETCH_AND(0x51), FETCH_XOR(0xa1),
    /** Exchange: src gets the old value. */
    XCHG(0xe1),
    /** Compare with r0 and exchange: r0 gets the old value. */
    CMPXCHG(0xf1),
    /** dst = load-acquire of src+off (kernel 6.15+). */
    LOAD_ACQ(0x100),
    /** store-release of src to dst+off (kernel 6.15+). */
    STORE_REL(0x110);

    /** The bit that makes an arithmetic atomic return the old value. */
    public static final int FETCH = 0x01;

    private final int imm;

    AtomicOp(int imm) {
        this.imm = imm;
    }

    /** The instruction's immediate. */
    public int imm() {
        return imm;
    }

    /** The operation for an immediate, or null if unknown. */
    public static AtomicOp ofImm(int imm) {
        for (AtomicOp op : values()) {
            if (op.imm == imm) {
                return op;
            }
        }
        return null;
    }
}
