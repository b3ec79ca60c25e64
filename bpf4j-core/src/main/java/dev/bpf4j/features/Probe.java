package dev.bpf4j.features;

import dev.bpf4j.internal.sys.Errno;

/**
 * One probe's answer: supported or not, and when not, the errno and a sentence saying why
 * (the verifier's words where it gave some).
 */
public record Probe(boolean supported, int errno, String detail) {

    static Probe yes() {
        return new Probe(true, 0, "");
    }

    static Probe yes(String detail) {
        return new Probe(true, 0, detail);
    }

    static Probe no(int errno, String detail) {
        return new Probe(false, errno, detail);
    }

    /** The errno's name ({@code EPERM}), or empty when there was none. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /** "yes", or "no (EPERM: ...)" for people. */
    public String describe() {
        if (supported) {
            return detail.isEmpty() ? "yes" : "yes (" + detail + ")";
        }
        String why = errno == 0 ? detail : errnoName() + (detail.isEmpty() ? "" : ": " + detail);
        return why.isEmpty() ? "no" : "no (" + why + ")";
    }
}
