package dev.bpf4j;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Ready-made {@link Codec}s: primitives in native byte order, fixed-size byte arrays and strings, raw
 * layouts, and records mapped onto a {@link GroupLayout} (a C struct) member by member.
 */
public final class Codecs {
    private Codecs() {
    }

    public static final Codec<Byte> INT8 = primitive(ValueLayout.JAVA_BYTE, MemorySegment::get, MemorySegment::set);
    public static final Codec<Short> INT16 = primitive(ValueLayout.JAVA_SHORT_UNALIGNED, MemorySegment::get,
            MemorySegment::set);
    public static final Codec<Integer> INT32 = primitive(ValueLayout.JAVA_INT_UNALIGNED, MemorySegment::get,
            MemorySegment::set);
    public static final Codec<Long> INT64 = primitive(ValueLayout.JAVA_LONG_UNALIGNED, MemorySegment::get,
            MemorySegment::set);
    public static final Codec<Float> FLOAT32 = primitive(ValueLayout.JAVA_FLOAT_UNALIGNED, MemorySegment::get,
            MemorySegment::set);
    public static final Codec<Double> FLOAT64 = primitive(ValueLayout.JAVA_DOUBLE_UNALIGNED, MemorySegment::get,
            MemorySegment::set);

    /** A C {@code __u32} as a Java long in 0..2^32-1 (values outside are refused). */
    public static final Codec<Long> UINT32 = new Codec<>() {
        @Override
        public int byteSize() {
            return 4;
        }

        @Override
        public void encode(Long value, MemorySegment target) {
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new BpfException("value " + value + " does not fit an unsigned 32-bit integer");
            }
            target.set(ValueLayout.JAVA_INT_UNALIGNED, 0, value.intValue());
        }

        @Override
        public Long decode(MemorySegment source) {
            return Integer.toUnsignedLong(source.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        }
    };

    private interface Getter<L, T> {
        T get(MemorySegment segment, L layout, long offset);
    }

    private interface Setter<L, T> {
        void set(MemorySegment segment, L layout, long offset, T value);
    }

    private static <L extends ValueLayout, T> Codec<T> primitive(L layout, Getter<L, T> getter, Setter<L, T> setter) {
        return new Codec<>() {
            @Override
            public int byteSize() {
                return (int) layout.byteSize();
            }

            @Override
            public void encode(T value, MemorySegment target) {
                setter.set(target, layout, 0, Objects.requireNonNull(value, "value"));
            }

            @Override
            public T decode(MemorySegment source) {
                return getter.get(source, layout, 0);
            }
        };
    }

    /** Exactly {@code size} bytes; encoding refuses arrays of another length. */
    public static Codec<byte[]> bytes(int size) {
        return new Codec<>() {
            @Override
            public int byteSize() {
                return size;
            }

            @Override
            public void encode(byte[] value, MemorySegment target) {
                if (value.length != size) {
                    throw new BpfException("byte array of " + value.length + " bytes given where " + size
                            + " are stored");
                }
                MemorySegment.copy(value, 0, target, ValueLayout.JAVA_BYTE, 0, size);
            }

            @Override
            public byte[] decode(MemorySegment source) {
                return source.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE);
            }
        };
    }

    /** A UTF-8 string in a {@code char[size]}: NUL-padded, at most {@code size - 1} bytes (longer is refused). */
    public static Codec<String> string(int size) {
        return new Codec<>() {
            @Override
            public int byteSize() {
                return size;
            }

            @Override
            public void encode(String value, MemorySegment target) {
                putString(value, target, 0, size);
            }

            @Override
            public String decode(MemorySegment source) {
                return getString(source, 0, size);
            }
        };
    }

    /** Raw bytes of a layout: decoding returns a fresh heap copy, encoding copies the given segment. */
    public static Codec<MemorySegment> layout(MemoryLayout layout) {
        int size = Math.toIntExact(layout.byteSize());
        return new Codec<>() {
            @Override
            public int byteSize() {
                return size;
            }

            @Override
            public void encode(MemorySegment value, MemorySegment target) {
                if (value.byteSize() != size) {
                    throw new BpfException("segment of " + value.byteSize() + " bytes given for layout " + layout);
                }
                MemorySegment.copy(value, 0, target, 0, size);
            }

            @Override
            public MemorySegment decode(MemorySegment source) {
                return MemorySegment.ofArray(source.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE));
            }
        };
    }

    /**
     * A record stored as a C struct: each record component is the struct member of the same name in
     * {@code layout}. Members may be primitive value layouts of the component's type, byte sequences
     * (as {@code byte[]} or, NUL-padded, {@code String}), or nested structs (as nested records). Padding
     * and members without a component are written as zero. The record must be public (or its package
     * open to this module).
     */
    public static <R extends Record> Codec<R> record(Class<R> type, GroupLayout layout) {
        return new RecordCodec<>(type, layout);
    }

    private static void putString(String value, MemorySegment target, long offset, int size) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= size) {
            throw new BpfException("string '" + value + "' needs " + (bytes.length + 1) + " bytes with its NUL, "
                    + size + " are stored");
        }
        MemorySegment.copy(bytes, 0, target, ValueLayout.JAVA_BYTE, offset, bytes.length);
        target.asSlice(offset + bytes.length, size - bytes.length).fill((byte) 0);
    }

    private static String getString(MemorySegment source, long offset, int size) {
        byte[] bytes = source.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < size && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** One record component bound to one struct member. */
    private record Field(Method accessor, Class<?> javaType, MemoryLayout member, long offset, Codec<?> nested) {
        Object read(MemorySegment s) {
            if (nested != null) {
                return nested.decode(s.asSlice(offset, member.byteSize()));
            }
            if (member instanceof SequenceLayout) {
                int size = (int) member.byteSize();
                return javaType == String.class ? getString(s, offset, size)
                        : s.asSlice(offset, size).toArray(ValueLayout.JAVA_BYTE);
            }
            ValueLayout v = ((ValueLayout) member).withByteAlignment(1);
            return switch (v) {
                case ValueLayout.OfByte b -> s.get(b, offset);
                case ValueLayout.OfShort b -> s.get(b, offset);
                case ValueLayout.OfChar b -> s.get(b, offset);
                case ValueLayout.OfInt b -> s.get(b, offset);
                case ValueLayout.OfLong b -> s.get(b, offset);
                case ValueLayout.OfFloat b -> s.get(b, offset);
                case ValueLayout.OfDouble b -> s.get(b, offset);
                case ValueLayout.OfBoolean b -> s.get(b, offset);
                default -> throw new BpfException("unsupported member layout " + member);
            };
        }

        @SuppressWarnings({"unchecked", "rawtypes"})
        void write(MemorySegment s, Object value) {
            Objects.requireNonNull(value, () -> "record component " + accessor.getName() + " is null");
            if (nested != null) {
                ((Codec) nested).encode(value, s.asSlice(offset, member.byteSize()));
                return;
            }
            if (member instanceof SequenceLayout) {
                int size = (int) member.byteSize();
                if (value instanceof String str) {
                    putString(str, s, offset, size);
                } else {
                    byte[] bytes = (byte[]) value;
                    if (bytes.length != size) {
                        throw new BpfException("component " + accessor.getName() + " has " + bytes.length
                                + " bytes, its struct member " + size);
                    }
                    MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, offset, size);
                }
                return;
            }
            ValueLayout v = ((ValueLayout) member).withByteAlignment(1);
            switch (v) {
                case ValueLayout.OfByte b -> s.set(b, offset, (Byte) value);
                case ValueLayout.OfShort b -> s.set(b, offset, (Short) value);
                case ValueLayout.OfChar b -> s.set(b, offset, (Character) value);
                case ValueLayout.OfInt b -> s.set(b, offset, (Integer) value);
                case ValueLayout.OfLong b -> s.set(b, offset, (Long) value);
                case ValueLayout.OfFloat b -> s.set(b, offset, (Float) value);
                case ValueLayout.OfDouble b -> s.set(b, offset, (Double) value);
                case ValueLayout.OfBoolean b -> s.set(b, offset, (Boolean) value);
                default -> throw new BpfException("unsupported member layout " + member);
            }
        }
    }

    private static final class RecordCodec<R extends Record> implements Codec<R> {
        private final Class<R> type;
        private final int size;
        private final List<Field> fields = new ArrayList<>();
        private final Constructor<R> constructor;

        RecordCodec(Class<R> type, GroupLayout layout) {
            this.type = type;
            this.size = Math.toIntExact(layout.byteSize());
            RecordComponent[] components = type.getRecordComponents();
            for (RecordComponent c : components) {
                MemoryLayout member = layout.memberLayouts().stream()
                        .filter(m -> m.name().orElse("").equals(c.getName()))
                        .findFirst()
                        .orElseThrow(() -> new BpfException("record " + type.getSimpleName() + ": layout " + layout
                                + " has no member named '" + c.getName() + "'"));
                long offset = layout.byteOffset(MemoryLayout.PathElement.groupElement(c.getName()));
                fields.add(new Field(c.getAccessor(), c.getType(), member, offset, bind(type, c, member)));
            }
            try {
                constructor = type.getDeclaredConstructor(
                        Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
            } catch (NoSuchMethodException e) {
                throw new BpfException("record " + type.getName() + " has no canonical constructor", e);
            }
        }

        /** Checks that the member fits the component; returns a nested codec for struct members. */
        @SuppressWarnings({"unchecked", "rawtypes"})
        private static Codec<?> bind(Class<?> owner, RecordComponent c, MemoryLayout member) {
            Class<?> t = c.getType();
            String where = "record " + owner.getSimpleName() + " component " + c.getName();
            if (member instanceof GroupLayout group) {
                if (!t.isRecord()) {
                    throw new BpfException(where + ": struct member needs a record type, not " + t.getName());
                }
                return record((Class) t, group);
            }
            if (member instanceof SequenceLayout seq) {
                if ((t != byte[].class && t != String.class) || seq.elementLayout().byteSize() != 1) {
                    throw new BpfException(where + ": an array member maps to byte[] or String over bytes only");
                }
                return null;
            }
            if (member instanceof ValueLayout v && v.carrier() == t) {
                return null;
            }
            throw new BpfException(where + " (" + t.getName() + ") does not fit member layout " + member);
        }

        @Override
        public int byteSize() {
            return size;
        }

        @Override
        public void encode(R value, MemorySegment target) {
            target.asSlice(0, size).fill((byte) 0);
            for (Field f : fields) {
                f.write(target, invoke(f.accessor(), value));
            }
        }

        @Override
        public R decode(MemorySegment source) {
            Object[] args = new Object[fields.size()];
            for (int i = 0; i < args.length; i++) {
                args[i] = fields.get(i).read(source);
            }
            try {
                return constructor.newInstance(args);
            } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
                throw new BpfException("cannot construct record " + type.getName() + ": " + e, e);
            }
        }

        private Object invoke(Method accessor, R value) {
            try {
                return accessor.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new BpfException("cannot read record " + type.getName() + "." + accessor.getName() + ": " + e,
                        e);
            }
        }
    }
}
