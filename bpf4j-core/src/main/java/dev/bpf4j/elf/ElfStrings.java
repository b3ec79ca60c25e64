package dev.bpf4j.elf;

import dev.bpf4j.internal.CStrings;

import java.lang.foreign.ValueLayout;

/**
 * An ELF string table copied out of the file once, so that each name is one scan and one
 * String: reading the file byte by byte through the bounds-checked input cost more than the rest
 * of the header parsing.
 */
final class ElfStrings {
    private final int section;
    private final byte[] bytes;

    /** The table at [offset, offset + size) of the file, which must lie inside it. */
    ElfStrings(ElfInput in, int section, long offset, long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw in.error("section #" + section, "string table of " + size + " bytes is too large", offset);
        }
        this.section = section;
        this.bytes = in.data().asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The index of the string table section. */
    int section() {
        return section;
    }

    /** The NUL-terminated string at {@code offset}; "" for an empty table, null when it has no NUL. */
    String at(int offset) {
        if (bytes.length == 0) {
            return "";
        }
        return CStrings.at(bytes, offset);
    }
}
