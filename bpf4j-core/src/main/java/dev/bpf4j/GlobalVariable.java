package dev.bpf4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A global variable of a loaded object, read and written live: {@code .data} and {@code .bss}
 * variables through the memory-mapped data map (programs see writes at once), {@code .rodata}
 * ones read from the frozen map (set them before load with {@link LoadOptions.Builder#variable}).
 * Values use native byte order.
 */
public final class GlobalVariable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    private final ObjectSpec.VariableDef def;
    private final BpfMap map;

    GlobalVariable(ObjectSpec.VariableDef def, BpfMap map) {
        this.def = def;
        this.map = map;
    }

    public String name() {
        return def.name();
    }

    /** The data section it lives in, such as {@code .data}. */
    public String section() {
        return def.section();
    }

    /** Its offset in the section. */
    public int offset() {
        return def.offset();
    }

    public int size() {
        return def.size();
    }

    /** True for {@code .rodata} variables: fixed once loaded. */
    public boolean readOnly() {
        return def.readOnly();
    }

    /** The map holding the variable's section. */
    public BpfMap map() {
        return map;
    }

    /** The current bytes. */
    public byte[] get() {
        if (!def.readOnly()) {
            return live().toArray(ValueLayout.JAVA_BYTE);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(4);
            MemorySegment value = arena.allocate(map.valueBufferSize(), 8);
            if (!map.lookup(key, value)) {
                throw new BpfException("variable '" + name() + "': map '" + map.name() + "' has no element 0");
            }
            return value.asSlice(def.offset(), def.size()).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Replaces the bytes (exactly {@link #size()} of them). */
    public void set(byte[] value) {
        if (value.length != def.size()) {
            throw new BpfException("variable '" + name() + "' is " + def.size() + " bytes, got " + value.length);
        }
        MemorySegment.copy(value, 0, live(), ValueLayout.JAVA_BYTE, 0, value.length);
    }

    public int getInt() {
        requireSize(4);
        return MemorySegment.ofArray(get()).get(INT, 0);
    }

    public void setInt(int value) {
        requireSize(4);
        live().set(INT, 0, value);
    }

    public long getLong() {
        requireSize(8);
        return MemorySegment.ofArray(get()).get(LONG, 0);
    }

    public void setLong(long value) {
        requireSize(8);
        live().set(LONG, 0, value);
    }

    private void requireSize(int size) {
        if (def.size() != size) {
            throw new BpfException("variable '" + name() + "' is " + def.size() + " bytes, not " + size);
        }
    }

    /** The variable's bytes in the mapped map value. */
    private MemorySegment live() {
        if (def.readOnly()) {
            throw new BpfException("variable '" + name() + "' is in " + def.section() + ", frozen after load; set it"
                    + " before load with LoadOptions.Builder.variable");
        }
        return map.mmap().asSlice(def.offset(), def.size());
    }

    @Override
    public String toString() {
        return "GlobalVariable[" + name() + ", " + section() + "+" + offset() + ", " + size() + " bytes]";
    }
}
