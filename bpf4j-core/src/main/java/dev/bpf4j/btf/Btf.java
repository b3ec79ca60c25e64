package dev.bpf4j.btf;

import dev.bpf4j.BpfFormatException;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parsed BTF: an immutable list of types (id 0 is void) and the string table. Every type id
 * mentioned by a type is checked at parse time; reference loops are found when they matter
 * ({@link #sizeOf}, {@link #resolve}, {@link #cName}) and reported as format errors.
 */
public final class Btf {
    private final TypeTable table;
    private final List<BtfType> types;
    private final BtfStrings strings;
    private final ByteOrder order;
    private final Btf base;
    private final Source source; // what an eagerly parsed BTF (and copies of it) came from, or null

    /**
     * The blob a BTF was parsed from, with where each type's record starts in it: a copy that
     * changes a few records is encoded by patching those records in a copy of the blob
     * ({@link BtfWriter#patch}), keeping every string offset and not re-encoding the rest.
     *
     * @param recordOffsets where the record of type id starts in the blob, at [id - 1]; the last
     *                      entry is where the type section ends
     */
    record Source(MemorySegment blob, int[] recordOffsets, TypeTable parsed) {
    }

    Btf(EagerTypes eager, BtfStrings strings, ByteOrder order, Source source) {
        this(eager, strings, order, null, source);
    }

    Btf(TypeTable table, BtfStrings strings, ByteOrder order, Btf base, Source source) {
        this.table = table;
        this.types = table.list();
        this.strings = strings;
        this.order = order;
        this.base = base;
        this.source = source;
    }

    /** Parses a standalone BTF blob (such as /sys/kernel/btf/vmlinux). */
    public static Btf parse(byte[] data) {
        return parse(data, 0, data.length, () -> "BTF");
    }

    /**
     * Parses BTF from {@code data}; errors start with {@code where} (for example
     * {@code "prog.o: section '.BTF' (#24)"}) and give offsets as {@code fileOffset + position}.
     */
    public static Btf parse(MemorySegment data, String where, long fileOffset) {
        return new BtfParser(new BtfInput(data, where, fileOffset)).parse();
    }

    /**
     * Parses the BTF blob of {@code length} bytes at {@code offset} in {@code file} (an object's
     * .BTF section, say), reading the array directly; {@code where} is asked for only to word an
     * error, whose offsets are file offsets. The whole blob is checked as by {@link #parse(byte[])},
     * but each type is decoded when first asked for (then kept): parsing an object needs only its
     * map definitions' types. The array must not change afterwards.
     */
    public static Btf parse(byte[] file, long offset, long length, java.util.function.Supplier<String> where) {
        return new BtfParser(new BtfInput(file, offset, length, where)).parseIndexed(null);
    }

    /**
     * BTF made of these types (index = id, the first being {@link BtfType.Void}); names are added to
     * the string table when encoded. For tools that build or rewrite BTF (loaders, probes).
     */
    public static Btf of(List<BtfType> types, ByteOrder order) {
        return new Btf(EagerTypes.copyOf(checkIds(types)), new BtfStrings(new byte[] {0}), order, (Source) null);
    }

    /** A copy with other types but this string table (strings the new types need are added on encode). */
    public Btf withTypes(List<BtfType> newTypes) {
        return new Btf(EagerTypes.copyOf(checkIds(newTypes)), strings, order, source);
    }

    /** The types of this kind, in id order; lazily parsed BTF decodes only those. */
    public List<BtfType> typesOfKind(BtfKind kind) {
        int[] ids = table.idsOfKind(kind);
        List<BtfType> found = new ArrayList<>(ids.length);
        for (int id : ids) {
            found.add(table.get(id));
        }
        return found;
    }

    /**
     * Whether some type of {@code kind} (FUNC or VAR) has {@code linkage}: parsed BTF answers from its
     * records, without decoding the types (a loader asks this of every object, which seldom has externs).
     */
    public boolean anyWithLinkage(BtfKind kind, BtfType.Linkage linkage) {
        for (int id : table.idsOfKind(kind)) {
            if (table.linkage(id) == linkage) {
                return true;
            }
        }
        return false;
    }

    TypeTable table() {
        return table;
    }

    private static List<BtfType> checkIds(List<BtfType> types) {
        if (types.isEmpty() || !(types.getFirst() instanceof BtfType.Void)) {
            throw new IllegalArgumentException("the first BTF type must be void (id 0)");
        }
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).id() != i) {
                throw new IllegalArgumentException("BTF type at index " + i + " has id " + types.get(i).id());
            }
        }
        return types;
    }

    /**
     * BTF made from a list of types (index = id, starting with {@link BtfType.Void}), encoded and
     * parsed back so that every check of {@link #parse} applies. For tests and for building a
     * target BTF by hand.
     */
    public static Btf of(List<BtfType> types) {
        return parse(of(types, ByteOrder.nativeOrder()).encode());
    }

    /**
     * Parses a standalone BTF blob lazily: the whole blob is checked as by {@link #parse(byte[])},
     * but types are decoded when first asked for and names are indexed on the first lookup. For
     * large BTF such as the kernel's, where a program needs a few hundred of 100k+ types.
     */
    public static Btf parseLazily(byte[] data, String where) {
        return new BtfParser(new BtfInput(data, 0, data.length, () -> where)).parseIndexed(null);
    }

    /**
     * Parses split BTF (a kernel module's, under /sys/kernel/btf/) on top of {@code base}: its
     * type ids continue after the base's last, its string offsets after the base's table.
     */
    public static Btf parseSplit(byte[] data, Btf base, String where) {
        return new BtfParser(new BtfInput(data, 0, data.length, () -> where)).parseIndexed(base);
    }

    /** The base BTF of split BTF. */
    public Optional<Btf> base() {
        return Optional.ofNullable(base);
    }

    /** The first id defined by this BTF itself: 1, or the base's type count for split BTF. */
    public int firstOwnId() {
        return base == null ? 1 : base.typeCount();
    }

    /** The blob this BTF (or the BTF it is a copy of) was parsed from, or null. */
    Source source() {
        return source;
    }

    /** The byte order the BTF was written in. */
    public ByteOrder order() {
        return order;
    }

    /** The string table. */
    public BtfStrings strings() {
        return strings;
    }

    /** The number of types including void (id 0); valid ids are 0 to typeCount() - 1. */
    public int typeCount() {
        return table.count();
    }

    /** All types, indexed by id (for lazily parsed BTF, each is decoded as it is read). */
    public List<BtfType> types() {
        return types;
    }

    /** The type with this id. */
    public BtfType type(int id) {
        requireId(id);
        return table.get(id);
    }

    /** Fails with a format error unless {@code id} names a type of this BTF (0, void, included). */
    void requireId(int id) {
        if (id < 0 || id >= table.count()) {
            throw new BpfFormatException("BTF: type id " + Integer.toUnsignedString(id) + " out of range (last is "
                    + (table.count() - 1) + ")");
        }
    }

    /** The kind of the type with this id (in range), which lazily parsed BTF reads without decoding the type. */
    BtfKind kind(int id) {
        return table.kind(id);
    }

    /** The first type with this name and kind. */
    public Optional<BtfType> typeByName(String name, BtfKind kind) {
        return name.isEmpty() ? Optional.empty() : Optional.ofNullable(table.first(name, kind));
    }

    /** Every type with this name, in id order. */
    public List<BtfType> typesByName(String name) {
        return name.isEmpty() ? List.of() : table.named(name);
    }

    /**
     * Every type whose name, without a {@code ___flavour} suffix, is {@code essentialName}, in id
     * order: the CO-RE candidates for a local type ({@code task_struct} finds {@code task_struct}
     * and {@code task_struct___v2}).
     */
    public List<BtfType> typesByEssentialName(String essentialName) {
        return essentialName.isEmpty() ? List.of() : table.essentiallyNamed(essentialName);
    }

    /** A name without its {@code ___flavour} suffix (the last {@code x___y} with x and y not '_'). */
    public static String essentialName(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int n = BtfStrings.essentialLength(b, 0, b.length);
        return n == b.length ? name : new String(b, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Follows typedefs, qualifiers and type tags to the underlying type. */
    public BtfType resolve(int id) {
        BtfType t = type(id);
        for (int steps = 0; ; steps++) {
            if (steps > table.count()) {
                throw loop(id);
            }
            switch (t) {
                case BtfType.Typedef d -> t = type(d.type());
                case BtfType.Qualifier q -> t = type(q.type());
                case BtfType.TypeTag g -> t = type(g.type());
                default -> {
                    return t;
                }
            }
        }
    }

    /**
     * The size in bytes of a type, following typedefs, qualifiers and variables; arrays multiply
     * out. Types without a size (void, functions, forward declarations) are format errors.
     */
    public long sizeOf(int id) {
        long factor = 1;
        int current = id;
        for (int steps = 0; ; steps++) {
            if (steps > table.count()) {
                throw loop(id);
            }
            BtfType t = type(current);
            long size;
            switch (t) {
                case BtfType.Int i -> size = i.size();
                case BtfType.Enum e -> size = e.size();
                case BtfType.Struct s -> size = Integer.toUnsignedLong(s.size());
                case BtfType.Datasec d -> size = Integer.toUnsignedLong(d.size());
                case BtfType.Float f -> size = f.size();
                case BtfType.Ptr p -> size = 8;
                case BtfType.Typedef d -> {
                    current = d.type();
                    continue;
                }
                case BtfType.Qualifier q -> {
                    current = q.type();
                    continue;
                }
                case BtfType.TypeTag g -> {
                    current = g.type();
                    continue;
                }
                case BtfType.Var v -> {
                    current = v.type();
                    continue;
                }
                case BtfType.Array a -> {
                    try {
                        factor = Math.multiplyExact(factor, Integer.toUnsignedLong(a.length()));
                    } catch (ArithmeticException e) {
                        throw new BpfFormatException("BTF: size of type #" + id + " overflows");
                    }
                    current = a.elementType();
                    continue;
                }
                default -> throw new BpfFormatException("BTF: type #" + id + " (" + describe(id)
                        + ") has no size: it reaches " + t.kind() + " #" + t.id());
            }
            try {
                return Math.multiplyExact(factor, size);
            } catch (ArithmeticException e) {
                throw new BpfFormatException("BTF: size of type #" + id + " overflows");
            }
        }
    }

    /** The C spelling of a type: {@code struct foo *}, {@code int[4]}, {@code int (*)(void *)}. */
    public String cName(int id) {
        return new CNames(this).name(id);
    }

    /** Kind and name, for messages: {@code STRUCT 'foo'}. */
    public String describe(int id) {
        BtfType t = type(id);
        return t.kind() + (t.name().isEmpty() ? "" : " '" + t.name() + "'");
    }

    /** Encodes in the original byte order; for BTF as clang writes it, the result equals the input. */
    public byte[] encode() {
        return encode(order);
    }

    /** Encodes in the given byte order (the kernel wants its own). */
    public byte[] encode(ByteOrder order) {
        if (base != null) {
            throw new IllegalStateException("split BTF is encoded together with its base; encoding it alone is not supported");
        }
        byte[] patched = BtfWriter.patch(this, order);
        return patched != null ? patched : new BtfWriter(this, order).write();
    }

    BpfFormatException loop(int id) {
        return new BpfFormatException("BTF: type #" + id + " is part of a reference loop");
    }

    /**
     * The first type id {@code t} refers to that is not below {@code count}, or -1 (like
     * {@link #references}, without arrays). Indexed loops and no id arrays: this runs for every
     * type of every parsed object.
     */
    static long firstReferenceNotBelow(BtfType t, int count) {
        switch (t) {
            case BtfType.Struct s -> {
                List<BtfType.Member> members = s.members();
                for (int i = 0; i < members.size(); i++) {
                    if (notBelow(members.get(i).type(), count)) {
                        return Integer.toUnsignedLong(members.get(i).type());
                    }
                }
                return -1;
            }
            case BtfType.FuncProto f -> {
                if (notBelow(f.returnType(), count)) {
                    return Integer.toUnsignedLong(f.returnType());
                }
                List<BtfType.Param> params = f.params();
                for (int i = 0; i < params.size(); i++) {
                    if (notBelow(params.get(i).type(), count)) {
                        return Integer.toUnsignedLong(params.get(i).type());
                    }
                }
                return -1;
            }
            case BtfType.Datasec d -> {
                List<BtfType.SecInfo> vars = d.vars();
                for (int i = 0; i < vars.size(); i++) {
                    if (notBelow(vars.get(i).type(), count)) {
                        return Integer.toUnsignedLong(vars.get(i).type());
                    }
                }
                return -1;
            }
            case BtfType.Array a -> {
                return notBelow(a.elementType(), count) ? Integer.toUnsignedLong(a.elementType())
                        : notBelow(a.indexType(), count) ? Integer.toUnsignedLong(a.indexType()) : -1;
            }
            default -> {
                int ref = singleReference(t);
                return notBelow(ref, count) ? Integer.toUnsignedLong(ref) : -1;
            }
        }
    }

    private static boolean notBelow(int id, int count) {
        return Integer.compareUnsigned(id, count) >= 0;
    }

    /** The one type id of a type that has at most one (0, void, for none). */
    private static int singleReference(BtfType t) {
        return switch (t) {
            case BtfType.Ptr p -> p.type();
            case BtfType.Typedef d -> d.type();
            case BtfType.Qualifier q -> q.type();
            case BtfType.TypeTag g -> g.type();
            case BtfType.Func f -> f.type();
            case BtfType.Var v -> v.type();
            case BtfType.DeclTag d -> d.type();
            default -> 0;
        };
    }

    /** The type ids a type refers to (void included as 0). */
    static int[] references(BtfType t) {
        return switch (t) {
            case BtfType.Ptr p -> new int[] {p.type()};
            case BtfType.Array a -> new int[] {a.elementType(), a.indexType()};
            case BtfType.Struct s -> s.members().stream().mapToInt(BtfType.Member::type).toArray();
            case BtfType.Typedef d -> new int[] {d.type()};
            case BtfType.Qualifier q -> new int[] {q.type()};
            case BtfType.TypeTag g -> new int[] {g.type()};
            case BtfType.Func f -> new int[] {f.type()};
            case BtfType.FuncProto f -> java.util.stream.IntStream.concat(java.util.stream.IntStream.of(f.returnType()),
                    f.params().stream().mapToInt(BtfType.Param::type)).toArray();
            case BtfType.Var v -> new int[] {v.type()};
            case BtfType.Datasec d -> d.vars().stream().mapToInt(BtfType.SecInfo::type).toArray();
            case BtfType.DeclTag d -> new int[] {d.type()};
            default -> new int[0];
        };
    }
}
