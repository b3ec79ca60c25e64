package dev.bpf4j.elf;

/**
 * One {@code Elf64_Sym}.
 *
 * @param index        position in the symbol table
 * @param sectionIndex {@code st_shndx}: the defining section, or a special value such as
 *                     {@link #SHN_UNDEF}, {@link #SHN_ABS}, {@link #SHN_COMMON}
 */
public record ElfSymbol(int index, String name, long value, long size, int binding, int type,
                        int visibility, int sectionIndex) {
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    public static final int STV_DEFAULT = 0;
    public static final int STV_INTERNAL = 1;
    public static final int STV_HIDDEN = 2;
    public static final int STV_PROTECTED = 3;

    public static final int SHN_UNDEF = 0;
    public static final int SHN_LORESERVE = 0xff00;
    public static final int SHN_ABS = 0xfff1;
    public static final int SHN_COMMON = 0xfff2;
    public static final int SHN_XINDEX = 0xffff;

    public boolean isLocal() {
        return binding == STB_LOCAL;
    }

    public boolean isGlobal() {
        return binding == STB_GLOBAL;
    }

    public boolean isWeak() {
        return binding == STB_WEAK;
    }

    public boolean isFunction() {
        return type == STT_FUNC;
    }

    public boolean isObject() {
        return type == STT_OBJECT;
    }

    public boolean isSection() {
        return type == STT_SECTION;
    }

    /** True when the symbol is defined in a regular section of this file. */
    public boolean isDefined() {
        return sectionIndex != SHN_UNDEF && sectionIndex < SHN_LORESERVE;
    }
}
