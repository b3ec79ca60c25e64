package dev.bpf4j.elf;

/**
 * One relocation entry ({@code Elf64_Rel}, or {@code Elf64_Rela} with an addend).
 *
 * @param offset      {@code r_offset}: byte offset in the target section
 * @param symbolIndex {@code r_info >> 32}, checked against the symbol table
 * @param type        {@code r_info & 0xffffffff}, such as {@link #R_BPF_64_64}
 * @param addend      the explicit addend for SHT_RELA, 0 for SHT_REL
 */
public record ElfRelocation(long offset, int symbolIndex, int type, long addend) {
    public static final int R_BPF_NONE = 0;
    public static final int R_BPF_64_64 = 1;
    public static final int R_BPF_64_ABS64 = 2;
    public static final int R_BPF_64_ABS32 = 3;
    public static final int R_BPF_64_NODYLD32 = 4;
    public static final int R_BPF_64_32 = 10;
}
