package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfSanitizer.Feature;
import dev.bpf4j.features.Probe;
import dev.bpf4j.features.Probes;
import dev.bpf4j.internal.sys.BtfCall;
import dev.bpf4j.internal.sys.Syscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/** BPF_BTF_LOAD of object BTF, and the probes that tell which BTF kinds this kernel knows. */
final class BtfLoad {
    private static final int LOG_SIZE = 1 << 20;
    private static volatile Set<Feature> supported;

    private BtfLoad() {
    }

    /** Loads {@code btf} in native byte order; returns the fd. A refusal is retried with a log for the message. */
    static int load(Btf btf, String what) {
        return load(btf.encode(ByteOrder.nativeOrder()), what);
    }

    /** Loads BTF already encoded in native byte order; returns the fd. */
    static int load(byte[] bytes, String what) {
        try (Arena arena = Arena.ofConfined()) {
            return load(arena, bytes, what);
        }
    }

    /** As {@link #load(byte[], String)}, the first request made in {@code memory} (an object load's scratch). */
    static int load(SegmentAllocator memory, byte[] bytes, String what) {
        int fd = BtfCall.tryLoad(memory, bytes, null);
        if (fd >= 0) {
            return fd;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment log = arena.allocate(LOG_SIZE);
            int again = BtfCall.tryLoad(bytes, log);
            if (again >= 0) {
                return again;
            }
            String text = log.getString(0).strip();
            throw Syscall.failure("BPF_BTF_LOAD of " + what + (text.isEmpty() ? ""
                    : " (kernel log: " + VerifierException.summaryOf(text) + ")"), -fd);
        }
    }

    /**
     * The BTF features this kernel accepts, probed once per process with the tiny BTF blobs of
     * {@link Probes} (the kind probes `bpf4j features` shows, and one for global functions).
     */
    static Set<Feature> supported() {
        Set<Feature> s = supported;
        if (s == null) {
            s = EnumSet.noneOf(Feature.class);
            for (Feature f : Feature.values()) {
                if (probe(f).supported()) {
                    s.add(f);
                }
            }
            supported = s = java.util.Collections.unmodifiableSet(s); // still an EnumSet underneath: set checks are bit tests
        }
        return s;
    }

    private static Probe probe(Feature f) {
        return switch (f) {
            case DATASEC -> Probes.btfKind(BtfKind.DATASEC); // its blob has a VAR too
            case FUNC -> Probes.btfKind(BtfKind.FUNC);
            case FUNC_GLOBAL -> Probes.btfGlobalFunction();
            case FLOAT -> Probes.btfKind(BtfKind.FLOAT);
            case DECL_TAG -> Probes.btfKind(BtfKind.DECL_TAG);
            case TYPE_TAG -> Probes.btfKind(BtfKind.TYPE_TAG);
            case ENUM64 -> Probes.btfKind(BtfKind.ENUM64);
        };
    }
}
