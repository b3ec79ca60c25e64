package dev.bpf4j.btf.core;

import dev.bpf4j.asm.Instructions;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Instructions after CO-RE relocation and what each relocation resolved to. Poisoned
 * instructions have the same slot count as before, so jumps and later relocations keep their
 * positions.
 */
public record CoreResult(Instructions instructions, List<CoreResolution> relocations) {
    private static final Pattern POISON_LINE = Pattern.compile(
            "(?m)^(\\d+): \\(85\\) call [^\\n]*#" + CoreRelocator.POISON_HELPER + "\\b");

    public CoreResult {
        relocations = List.copyOf(relocations);
    }

    /** The relocations that left a poisoned instruction. */
    public List<CoreResolution> poisoned() {
        return relocations.stream().filter(CoreResolution::poisoned).toList();
    }

    /**
     * If a verifier log shows it reached a poisoned instruction, a sentence naming the slot, the
     * relocation kind and the type and field path that did not resolve.
     */
    public Optional<String> explain(String verifierLog) {
        if (verifierLog == null) {
            return Optional.empty();
        }
        Matcher m = POISON_LINE.matcher(verifierLog);
        int slot = -1;
        while (m.find()) {
            slot = Integer.parseInt(m.group(1));
        }
        if (slot < 0) {
            return Optional.empty();
        }
        int at = slot;
        return relocations.stream().filter(r -> r.poisoned() && (r.slot() == at || r.slot() + 1 == at)).findFirst()
                .map(r -> "instruction " + at + " was poisoned because a CO-RE relocation did not resolve on the "
                        + "target kernel: " + r.kind() + " of " + r.local() + " (access " + r.access() + "): "
                        + r.note() + "; guard the access with bpf_core_field_exists()/bpf_core_type_exists()");
    }
}
