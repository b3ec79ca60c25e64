package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfSanitizer.Feature;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.internal.sys.BtfCall;
import dev.bpf4j.internal.sys.Sys;
import dev.bpf4j.internal.sys.Syscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.List;
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

    /** The BTF features this kernel accepts, probed once per process with tiny BTF blobs. */
    static Set<Feature> supported() {
        Set<Feature> s = supported;
        if (s == null) {
            s = EnumSet.noneOf(Feature.class);
            for (Feature f : Feature.values()) {
                if (accepts(probe(f))) {
                    s.add(f);
                }
            }
            supported = s = java.util.Collections.unmodifiableSet(s); // still an EnumSet underneath: set checks are bit tests
        }
        return s;
    }

    private static boolean accepts(Btf btf) {
        int fd = BtfCall.tryLoad(btf.encode(ByteOrder.nativeOrder()), null);
        if (fd >= 0) {
            Sys.close(fd);
            return true;
        }
        return false;
    }

    /** The smallest BTF using the feature; type 1 is always {@code int}. */
    static Btf probe(Feature f) {
        BtfType.Int i32 = new BtfType.Int(1, "int", 4, BtfType.Int.SIGNED, 0, 32);
        List<BtfType> types = switch (f) {
            case DATASEC -> List.of(new BtfType.Void(), i32,
                    new BtfType.Var(2, "x", 1, BtfType.Linkage.GLOBAL),
                    new BtfType.Datasec(3, ".data", 4, List.of(new BtfType.SecInfo(2, 0, 4))));
            case FUNC, FUNC_GLOBAL -> List.of(new BtfType.Void(), i32,
                    new BtfType.FuncProto(2, "", 1, List.of(new BtfType.Param("a", 1))),
                    new BtfType.Func(3, "f", 2, f == Feature.FUNC ? BtfType.Linkage.STATIC : BtfType.Linkage.GLOBAL));
            case FLOAT -> List.of(new BtfType.Void(), i32, new BtfType.Float(2, "float", 4));
            case DECL_TAG -> List.of(new BtfType.Void(), i32,
                    new BtfType.Var(2, "x", 1, BtfType.Linkage.GLOBAL),
                    new BtfType.DeclTag(3, "tag", 2, -1, false));
            case TYPE_TAG -> List.of(new BtfType.Void(), i32,
                    new BtfType.TypeTag(2, "tag", 1, false), new BtfType.Ptr(3, "", 2));
            case ENUM64 -> List.of(new BtfType.Void(), i32, new BtfType.Enum(2, "e", true, 8, false,
                    List.of(new BtfType.EnumValue("big", 1L << 40))));
        };
        return Btf.of(types, ByteOrder.nativeOrder());
    }
}
