package dev.bpf4j.features;

import dev.bpf4j.ProgramType;

/**
 * What a probe program of one type is loaded with: expected attach type (-1 none), BTF attach
 * target, target program, load flags, and its own BTF function (for EXT and its target).
 * {@code problem} is non-empty when no target could be found, so the type cannot be probed.
 */
record ProbeTarget(ProgramType type, int expectedAttachType, int attachBtfId, int attachProgFd, int flags,
        int progBtfFd, int funcTypeId, String description, String problem) {

    static ProbeTarget plain(ProgramType type, int expectedAttachType, int flags, String description) {
        return new ProbeTarget(type, expectedAttachType, 0, 0, flags, 0, 0, description, "");
    }

    static ProbeTarget missing(ProgramType type, String problem) {
        return new ProbeTarget(type, -1, 0, 0, 0, 0, 0, "", problem);
    }

    boolean usable() {
        return problem.isEmpty();
    }
}
