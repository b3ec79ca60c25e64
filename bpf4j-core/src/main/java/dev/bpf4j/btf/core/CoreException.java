package dev.bpf4j.btf.core;

import dev.bpf4j.BpfException;

/**
 * A CO-RE relocation that cannot be applied: a malformed access string, candidates that disagree
 * (ambiguity), or an instruction that does not hold what the relocation expects.
 */
public final class CoreException extends BpfException {
    private static final long serialVersionUID = 1L;

    public CoreException(String message) {
        super(message);
    }
}
