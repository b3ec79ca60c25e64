package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.KernelBtf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code __kconfig} externs of an object (the variables of its {@code .kconfig} DATASEC):
 * their layout in the {@code .kconfig} map's single value, and that value filled in from the
 * kernel configuration and from the {@code LINUX_*} facts of the running kernel. Layout follows
 * libbpf (largest alignment first, then smallest size, then name), so loaders agree on offsets.
 */
public final class KconfigExterns {
    /** The C shapes a kconfig extern may have. */
    public enum Kind {
        /** {@code bool}: y = 1, n = 0. */
        BOOL,
        /** {@code enum libbpf_tristate}: y = 1, n = 0, m = 2. */
        TRISTATE,
        /** {@code char}: the letter y/n/m itself, or a small number. */
        CHAR,
        /** A 1/2/4/8-byte integer: decimal, hex ({@code 0x}) or octal values. */
        INT,
        /** {@code char[N]}: a quoted string, truncated to N - 1 bytes and NUL-terminated. */
        CHAR_ARRAY
    }

    /** One extern: where its value goes in the map value. */
    public record Extern(String name, Kind kind, int size, boolean signed, int offset, boolean weak) {
    }

    private final List<Extern> externs;
    private final int size;

    private KconfigExterns(List<Extern> externs, int size) {
        this.externs = List.copyOf(externs);
        this.size = size;
    }

    /**
     * The externs of {@code btf}'s {@code .kconfig} DATASEC (none if it has none). Weakness is an
     * ELF symbol property, so the caller names the weak ones.
     */
    public static KconfigExterns of(Btf btf, Set<String> weakNames) {
        BtfType.Datasec sec = (BtfType.Datasec) btf.typeByName(".kconfig", dev.bpf4j.btf.BtfKind.DATASEC).orElse(null);
        if (sec == null) {
            return new KconfigExterns(List.of(), 0);
        }
        List<Extern> unplaced = new ArrayList<>();
        for (BtfType.SecInfo v : sec.vars()) {
            if (!(btf.type(v.type()) instanceof BtfType.Var var)) {
                throw new BpfFormatException(".kconfig: entry type #" + v.type() + " is not a variable");
            }
            String name = var.name();
            if (!name.startsWith("CONFIG_") && !name.startsWith("LINUX_")) {
                throw new BpfFormatException(".kconfig: extern '" + name + "' is neither CONFIG_* nor LINUX_*");
            }
            BtfType t = btf.resolve(var.type());
            Kind kind = kindOf(btf, t);
            if (kind == null) {
                throw new BpfFormatException(".kconfig: extern '" + name + "' has type " + btf.cName(var.type())
                        + "; use bool, enum libbpf_tristate, char, char[N] or a 1/2/4/8-byte integer");
            }
            boolean signed = t instanceof BtfType.Int i && i.isSigned();
            unplaced.add(new Extern(name, kind, (int) btf.sizeOf(t.id()), signed, 0, weakNames.contains(name)));
        }
        unplaced.sort(Comparator.comparingInt((Extern e) -> -alignment(e)).thenComparingInt(Extern::size)
                .thenComparing(Extern::name));
        List<Extern> placed = new ArrayList<>();
        int offset = 0;
        for (Extern e : unplaced) {
            int align = alignment(e);
            offset = (offset + align - 1) / align * align;
            placed.add(new Extern(e.name(), e.kind(), e.size(), e.signed(), offset, e.weak()));
            offset += e.size();
        }
        return new KconfigExterns(placed, offset);
    }

    private static Kind kindOf(Btf btf, BtfType t) {
        return switch (t) {
            case BtfType.Int i when (i.encoding() & BtfType.Int.BOOL) != 0 -> i.size() == 1 ? Kind.BOOL : null;
            case BtfType.Int i when i.size() == 1 -> Kind.CHAR;
            case BtfType.Int i -> i.size() == 2 || i.size() == 4 || i.size() == 8 ? Kind.INT : null;
            case BtfType.Enum e -> e.name().equals("libbpf_tristate") && e.size() == 4 ? Kind.TRISTATE : null;
            case BtfType.Array a -> a.length() > 0 && kindOf(btf, btf.resolve(a.elementType())) == Kind.CHAR
                    ? Kind.CHAR_ARRAY : null;
            default -> null;
        };
    }

    private static int alignment(Extern e) {
        return switch (e.kind()) {
            case BOOL, CHAR, CHAR_ARRAY -> 1;
            case TRISTATE -> 4;
            case INT -> e.size();
        };
    }

    public List<Extern> externs() {
        return externs;
    }

    public Optional<Extern> extern(String name) {
        return externs.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Size of the map value (0 when there are no externs). */
    public int size() {
        return size;
    }

    /** The map value for the running kernel: its configuration and {@link #linuxValues()}. */
    public byte[] values() {
        boolean needConfig = externs.stream().anyMatch(e -> e.name().startsWith("CONFIG_"));
        KernelConfig config = needConfig ? KernelConfig.running() : KernelConfig.parse("", "(none needed)");
        return values(config, linuxValues());
    }

    /**
     * The map value from a configuration and {@code LINUX_*} values (native byte order). Unknown
     * weak externs stay zero; an unknown strong one is an error naming it and the config source.
     */
    public byte[] values(KernelConfig config, Map<String, Long> linux) {
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        for (Extern e : externs) {
            if (e.name().startsWith("LINUX_")) {
                Long v = linux.get(e.name());
                if (v == null) {
                    throw new BpfException(".kconfig: unknown Linux extern '" + e.name() + "' (known: "
                            + String.join(", ", linux.keySet()) + ")");
                }
                putNumber(out, e, v, Long.toString(v));
                continue;
            }
            Optional<String> raw = config.value(e.name());
            if (raw.isEmpty()) {
                if (e.weak()) {
                    continue;
                }
                throw new BpfException(".kconfig: " + e.name() + " is not set in " + config.source()
                        + " (declare it __weak to default to zero)");
            }
            put(out, e, raw.get(), config.source());
        }
        return out.array();
    }

    private static void put(ByteBuffer out, Extern e, String raw, String source) {
        String what = e.name() + "=" + raw + " (from " + source + ")";
        if (raw.equals("y") || raw.equals("n") || raw.equals("m")) {
            char c = raw.charAt(0);
            switch (e.kind()) {
                case BOOL -> {
                    if (c == 'm') {
                        throw new BpfException(".kconfig: " + what + ": a module value cannot be a bool; use enum libbpf_tristate");
                    }
                    out.put(e.offset(), (byte) (c == 'y' ? 1 : 0));
                }
                case TRISTATE -> out.putInt(e.offset(), c == 'y' ? 1 : c == 'm' ? 2 : 0);
                case CHAR -> out.put(e.offset(), (byte) c);
                default -> throw new BpfException(".kconfig: " + what + " is a tristate, but " + e.name() + " is " + e.kind());
            }
        } else if (raw.length() >= 2 && raw.startsWith("\"") && raw.endsWith("\"")) {
            if (e.kind() != Kind.CHAR_ARRAY) {
                throw new BpfException(".kconfig: " + what + " is a string, but " + e.name() + " is " + e.kind());
            }
            byte[] s = raw.substring(1, raw.length() - 1).getBytes(StandardCharsets.UTF_8);
            out.put(e.offset(), s, 0, Math.min(s.length, e.size() - 1)); // the rest stays NUL
        } else {
            long v;
            try {
                v = parseNumber(raw);
            } catch (NumberFormatException ex) {
                throw new BpfException(".kconfig: " + what + " is not a number, tristate or string");
            }
            if (e.kind() == Kind.BOOL && (v == 0 || v == 1)) {
                out.put(e.offset(), (byte) v); // as libbpf: 0 and 1 are fine for a bool
                return;
            }
            if (e.kind() != Kind.INT && e.kind() != Kind.CHAR) {
                throw new BpfException(".kconfig: " + what + " is a number, but " + e.name() + " is " + e.kind());
            }
            putNumber(out, e, v, what);
        }
    }

    private static long parseNumber(String raw) {
        if (raw.startsWith("0x") || raw.startsWith("0X")) {
            return Long.parseUnsignedLong(raw.substring(2), 16);
        }
        if (raw.startsWith("-")) {
            return Long.parseLong(raw);
        }
        if (raw.length() > 1 && raw.startsWith("0")) {
            return Long.parseUnsignedLong(raw.substring(1), 8);
        }
        return Long.parseUnsignedLong(raw);
    }

    private static void putNumber(ByteBuffer out, Extern e, long v, String what) {
        int bits = e.size() * 8;
        if (e.kind() == Kind.CHAR_ARRAY || e.kind() == Kind.TRISTATE) {
            throw new BpfException(".kconfig: " + what + ": " + e.name() + " is " + e.kind() + ", not a number");
        }
        boolean fits = bits == 64 || (e.signed() ? v >= -(1L << (bits - 1)) && v < (1L << (bits - 1)) : v >>> bits == 0);
        if (!fits) {
            throw new BpfException(".kconfig: " + what + " does not fit " + e.name() + " (" + e.size() + " bytes, "
                    + (e.signed() ? "signed" : "unsigned") + ")");
        }
        switch (e.size()) {
            case 1 -> out.put(e.offset(), (byte) v);
            case 2 -> out.putShort(e.offset(), (short) v);
            case 4 -> out.putInt(e.offset(), (int) v);
            default -> out.putLong(e.offset(), v);
        }
    }

    /**
     * The {@code LINUX_*} facts of the running kernel: {@code LINUX_KERNEL_VERSION} from the
     * release, {@code LINUX_HAS_BPF_COOKIE} (the kernel's {@code enum bpf_func_id} has
     * {@code BPF_FUNC_get_attach_cookie}), {@code LINUX_HAS_SYSCALL_WRAPPER} (kallsyms has the
     * architecture's {@code __<arch>_sys_bpf}; libbpf probes the same symbol with a kprobe).
     */
    public static Map<String, Long> linuxValues() {
        long cookie = KernelBtf.vmlinux().typesByName("bpf_func_id").stream()
                .anyMatch(t -> t instanceof BtfType.Enum e && e.values().stream()
                        .anyMatch(v -> v.name().equals("BPF_FUNC_get_attach_cookie"))) ? 1 : 0;
        return Map.of("LINUX_KERNEL_VERSION", (long) KernelConfig.runningKernelVersion(),
                "LINUX_HAS_BPF_COOKIE", cookie,
                "LINUX_HAS_SYSCALL_WRAPPER", Ksyms.address(syscallPrefix() + "sys_bpf").isPresent() ? 1L : 0L);
    }

    private static String syscallPrefix() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "__x64_";
            case "aarch64" -> "__arm64_";
            case "s390x" -> "__s390x_";
            case "riscv64" -> "__riscv_";
            case "ppc64le", "ppc64" -> "__powerpc_";
            default -> "__" + System.getProperty("os.arch") + "_";
        };
    }
}
