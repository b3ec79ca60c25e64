package dev.bpf4j.btf.core;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.btf.CoreReloKind;

/** Carries a local access spec over to one candidate target type: the target spec, or null if it does not fit. */
final class CoreMatcher {
    private CoreMatcher() {
    }

    static CoreSpec match(CoreSpec local, Btf target, int candidateId) {
        CoreSpec spec = new CoreSpec(target, candidateId, local.kind);
        if (CoreSpec.isTypeBased(local.kind)) {
            boolean ok = local.kind == CoreReloKind.TYPE_MATCHES
                    ? CoreTypes.typesMatch(local.btf, local.rootId, target, candidateId, false, CoreTypes.MAX_DEPTH)
                    : CoreTypes.typesCompatible(local.btf, local.rootId, target, candidateId, CoreTypes.MAX_DEPTH);
            return ok ? spec : null;
        }
        if (CoreSpec.isEnumValueBased(local.kind)) {
            BtfType t = CoreTypes.skip(target, candidateId);
            if (!(t instanceof BtfType.Enum e)) {
                return null;
            }
            String wanted = Btf.essentialName(local.accessors.getFirst().name());
            for (int i = 0; i < e.values().size(); i++) {
                String name = e.values().get(i).name();
                if (!name.isEmpty() && Btf.essentialName(name).equals(wanted)) {
                    spec.accessors.add(new CoreSpec.Accessor(t.id(), i, name));
                    spec.raw.add(i);
                    return spec;
                }
            }
            return null;
        }
        int targetId = candidateId;
        for (int i = 0; i < local.accessors.size(); i++) {
            CoreSpec.Accessor acc = local.accessors.get(i);
            BtfType t = CoreTypes.skip(target, targetId);
            targetId = t.id();
            if (acc.name() != null) {
                int next = matchMember(local, acc, target, targetId, spec);
                if (next < 0) {
                    return null;
                }
                targetId = next;
            } else {
                if (i > 0) {
                    if (!(t instanceof BtfType.Array a)) {
                        return null;
                    }
                    boolean flexible = CoreSpec.isFlexible(target, spec.accessors.getLast(), a);
                    if (!flexible && Integer.compareUnsigned(acc.index(), a.length()) >= 0) {
                        return null;
                    }
                    targetId = CoreTypes.skip(target, a.elementType()).id();
                }
                if (spec.raw.size() >= CoreSpec.MAX_LENGTH) {
                    return null;
                }
                spec.accessors.add(new CoreSpec.Accessor(targetId, acc.index(), null));
                spec.raw.add(acc.index());
                spec.bitOffset += (long) acc.index() * target.sizeOf(targetId) * 8;
            }
        }
        return spec;
    }

    /**
     * Finds the member named like {@code acc} in the target struct {@code targetId}, descending
     * into anonymous struct/union members; adds the steps to {@code spec} and returns the member's
     * type id, or -1 (a member of that name with an incompatible type also gives -1).
     */
    private static int matchMember(CoreSpec local, CoreSpec.Accessor acc, Btf target, int targetId, CoreSpec spec) {
        BtfType t = CoreTypes.skip(target, targetId);
        if (!(t instanceof BtfType.Struct s)) {
            return -1;
        }
        BtfType.Member localMember = ((BtfType.Struct) local.btf.type(acc.typeId())).members().get(acc.index());
        for (int i = 0; i < s.members().size(); i++) {
            BtfType.Member m = s.members().get(i);
            if (spec.raw.size() >= CoreSpec.MAX_LENGTH) {
                return -1;
            }
            spec.bitOffset += m.bitOffset();
            spec.raw.add(i);
            if (m.name().isEmpty()) {
                int found = matchMember(local, acc, target, m.type(), spec);
                if (found >= 0) {
                    return found;
                }
            } else if (m.name().equals(localMember.name())) {
                if (!CoreTypes.fieldsCompatible(local.btf, localMember.type(), target, m.type())) {
                    spec.bitOffset -= m.bitOffset();
                    spec.raw.removeLast();
                    return -1; // same name, other type: no match, and no further search here
                }
                spec.accessors.add(new CoreSpec.Accessor(t.id(), i, m.name()));
                return m.type();
            }
            spec.bitOffset -= m.bitOffset();
            spec.raw.removeLast();
        }
        return -1;
    }
}
