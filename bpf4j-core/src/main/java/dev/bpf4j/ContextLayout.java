package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A context struct's layout as a kernel's BTF describes it: every field with its byte offset and
 * size, bitfields with their bit position and width. Members of anonymous structs and unions are
 * listed in place, at their absolute offsets; named nested structs stay one field.
 */
public record ContextLayout(String struct, long size, List<Field> fields) {

    public ContextLayout {
        fields = List.copyOf(fields);
    }

    /**
     * One field. {@code bits} is 0 for whole-byte fields; for bitfields, {@code offset} is the byte
     * holding the first bit and {@code bitOffset} the bit within it. {@code count} is the element
     * count of an array field, else 0.
     */
    public record Field(String name, String cType, long offset, long size, int bitOffset, int bits, long count) {
        public boolean isBitfield() {
            return bits > 0;
        }
    }

    /**
     * Which {@code pt_regs} fields carry function arguments 1-6 and the return value on an
     * architecture (the kernel's calling convention, as libbpf's PT_REGS_PARMn macros read it).
     */
    public record Registers(String arch, List<String> arguments, String returnValue) {
        /** The convention of {@code os.arch} (amd64/x86_64, aarch64, riscv64), or empty for others. */
        public static Optional<Registers> of(String osArch) {
            return switch (osArch.toLowerCase(Locale.ROOT)) {
                case "amd64", "x86_64" -> Optional.of(new Registers("x86-64",
                        List.of("di", "si", "dx", "cx", "r8", "r9"), "ax"));
                case "aarch64", "arm64" -> Optional.of(new Registers("aarch64",
                        List.of("regs[0]", "regs[1]", "regs[2]", "regs[3]", "regs[4]", "regs[5]"), "regs[0]"));
                case "riscv64" -> Optional.of(new Registers("riscv64",
                        List.of("a0", "a1", "a2", "a3", "a4", "a5"), "a0"));
                default -> Optional.empty();
            };
        }

        /** The convention of the JVM's own architecture. */
        public static Optional<Registers> current() {
            return of(System.getProperty("os.arch", ""));
        }
    }

    /** The layout of {@code struct name} (or union) in {@code btf}; empty when the BTF has no such type. */
    public static Optional<ContextLayout> read(Btf btf, String name) {
        Optional<BtfType> type = btf.typeByName(name, BtfKind.STRUCT).or(() -> btf.typeByName(name, BtfKind.UNION));
        if (type.isEmpty()) {
            return Optional.empty();
        }
        BtfType.Struct s = (BtfType.Struct) type.get();
        List<Field> fields = new ArrayList<>();
        flatten(btf, s, 0, fields);
        return Optional.of(new ContextLayout(name, Integer.toUnsignedLong(s.size()), fields));
    }

    private static void flatten(Btf btf, BtfType.Struct s, long baseBits, List<Field> out) {
        for (BtfType.Member m : s.members()) {
            long bitPos = baseBits + Integer.toUnsignedLong(m.bitOffset());
            BtfType resolved = btf.resolve(m.type());
            if (m.name().isEmpty() && resolved instanceof BtfType.Struct inner) {
                flatten(btf, inner, bitPos, out); // anonymous struct or union: its members sit here
                continue;
            }
            long size = btf.sizeOf(m.type());
            long count = resolved instanceof BtfType.Array a ? Integer.toUnsignedLong(a.length()) : 0;
            if (m.bitfieldSize() > 0) {
                out.add(new Field(m.name(), btf.cName(m.type()), bitPos / 8, size, (int) (bitPos % 8),
                        m.bitfieldSize(), count));
            } else {
                out.add(new Field(m.name(), btf.cName(m.type()), bitPos / 8, size, 0, 0, count));
            }
        }
    }

    /** The field with this name. */
    public Optional<Field> field(String name) {
        return fields.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /**
     * The byte offset of a register written as a field name ({@code di}) or an array element
     * ({@code regs[3]}); empty when the struct has no such field.
     */
    public Optional<Long> offsetOf(String register) {
        int bracket = register.indexOf('[');
        if (bracket < 0) {
            return field(register).map(Field::offset);
        }
        int index = Integer.parseInt(register.substring(bracket + 1, register.length() - 1));
        return field(register.substring(0, bracket)).filter(f -> f.count() > index)
                .map(f -> f.offset() + index * (f.size() / f.count()));
    }
}
