package dev.bpf4j.btf.core;

import dev.bpf4j.BpfFormatException;
import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.asm.OpClass;
import dev.bpf4j.asm.Size;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt.CoreRelo;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.CoreReloKind;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies CO-RE relocations: for each record, parses its access string against the object's
 * (local) BTF, finds the target types with the same name (a {@code ___flavour} suffix dropped on
 * both sides) and a compatible kind, carries the access over to each, and patches the
 * instruction with the value the target gives: ALU immediates, load/store offsets (and their
 * access size when a field changed width), or 64-bit immediates. Every candidate that fits must
 * give the same value, else the relocation is ambiguous and fails. When nothing fits, existence
 * checks give 0 and everything else poisons the instruction (a call to helper
 * {@link #POISON_HELPER}): code behind a failed {@code bpf_core_field_exists()} is dead and the
 * verifier drops it; reachable poison is rejected, and {@link CoreResult#explain} names what was
 * missing.
 *
 * <p>An instance keeps the candidate lists per local type, so reuse one for all programs of an
 * object. Not thread-safe.
 */
public final class CoreRelocator {
    /** The helper id poisoned instructions call ("bad relo"): the verifier rejects it if reachable. */
    public static final int POISON_HELPER = 0xbad2310;

    private final Btf local;
    private final Btf target;
    private final Map<Integer, List<Integer>> candidates = new HashMap<>();

    public CoreRelocator(Btf local, Btf target) {
        this.local = local;
        this.target = target;
    }

    /** Relocates one program: see {@link #relocate(Instructions, List, String)}. */
    public static CoreResult relocate(Btf local, Instructions instructions, List<CoreRelo> relos, Btf target) {
        return new CoreRelocator(local, target).relocate(instructions, relos, "program");
    }

    /**
     * Relocates one program. Each record's {@code insnOffset} is a byte offset from the first of
     * {@code instructions} (subtract the program's offset in its ELF section). {@code program}
     * names it in errors.
     *
     * @throws CoreException for malformed records, ambiguity, or instructions that do not hold
     *                       the value the local BTF says they should
     */
    public CoreResult relocate(Instructions instructions, List<CoreRelo> relos, String program) {
        List<Instruction> patched = new ArrayList<>(instructions.list());
        List<Instruction[]> poison = new ArrayList<>();
        for (int i = 0; i < patched.size(); i++) {
            poison.add(null);
        }
        List<CoreResolution> resolutions = new ArrayList<>(relos.size());
        for (int r = 0; r < relos.size(); r++) {
            CoreRelo relo = relos.get(r);
            String where = program + ": CO-RE relocation #" + r + " (" + relo.kind() + ")";
            int index = instructionAt(instructions, relo.insnOffset(), where);
            where += " at instruction " + instructions.slotOf(index);
            Outcome o = resolve(relo, where);
            int slot = instructions.slotOf(index);
            boolean poisoned = o.poison;
            if (!poisoned) {
                Instruction next = patch(patched.get(index), o, where);
                if (next == null) {
                    poisoned = true;
                    o.note = "the field changed size from " + o.localSize + " to " + o.targetSize
                            + " bytes and is not an unsigned integer or pointer, so the load cannot be adjusted";
                } else {
                    patched.set(index, next);
                }
            }
            if (poisoned) {
                poison.set(index, poisonFor(patched.get(index)));
            }
            resolutions.add(new CoreResolution(r, index, slot, relo.kind(), o.localSpec.path(), o.localSpec.access(),
                    o.localValue, poisoned ? 0 : o.value, poisoned, o.targetSpec == null ? "" : describe(o.targetSpec),
                    o.note));
        }
        List<Instruction> out = new ArrayList<>(patched.size());
        for (int i = 0; i < patched.size(); i++) {
            if (poison.get(i) != null) {
                out.addAll(List.of(poison.get(i)));
            } else {
                out.add(patched.get(i));
            }
        }
        return new CoreResult(new Instructions(out), resolutions);
    }

    private static int instructionAt(Instructions insns, int byteOffset, String where) {
        if (byteOffset < 0 || byteOffset % Instructions.SLOT_SIZE != 0
                || byteOffset / Instructions.SLOT_SIZE >= insns.slotCount()) {
            throw new CoreException(where + ": instruction offset " + byteOffset + " is outside the program ("
                    + insns.slotCount() + " instructions) or not on an instruction boundary");
        }
        int index = insns.indexOfSlot(byteOffset / Instructions.SLOT_SIZE);
        if (index < 0) {
            throw new CoreException(where + ": instruction offset " + byteOffset
                    + " points into the second half of a 64-bit immediate load");
        }
        return index;
    }

    /** The computed values of one relocation. */
    private static final class Outcome {
        CoreSpec localSpec;
        CoreSpec targetSpec;
        long localValue;
        long value;
        int localSize;
        int targetSize;
        boolean validate = true;
        boolean poison;
        boolean failMemSize;
        String note = "";
    }

    private Outcome resolve(CoreRelo relo, String where) {
        int localId = relo.typeId();
        if (localId <= 0 || localId >= local.typeCount()) {
            throw new CoreException(where + ": local type id " + localId + " is out of range");
        }
        CoreSpec localSpec = CoreSpec.parse(local, localId, relo.accessString(), relo.kind(), where);
        if (relo.kind() == CoreReloKind.TYPE_ID_LOCAL) {
            Outcome o = new Outcome();
            o.localSpec = localSpec;
            o.localValue = localId;
            o.value = localId;
            o.validate = false; // type ids in instructions may be renumbered when objects are linked
            return o;
        }
        try {
            Outcome chosen = null;
            int matched = 0;
            List<Integer> cands = candidates(localId, where);
            List<Integer> matchedIds = new ArrayList<>();
            for (int id : cands) {
                CoreSpec targetSpec = CoreMatcher.match(localSpec, target, id);
                if (targetSpec == null) {
                    continue;
                }
                matchedIds.add(id);
                Outcome o = calc(relo.kind(), localSpec, targetSpec, where);
                if (chosen == null) {
                    chosen = o;
                } else if (targetSpec.bitOffset != chosen.targetSpec.bitOffset) {
                    throw new CoreException(where + ": " + localSpec.path() + " is ambiguous: target "
                            + describe(chosen.targetSpec) + " puts it at bit " + chosen.targetSpec.bitOffset + ", "
                            + describe(targetSpec) + " at bit " + targetSpec.bitOffset);
                } else if (o.poison != chosen.poison || o.value != chosen.value) {
                    throw new CoreException(where + ": " + localSpec.path() + " is ambiguous: target "
                            + describe(chosen.targetSpec) + " gives " + chosen.value + ", " + describe(targetSpec)
                            + " gives " + o.value);
                }
                matched++;
            }
            if (chosen == null) {
                chosen = calc(relo.kind(), localSpec, null, where);
                chosen.note = cands.isEmpty()
                        ? "no " + local.type(localId).kind() + " named '" + Btf.essentialName(local.type(localId).name())
                        + "' in the target BTF"
                        : "not found in " + (cands.size() == 1 ? "the candidate " + target.cName(cands.getFirst())
                        : "any of " + cands.size() + " candidates");
            } else {
                if (matched > 1) {
                    chosen.note = matched + " candidates agree";
                }
                // As libbpf does: later relocations of this root type only consider the candidates
                // that matched here (a miss, as under a field-exists guard, narrows nothing).
                candidates.put(localId, List.copyOf(matchedIds));
            }
            return chosen;
        } catch (BpfFormatException e) {
            throw new CoreException(where + ": " + e.getMessage());
        }
    }

    /**
     * Whether a local type can stand for a target type under CO-RE's compatibility rules (kinds
     * agree; pointers, arrays and function prototypes compared through what they refer to):
     * what typed ksyms and kfunc declarations must satisfy against the kernel's BTF.
     */
    public static boolean compatible(Btf local, int localId, Btf target, int targetId) {
        return CoreTypes.typesCompatible(local, localId, target, targetId, CoreTypes.MAX_DEPTH);
    }

    /** Target types named like the local type (flavours dropped) whose kind is compatible. */
    private List<Integer> candidates(int localId, String where) {
        List<Integer> cached = candidates.get(localId);
        if (cached != null) {
            return cached;
        }
        BtfType l = local.type(localId);
        if (l.name().isEmpty()) {
            throw new CoreException(where + ": relocation against anonymous " + l.kind() + " #" + localId
                    + " (CO-RE needs a named root type)");
        }
        List<Integer> ids = new ArrayList<>();
        for (BtfType t : target.typesByEssentialName(Btf.essentialName(l.name()))) {
            if (CoreTypes.kindsCompatible(l, t)) {
                ids.add(t.id());
            }
        }
        candidates.put(localId, List.copyOf(ids));
        return candidates.get(localId);
    }

    private Outcome calc(CoreReloKind kind, CoreSpec localSpec, CoreSpec targetSpec, String where) {
        Outcome o = new Outcome();
        o.localSpec = localSpec;
        o.targetSpec = targetSpec;
        if (CoreSpec.isFieldBased(kind)) {
            FieldValue l = field(kind, localSpec, where);
            FieldValue t = field(kind, targetSpec, where);
            o.localValue = l.value;
            o.validate = l.validate;
            if (t == null) {
                o.poison = true;
                return o;
            }
            o.value = t.value;
            o.localSize = l.size;
            o.targetSize = t.size;
            if (l.size != t.size) {
                BtfType lt = local.type(l.typeId);
                BtfType tt = target.type(t.typeId);
                boolean pointers = lt instanceof BtfType.Ptr && tt instanceof BtfType.Ptr;
                boolean unsigned = lt instanceof BtfType.Int li && tt instanceof BtfType.Int ti
                        && li.encoding() != BtfType.Int.SIGNED && ti.encoding() != BtfType.Int.SIGNED;
                o.failMemSize = !pointers && !unsigned;
            }
        } else if (CoreSpec.isTypeBased(kind)) {
            o.localValue = typeValue(kind, localSpec);
            o.value = typeValue(kind, targetSpec);
            o.validate = kind != CoreReloKind.TYPE_ID_TARGET;
        } else {
            o.localValue = enumValue(kind, localSpec);
            if (targetSpec == null && kind == CoreReloKind.ENUMVAL_VALUE) {
                o.poison = true;
            } else {
                o.value = enumValue(kind, targetSpec);
            }
        }
        return o;
    }

    /** A field relocation's value; {@code size}/{@code typeId} describe the accessed field for byte offsets. */
    private record FieldValue(long value, int size, int typeId, boolean validate) {
    }

    /** The value from one side, or null when the field is missing and the instruction must be poisoned. */
    private static FieldValue field(CoreReloKind kind, CoreSpec spec, String where) {
        if (kind == CoreReloKind.FIELD_EXISTS) {
            return new FieldValue(spec == null ? 0 : 1, 0, 0, true);
        }
        if (spec == null) {
            return null;
        }
        Btf btf = spec.btf;
        CoreSpec.Accessor acc = spec.accessors.getLast();
        if (acc.name() == null) { // an array element, or the root itself
            long size = btf.sizeOf(acc.typeId());
            return switch (kind) {
                case FIELD_BYTE_OFFSET -> new FieldValue(spec.bitOffset / 8, (int) size, acc.typeId(), true);
                case FIELD_BYTE_SIZE -> new FieldValue(size, 0, 0, true);
                default -> throw new CoreException(where + ": " + kind + " cannot be applied to an array element ("
                        + spec.path() + ")");
            };
        }
        BtfType.Member m = ((BtfType.Struct) btf.type(acc.typeId())).members().get(acc.index());
        BtfType mt = CoreTypes.skip(btf, m.type());
        long bitOffset = spec.bitOffset;
        long bitSize = m.bitfieldSize();
        boolean bitfield = bitSize > 0;
        long byteSize;
        long byteOffset;
        if (bitfield) {
            // the smallest aligned load (of at least the field type's size) that covers the bits
            byteSize = btf.sizeOf(mt.id());
            byteOffset = bitOffset / 8 / byteSize * byteSize;
            while (bitOffset + bitSize - byteOffset * 8 > byteSize * 8) {
                if (byteSize >= 8) {
                    throw new CoreException(where + ": bitfield " + spec.path() + " cannot be read with one 64-bit load");
                }
                byteSize *= 2;
                byteOffset = bitOffset / 8 / byteSize * byteSize;
            }
        } else {
            byteSize = btf.sizeOf(mt.id());
            byteOffset = bitOffset / 8;
            bitSize = byteSize * 8;
        }
        boolean validate = !bitfield; // compilers may pick another load for bitfields: only signedness and shifts are certain
        return switch (kind) {
            case FIELD_BYTE_OFFSET -> bitfield ? new FieldValue(byteOffset, 0, 0, false)
                    : new FieldValue(byteOffset, (int) byteSize, mt.id(), validate);
            case FIELD_BYTE_SIZE -> new FieldValue(byteSize, 0, 0, validate);
            case FIELD_SIGNED -> new FieldValue(isSigned(mt) ? 1 : 0, 0, 0, true);
            case FIELD_LSHIFT_U64 -> new FieldValue(btf.order() == ByteOrder.LITTLE_ENDIAN
                    ? 64 - (bitOffset + bitSize - byteOffset * 8)
                    : (8 - byteSize) * 8 + (bitOffset - byteOffset * 8), 0, 0, validate);
            case FIELD_RSHIFT_U64 -> new FieldValue(64 - bitSize, 0, 0, true);
            default -> throw new AssertionError(kind);
        };
    }

    private static boolean isSigned(BtfType t) {
        return t instanceof BtfType.Enum e && e.signed() || t instanceof BtfType.Int i && i.isSigned();
    }

    private static long typeValue(CoreReloKind kind, CoreSpec spec) {
        if (spec == null) {
            return 0;
        }
        return switch (kind) {
            case TYPE_ID_TARGET -> spec.rootId;
            case TYPE_EXISTS, TYPE_MATCHES -> 1;
            case TYPE_SIZE -> spec.btf.sizeOf(spec.rootId);
            default -> throw new AssertionError(kind);
        };
    }

    private static long enumValue(CoreReloKind kind, CoreSpec spec) {
        if (kind == CoreReloKind.ENUMVAL_EXISTS) {
            return spec == null ? 0 : 1;
        }
        CoreSpec.Accessor acc = spec.accessors.getFirst();
        BtfType.Enum e = (BtfType.Enum) spec.btf.type(acc.typeId());
        long v = e.values().get(acc.index()).value();
        return e.wide() ? v : (int) v; // 32-bit enumerators widen as signed, as libbpf does
    }

    /** The instruction with the target value, or null when it must be poisoned instead. */
    private static Instruction patch(Instruction insn, Outcome o, String where) {
        OpClass c = insn.opClass();
        switch (c) {
            case ALU, ALU64 -> {
                if ((insn.opcode() & 0x08) != 0) {
                    throw new CoreException(where + ": " + insn + " takes a register, not an immediate to relocate");
                }
                if (o.validate && (long) insn.imm32() != o.localValue) {
                    throw unexpected(where, insn, insn.imm32(), o);
                }
                return insn.withImm((int) o.value);
            }
            case LDX, ST, STX -> {
                if (o.validate && insn.offset() != o.localValue) {
                    throw unexpected(where, insn, insn.offset(), o);
                }
                if (o.value > Short.MAX_VALUE) {
                    throw new CoreException(where + ": offset " + o.value + " of " + o.localSpec.path()
                            + " does not fit the 16-bit offset of " + insn);
                }
                if (o.failMemSize) {
                    return null;
                }
                Instruction out = insn.withOffset((int) o.value);
                if (o.targetSize != o.localSize) {
                    int bytes = Size.of(insn.opcode()).bytes();
                    if (bytes != o.localSize) {
                        throw new CoreException(where + ": " + insn + " accesses " + bytes + " bytes, but "
                                + o.localSpec.path() + " has " + o.localSize);
                    }
                    Size size;
                    try {
                        size = Size.ofBytes(o.targetSize);
                    } catch (IllegalArgumentException e) {
                        throw new CoreException(where + ": " + o.localSpec.path() + " has " + o.targetSize
                                + " bytes in the target, no load or store has that size");
                    }
                    out = new Instruction((insn.opcode() & ~0x18) | size.bits(), out.dst(), out.src(), out.offset(),
                            out.imm(), out.reference());
                }
                return out;
            }
            case LD -> {
                if (!insn.isWide() || insn.src() != 0 || insn.offset() != 0) {
                    throw new CoreException(where + ": " + insn + " is not a plain 64-bit immediate load");
                }
                if (o.validate && insn.imm() != o.localValue) {
                    throw unexpected(where, insn, insn.imm(), o);
                }
                return insn.withImm(o.value);
            }
            default -> throw new CoreException(where + ": cannot relocate " + insn + " (opcode 0x"
                    + Integer.toHexString(insn.opcode()) + ")");
        }
    }

    private static CoreException unexpected(String where, Instruction insn, long held, Outcome o) {
        return new CoreException(where + ": " + insn + " holds " + held + " but the object's BTF gives "
                + o.localValue + " for " + o.localSpec.path() + " (the instruction and .BTF.ext disagree)");
    }

    /** A call to the invalid helper in every slot the instruction occupies. */
    private static Instruction[] poisonFor(Instruction insn) {
        Instruction call = new Instruction(0x85, 0, 0, 0, POISON_HELPER);
        return insn.isWide() ? new Instruction[] {call, call} : new Instruction[] {call};
    }

    private static String describe(CoreSpec spec) {
        return spec.rootId + " " + spec.path() + (CoreSpec.isTypeBased(spec.kind) ? "" : " (" + spec.access() + ")");
    }
}
