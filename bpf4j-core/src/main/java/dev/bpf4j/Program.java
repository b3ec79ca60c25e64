package dev.bpf4j;

import dev.bpf4j.asm.Instructions;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Fd;
import dev.bpf4j.internal.sys.InfoLayouts;
import dev.bpf4j.internal.sys.Memlock;
import dev.bpf4j.internal.sys.ObjectCalls;
import dev.bpf4j.internal.sys.Syscall;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A program loaded into the kernel, owning its file descriptor. */
public final class Program implements AutoCloseable {
    /** The verifier's own limit on instruction slots (BPF_COMPLEXITY_LIMIT_INSNS). */
    public static final int MAX_INSTRUCTIONS = 1_000_000;
    static final int LOG_START = 64 * 1024;
    static final int LOG_MAX = 16 * 1024 * 1024;
    private static final int[] NO_SLOTS = {};

    private final Fd fd;
    private final ProgramType type;
    private final String name;
    private final String verifierLog;

    private Program(int fd, ProgramType type, String name, String verifierLog) {
        this.fd = new Fd(fd, name.isEmpty() ? "program (" + type + ")" : "program '" + name + "'");
        this.type = type;
        this.name = name;
        this.verifierLog = verifierLog;
    }

    /**
     * Loads {@code spec}. The first attempt runs without a verifier log (fast); if the kernel refuses,
     * the load is repeated with a log, grown until the whole log fits, so the exception can say why.
     *
     * @throws VerifierException    when the verifier rejects the program (with its log)
     * @throws BpfSyscallException  when the kernel refuses for another reason (EPERM, E2BIG, ...)
     */
    public static Program load(ProgramSpec spec) {
        try (Arena arena = Arena.ofConfined()) {
            return load(arena, ProgLoadImage.of(spec), 0, NO_SLOTS, NO_SLOTS);
        }
    }

    /**
     * Loads a request laid out beforehand (an object loader's plan), with the BTF fd (0: the
     * spec's) and the map fds that only the load knows, at the instruction slots given. The request
     * is placed in {@code memory}, which must stay valid while the call runs: an object loader
     * passes its per-load scratch, freed after its last program.
     */
    static Program load(SegmentAllocator memory, ProgLoadImage image, int btfFd, int[] mapSlots, int[] mapFds) {
        ProgramSpec spec = image.spec();
        Memlock.ensureRaised();
        MemorySegment attr = image.place(memory, btfFd, mapSlots, mapFds);
        if (spec.logLevel() == 0) {
            int result = Bpf.tryProgLoad(attr, BpfAttr.ProgLoad.SIZE);
            if (result >= 0) {
                return new Program(result, spec.type(), spec.name(), "");
            }
            int firstErrno = -result;
            if (firstErrno == Errno.EPERM || firstErrno == Errno.EFAULT) {
                throw loadFailure(spec, firstErrno); // a log would not say more
            }
            return loadWithLog(attr, spec, Math.max(1, spec.logLevel()), firstErrno);
        }
        return loadWithLog(attr, spec, spec.logLevel(), 0);
    }

    /**
     * Loads with a verifier log, growing the buffer while the kernel says it was too small (ENOSPC,
     * with log_true_size on 6.4+ kernels), up to {@link #LOG_MAX}.
     */
    private static Program loadWithLog(MemorySegment attr, ProgramSpec spec, int level,
            int firstErrno) {
        int size = LOG_START;
        while (true) {
            int result;
            String text;
            try (Arena logArena = Arena.ofConfined()) { // freed at once: a loader's arena may outlive many loads
                MemorySegment log = logArena.allocate(size);
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.LOG_LEVEL, level);
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.LOG_SIZE, size);
                attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.LOG_BUF, log.address());
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.LOG_TRUE_SIZE, 0);
                result = Bpf.tryProgLoad(attr, BpfAttr.ProgLoad.SIZE);
                text = log.getString(0);
                attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.LOG_BUF, 0); // no pointer to freed memory
            }
            if (result >= 0) {
                return new Program(result, spec.type(), spec.name(), text);
            }
            int errno = -result;
            if (errno == Errno.ENOSPC && size < LOG_MAX) {
                int trueSize = attr.get(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.LOG_TRUE_SIZE);
                size = (int) Math.min(LOG_MAX, Math.max((long) size * 4, trueSize + 1L));
                continue;
            }
            if (text.isBlank()) {
                // Not the verifier's doing: report the first refusal, which had no log to distort it.
                throw loadFailure(spec, firstErrno != 0 ? firstErrno : errno);
            }
            if (errno == Errno.ENOSPC) {
                text = text + "\n(verifier log truncated at " + LOG_MAX + " bytes)";
            }
            throw new VerifierException(spec.describe(), errno, Errno.name(errno), Errno.description(errno), text);
        }
    }

    private static BpfSyscallException loadFailure(ProgramSpec spec, int errno) {
        return Syscall.failure("BPF_PROG_LOAD of " + spec.describe(), errno);
    }

    /** Opens the program pinned at {@code path}. */
    public static Program pinned(Path path) {
        int fd = ObjectCalls.getPinned(Bpffs.requireOnBpffs(path).toString(), ObjectCalls.Kind.PROGRAM);
        return adopt(fd);
    }

    /** Opens the loaded program with this id. */
    public static Program byId(int id) {
        return adopt(ObjectCalls.fdById(BpfCommand.BPF_PROG_GET_FD_BY_ID, id));
    }

    /** Ids of every program loaded on the system, in ascending order. */
    public static List<Integer> ids() {
        return ObjectCalls.ids(BpfCommand.BPF_PROG_GET_NEXT_ID);
    }

    private static Program adopt(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(InfoLayouts.Prog.SIZE, 8);
            ObjectCalls.info(fd, info);
            ProgramType type = ProgramType.ofValue(info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.TYPE));
            String name = ObjectCalls.cString(info, InfoLayouts.Prog.NAME, InfoLayouts.Prog.NAME_SIZE);
            return new Program(fd, type, name, "");
        } catch (RuntimeException e) {
            dev.bpf4j.internal.sys.Sys.close(fd);
            throw e;
        }
    }

    /**
     * Turns on run-time statistics (run count and time in {@link ProgramInfo}) for every program
     * until the returned handle is closed. Statistics cost a little time per run.
     */
    public static Stats enableStats() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.EnableStats.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.EnableStats.TYPE, 0); // BPF_STATS_RUN_TIME
            return new Stats(new Fd(Bpf.call(BpfCommand.BPF_ENABLE_STATS, attr, BpfAttr.EnableStats.SIZE),
                    "run-time statistics handle"));
        }
    }

    /** Keeps run-time statistics on while open. */
    public static final class Stats implements AutoCloseable {
        private final Fd fd;

        private Stats(Fd fd) {
            this.fd = fd;
        }

        @Override
        public void close() {
            fd.close();
        }
    }

    /** The file descriptor (valid until {@link #close()}). */
    public int fd() {
        return fd.get();
    }

    /** The program type, or null for a type newer than {@link ProgramType} (opened by id or pin). */
    public ProgramType type() {
        return type;
    }

    public String name() {
        return name;
    }

    /** The verifier's log of a load that asked for one ({@link ProgramSpec#logLevel()} > 0), else empty. */
    public String verifierLog() {
        return verifierLog;
    }

    /** Runs the program once or more in the kernel on the given input (BPF_PROG_TEST_RUN). */
    public TestRun.Result testRun(TestRun run) {
        checkTestRun(run);
        boolean syscall = type == ProgramType.SYSCALL;
        int dataOutSize = run.dataOutSize();
        try (Arena arena = Arena.ofConfined()) {
            while (true) {
                MemorySegment attr = Bpf.attr(arena, BpfAttr.TestRun.SIZE);
                attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.PROG_FD, fd());
                MemorySegment dataOut = arena.allocate(Math.max(dataOutSize, 1), 8);
                MemorySegment ctxIn = bytes(arena, run.context());
                MemorySegment ctxOut = arena.allocate(Math.max(run.contextOutSize(), 1), 8);
                if (run.data().length > 0) {
                    attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.DATA_SIZE_IN, run.data().length);
                    attr.set(ValueLayout.JAVA_LONG, BpfAttr.TestRun.DATA_IN, bytes(arena, run.data()).address());
                }
                if (dataOutSize > 0) {
                    attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.DATA_SIZE_OUT, dataOutSize);
                    attr.set(ValueLayout.JAVA_LONG, BpfAttr.TestRun.DATA_OUT, dataOut.address());
                }
                if (run.context().length > 0) {
                    attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.CTX_SIZE_IN, run.context().length);
                    attr.set(ValueLayout.JAVA_LONG, BpfAttr.TestRun.CTX_IN, ctxIn.address());
                }
                // SYSCALL programs write their context back into the input buffer and refuse the rest.
                if (!syscall) {
                    if (run.contextOutSize() > 0) {
                        attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.CTX_SIZE_OUT, run.contextOutSize());
                        attr.set(ValueLayout.JAVA_LONG, BpfAttr.TestRun.CTX_OUT, ctxOut.address());
                    }
                    attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.REPEAT, run.repeat());
                }
                attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.FLAGS, run.flags());
                attr.set(ValueLayout.JAVA_INT, BpfAttr.TestRun.CPU, run.cpu());
                int result = Bpf.tryCall(BpfCommand.BPF_PROG_TEST_RUN, attr, BpfAttr.TestRun.SIZE);
                int needed = attr.get(ValueLayout.JAVA_INT, BpfAttr.TestRun.DATA_SIZE_OUT);
                if (result == -Errno.ENOSPC && dataOutSize > 0 && needed > dataOutSize) {
                    dataOutSize = needed; // the program grew the packet beyond our room
                    continue;
                }
                if (result < 0) {
                    throw Syscall.failure("BPF_PROG_TEST_RUN of " + fd, -result);
                }
                int retval = attr.get(ValueLayout.JAVA_INT, BpfAttr.TestRun.RETVAL);
                long duration = Integer.toUnsignedLong(attr.get(ValueLayout.JAVA_INT, BpfAttr.TestRun.DURATION));
                byte[] data = dataOutSize > 0 ? dataOut.asSlice(0, Math.min(needed, dataOutSize))
                        .toArray(ValueLayout.JAVA_BYTE) : new byte[0];
                byte[] ctx;
                if (syscall) {
                    ctx = run.context().length > 0 ? ctxIn.toArray(ValueLayout.JAVA_BYTE) : new byte[0];
                } else {
                    int ctxLen = Math.min(attr.get(ValueLayout.JAVA_INT, BpfAttr.TestRun.CTX_SIZE_OUT),
                            run.contextOutSize());
                    ctx = ctxOut.asSlice(0, ctxLen).toArray(ValueLayout.JAVA_BYTE);
                }
                return new TestRun.Result(retval, duration, data, ctx);
            }
        }
    }

    private void checkTestRun(TestRun run) {
        String who = fd.toString();
        if (type == ProgramType.SYSCALL) {
            if (run.repeat() > 1 || run.data().length > 0) {
                throw new BpfException("test run of " + who + ": SYSCALL programs take only a context and run once");
            }
            return;
        }
        boolean packet = switch (type == null ? ProgramType.UNSPEC : type) {
            case SOCKET_FILTER, SCHED_CLS, SCHED_ACT, XDP, CGROUP_SKB, LWT_IN, LWT_OUT, LWT_XMIT, LWT_SEG6LOCAL,
                 SK_SKB, FLOW_DISSECTOR -> true;
            default -> false;
        };
        if (packet && run.data().length < 14) {
            throw new BpfException("test run of " + who + ": " + type + " programs need packet data of at least "
                    + "14 bytes (an Ethernet header), got " + run.data().length);
        }
    }

    private static MemorySegment bytes(Arena arena, byte[] bytes) {
        MemorySegment segment = arena.allocate(Math.max(bytes.length, 1), 8);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
        return segment;
    }

    /** Pins the program at {@code path} on bpffs; it stays loaded until the pin is removed. */
    public void pin(Path path) {
        ObjectCalls.pin(fd(), Bpffs.requireOnBpffs(path).toString());
    }

    /** Makes the program hold a reference on a map it does not name in its instructions. */
    public void bindMap(BpfMap map) {
        bindMap(map.fd());
    }

    /** Binds the map with descriptor {@code mapFd} to this program (see {@link #bindMap(BpfMap)}). */
    public void bindMap(int mapFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.BindMap.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.BindMap.PROG_FD, fd());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.BindMap.MAP_FD, mapFd);
            Bpf.call(BpfCommand.BPF_PROG_BIND_MAP, attr, BpfAttr.BindMap.SIZE);
        }
    }

    /** The kernel's view of the program, with its translated and JIT-compiled code and map ids. */
    public ProgramInfo info() {
        int progFd = fd();
        try (Arena arena = Arena.ofConfined()) {
            // Pass one learns the lengths; pass two gives buffers of exactly those lengths.
            MemorySegment info = arena.allocate(InfoLayouts.Prog.SIZE, 8);
            ObjectCalls.info(progFd, info);
            int xlatedLen = info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.XLATED_PROG_LEN);
            int jitedLen = info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.JITED_PROG_LEN);
            int mapCount = info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.NR_MAP_IDS);
            MemorySegment xlated = arena.allocate(Math.max(xlatedLen, 1), 8);
            MemorySegment jited = arena.allocate(Math.max(jitedLen, 1), 8);
            MemorySegment maps = arena.allocate(Math.max(mapCount, 1) * 4L, 4);
            info.fill((byte) 0);
            info.set(ValueLayout.JAVA_INT, InfoLayouts.Prog.XLATED_PROG_LEN, xlatedLen);
            info.set(ValueLayout.JAVA_LONG, InfoLayouts.Prog.XLATED_PROG_INSNS, xlated.address());
            info.set(ValueLayout.JAVA_INT, InfoLayouts.Prog.JITED_PROG_LEN, jitedLen);
            info.set(ValueLayout.JAVA_LONG, InfoLayouts.Prog.JITED_PROG_INSNS, jited.address());
            info.set(ValueLayout.JAVA_INT, InfoLayouts.Prog.NR_MAP_IDS, mapCount);
            info.set(ValueLayout.JAVA_LONG, InfoLayouts.Prog.MAP_IDS, maps.address());
            ObjectCalls.info(progFd, info);
            // A pointer the kernel withheld (no CAP_SYS_ADMIN, or no JIT) comes back as 0.
            boolean xlatedGiven = info.get(ValueLayout.JAVA_LONG, InfoLayouts.Prog.XLATED_PROG_INSNS) != 0;
            boolean jitedGiven = info.get(ValueLayout.JAVA_LONG, InfoLayouts.Prog.JITED_PROG_INSNS) != 0;
            int xlatedOut = Math.min(xlatedLen, info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.XLATED_PROG_LEN));
            int jitedOut = Math.min(jitedLen, info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.JITED_PROG_LEN));
            byte[] xlatedBytes = xlatedGiven ? xlated.asSlice(0, xlatedOut).toArray(ValueLayout.JAVA_BYTE) : new byte[0];
            byte[] jitedBytes = jitedGiven ? jited.asSlice(0, jitedOut).toArray(ValueLayout.JAVA_BYTE) : new byte[0];
            int mapsOut = Math.min(mapCount, info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.NR_MAP_IDS));
            List<Integer> mapIds = new ArrayList<>(mapsOut);
            for (int i = 0; i < mapsOut; i++) {
                mapIds.add(maps.getAtIndex(ValueLayout.JAVA_INT, i));
            }
            int typeValue = info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.TYPE);
            return new ProgramInfo(
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.ID),
                    ProgramType.ofValue(typeValue), typeValue,
                    HexFormat.of().formatHex(info.asSlice(InfoLayouts.Prog.TAG, InfoLayouts.Prog.TAG_SIZE)
                            .toArray(ValueLayout.JAVA_BYTE)),
                    ObjectCalls.cString(info, InfoLayouts.Prog.NAME, InfoLayouts.Prog.NAME_SIZE),
                    Instructions.decode(xlatedBytes, ByteOrder.nativeOrder()),
                    jitedBytes, jitedLen, mapIds,
                    info.get(ValueLayout.JAVA_LONG, InfoLayouts.Prog.LOAD_TIME),
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.CREATED_BY_UID),
                    (info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.GPL_COMPATIBLE) & 1) != 0,
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.BTF_ID),
                    info.get(ValueLayout.JAVA_LONG, InfoLayouts.Prog.RUN_CNT),
                    info.get(ValueLayout.JAVA_LONG, InfoLayouts.Prog.RUN_TIME_NS),
                    info.get(ValueLayout.JAVA_LONG, InfoLayouts.Prog.RECURSION_MISSES),
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.VERIFIED_INSNS),
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.ATTACH_BTF_OBJ_ID),
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Prog.ATTACH_BTF_ID));
        }
    }

    /** Closes the descriptor; the kernel unloads the program when nothing else holds it. */
    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
