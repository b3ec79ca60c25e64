package dev.bpf4j.btf.core;

import dev.bpf4j.btf.CoreReloKind;

/**
 * What one CO-RE relocation resolved to.
 *
 * @param index       the relocation's position in the list given to the relocator
 * @param instruction index of the patched instruction in the input
 * @param slot        its 8-byte slot (what the verifier log and bpftool number)
 * @param kind        what was asked
 * @param local       the local type and field path, as C: {@code struct task_struct.pid}
 * @param access      the access string: {@code 0:95}
 * @param localValue  what the compiler put in the instruction (from the object's BTF)
 * @param targetValue what the target BTF gives (what the instruction now holds, unless poisoned)
 * @param poisoned    true if the instruction was replaced by a call to an invalid helper
 *                    ({@link CoreRelocator#POISON_HELPER}): fine when it is unreachable
 * @param target      the target type and field path: {@code [114] struct task_struct.pid}, or
 *                    empty when nothing in the target matched
 * @param note        why it was poisoned or resolved to "absent", else empty
 */
public record CoreResolution(int index, int instruction, int slot, CoreReloKind kind, String local, String access,
                             long localValue, long targetValue, boolean poisoned, String target, String note) {

    /** True when the target BTF had a matching type/field/enumerator. */
    public boolean found() {
        return !target.isEmpty();
    }

    /** One line, for {@code object inspect} and logs. */
    @Override
    public String toString() {
        String result = poisoned ? "poisoned" : localValue == targetValue ? Long.toUnsignedString(targetValue)
                : Long.toUnsignedString(localValue) + " -> " + Long.toUnsignedString(targetValue);
        return "insn " + slot + ": " + kind + " " + local + " (" + access + ") = " + result
                + (target.isEmpty() ? "" : " [" + target + "]") + (note.isEmpty() ? "" : " (" + note + ")");
    }
}
