package dev.bpf4j.btf.core;

import dev.bpf4j.BpfFormatException;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.CoreReloKind;

import java.util.ArrayList;
import java.util.List;

/**
 * A CO-RE access spec resolved against one BTF: the root type, the steps of the access string
 * ({@code 0:3:1}: element 0 of the root, member 3, member 1) and the bit offset they reach.
 * Named members and array elements are "accessors", which is what matching carries over to the
 * target; anonymous struct/union members in between are only in the raw steps, so a field is
 * still found when the target nests it differently.
 */
final class CoreSpec {
    /** Longest access string accepted (libbpf's limit too). */
    static final int MAX_LENGTH = 64;

    /**
     * One accessor: a named member ({@code name} set, {@code typeId} the struct holding it) or an
     * array element / the root ({@code name} null, {@code typeId} the element type).
     */
    record Accessor(int typeId, int index, String name) {
    }

    final Btf btf;
    final int rootId;
    final CoreReloKind kind;
    final List<Accessor> accessors = new ArrayList<>();
    final List<Integer> raw = new ArrayList<>();
    long bitOffset;

    CoreSpec(Btf btf, int rootId, CoreReloKind kind) {
        this.btf = btf;
        this.rootId = rootId;
        this.kind = kind;
    }

    static boolean isFieldBased(CoreReloKind k) {
        return k.ordinal() <= CoreReloKind.FIELD_RSHIFT_U64.ordinal();
    }

    static boolean isTypeBased(CoreReloKind k) {
        return switch (k) {
            case TYPE_ID_LOCAL, TYPE_ID_TARGET, TYPE_EXISTS, TYPE_SIZE, TYPE_MATCHES -> true;
            default -> false;
        };
    }

    static boolean isEnumValueBased(CoreReloKind k) {
        return k == CoreReloKind.ENUMVAL_EXISTS || k == CoreReloKind.ENUMVAL_VALUE;
    }

    /** Parses {@code access} against the local BTF; {@code where} starts error messages. */
    static CoreSpec parse(Btf btf, int typeId, String access, CoreReloKind kind, String where) {
        CoreSpec spec = new CoreSpec(btf, typeId, kind);
        if (isTypeBased(kind)) {
            if (!access.equals("0")) {
                throw new CoreException(where + ": type relocation " + kind + " has access string '" + access
                        + "', expected '0'");
            }
            return spec;
        }
        if (access.isEmpty() || !access.matches("\\d+(:\\d+)*")) {
            throw new CoreException(where + ": malformed access string '" + access + "'");
        }
        String[] parts = access.split(":");
        if (parts.length > MAX_LENGTH) {
            throw new CoreException(where + ": access string has " + parts.length + " steps, more than " + MAX_LENGTH);
        }
        int[] steps = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                steps[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                throw new CoreException(where + ": access index '" + parts[i] + "' is too large");
            }
        }
        try {
            return spec.parseSteps(steps, where);
        } catch (BpfFormatException e) {
            throw new CoreException(where + ": " + e.getMessage());
        }
    }

    private CoreSpec parseSteps(int[] steps, String where) {
        BtfType t = CoreTypes.skip(btf, rootId);
        int id = t.id();
        raw.add(steps[0]);
        if (isEnumValueBased(kind)) {
            if (!(t instanceof BtfType.Enum e) || steps.length > 1 || steps[0] >= e.values().size()) {
                throw new CoreException(where + ": enum value relocation needs an enum and one index within it, got "
                        + btf.describe(rootId) + " and '" + join(steps) + "'");
            }
            accessors.add(new Accessor(id, steps[0], e.values().get(steps[0]).name()));
            return this;
        }
        accessors.add(new Accessor(id, steps[0], null));
        bitOffset = (long) steps[0] * btf.sizeOf(id) * 8;
        for (int i = 1; i < steps.length; i++) {
            t = CoreTypes.skip(btf, id);
            id = t.id();
            int index = steps[i];
            raw.add(index);
            if (t instanceof BtfType.Struct s) {
                if (index >= s.members().size()) {
                    throw new CoreException(where + ": member index " + index + " past the " + s.members().size()
                            + " members of " + btf.describe(id));
                }
                BtfType.Member m = s.members().get(index);
                bitOffset += m.bitOffset();
                if (!m.name().isEmpty()) {
                    accessors.add(new Accessor(id, index, m.name()));
                }
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                BtfType element = CoreTypes.skip(btf, a.elementType());
                boolean flexible = isFlexible(btf, accessors.getLast(), a);
                if (!flexible && Integer.compareUnsigned(index, a.length()) >= 0) {
                    throw new CoreException(where + ": array index " + index + " past the " + a.length()
                            + " elements of " + btf.cName(t.id()));
                }
                id = element.id();
                accessors.add(new Accessor(id, index, null));
                bitOffset += (long) index * btf.sizeOf(id) * 8;
            } else {
                throw new CoreException(where + ": access step " + i + " ('" + join(steps) + "') reaches "
                        + btf.describe(id) + ", which has no members or elements");
            }
        }
        return this;
    }

    /** A zero-length array that is the last member of its struct (a C flexible array member). */
    static boolean isFlexible(Btf btf, Accessor holder, BtfType.Array a) {
        if (holder.name() == null || a.length() != 0) {
            return false;
        }
        return btf.type(holder.typeId()) instanceof BtfType.Struct s && holder.index() == s.members().size() - 1;
    }

    /** The access as C: {@code struct task_struct.thread_info.flags}, {@code struct s[1].a[2]}. */
    String path() {
        StringBuilder b = new StringBuilder(btf.cName(rootId));
        if (isTypeBased(kind)) {
            return b.toString();
        }
        if (isEnumValueBased(kind)) {
            return b.append("::").append(accessors.getFirst().name()).toString();
        }
        int id = rootId;
        for (int i = 0; i < raw.size(); i++) {
            int index = raw.get(i);
            if (i == 0) {
                if (index != 0) {
                    b.append('[').append(index).append(']');
                }
                continue;
            }
            BtfType t = CoreTypes.skip(btf, id);
            if (t instanceof BtfType.Struct s) {
                BtfType.Member m = s.members().get(index);
                b.append('.').append(m.name().isEmpty() ? "(anon)" : m.name());
                id = m.type();
            } else if (t instanceof BtfType.Array a) {
                b.append('[').append(index).append(']');
                id = a.elementType();
            }
        }
        return b.toString();
    }

    /** The raw steps joined as an access string. */
    String access() {
        StringBuilder b = new StringBuilder();
        for (int s : raw) {
            b.append(b.isEmpty() ? "" : ":").append(s);
        }
        return b.toString();
    }

    private static String join(int[] steps) {
        StringBuilder b = new StringBuilder();
        for (int s : steps) {
            b.append(b.isEmpty() ? "" : ":").append(s);
        }
        return b.toString();
    }
}
