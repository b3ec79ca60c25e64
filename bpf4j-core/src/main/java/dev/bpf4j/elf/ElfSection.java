package dev.bpf4j.elf;

import java.lang.foreign.MemorySegment;

/**
 * One section header and a read-only view of its contents (empty for {@code SHT_NOBITS}).
 *
 * @param index   the section's number in the header table
 * @param type    {@code sh_type}, such as {@link #SHT_PROGBITS}
 * @param flags   {@code sh_flags}, such as {@link #SHF_EXECINSTR}
 * @param offset  file offset of the contents
 * @param size    {@code sh_size}; for NOBITS the size in memory, with no bytes in the file
 * @param link    {@code sh_link}: for relocations and symbols, the associated table
 * @param info    {@code sh_info}: for relocations, the section they apply to
 */
public record ElfSection(int index, String name, int type, long flags, long offset, long size,
                         int link, int info, long addralign, long entsize, MemorySegment contents) {
    public static final int SHT_NULL = 0;
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;

    /** True for sections holding instructions. */
    public boolean isExecutable() {
        return type == SHT_PROGBITS && (flags & SHF_EXECINSTR) != 0;
    }

    /** False for sections with no bytes in the file (SHT_NOBITS, SHT_NULL), whatever their offset and size say. */
    public static boolean hasFileContents(int type) {
        return type != SHT_NOBITS && type != SHT_NULL;
    }

    /** False for sections with no bytes in the file (SHT_NOBITS, SHT_NULL), whatever their offset and size say. */
    public boolean hasFileContents() {
        return hasFileContents(type);
    }

    /** True for relocation sections (SHT_REL or SHT_RELA). */
    public boolean isRelocations() {
        return type == SHT_REL || type == SHT_RELA;
    }

    /** The contents as a fresh array (zeros for NOBITS sections). */
    public byte[] bytes() {
        if (type == SHT_NOBITS) {
            if (size > Integer.MAX_VALUE - 8) {
                throw new dev.bpf4j.BpfFormatException(describe() + ": size " + size + " is too large");
            }
            return new byte[(int) size];
        }
        return contents.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** Names the section the way errors do: {@code section '.rel.text' (#5)}. */
    public String describe() {
        return "section '" + name + "' (#" + index + ")";
    }

    @Override
    public String toString() {
        return describe() + " type " + type + " offset 0x" + Long.toHexString(offset) + " size " + size;
    }
}
