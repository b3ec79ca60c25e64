package dev.bpf4j.asm;

/** Access size of loads and stores: bits 3-4 of the opcode. */
public enum Size {
    W(0x00, 4), H(0x08, 2), B(0x10, 1), DW(0x18, 8);

    private final int bits;
    private final int bytes;

    Size(int bits, int bytes) {
        this.bits = bits;
        this.bytes = bytes;
    }

    public int bits() {
        return bits;
    }

    public int bytes() {
        return bytes;
    }

    public static Size of(int opcode) {
        return values()[(opcode >> 3) & 0x03];
    }

    /** The size of {@code bytes} (1, 2, 4 or 8). */
    public static Size ofBytes(int bytes) {
        return switch (bytes) {
            case 1 -> B;
            case 2 -> H;
            case 4 -> W;
            case 8 -> DW;
            default -> throw new IllegalArgumentException("no access size of " + bytes + " bytes (1, 2, 4, 8)");
        };
    }
}
