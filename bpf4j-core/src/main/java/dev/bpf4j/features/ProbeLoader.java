package dev.bpf4j.features;

import dev.bpf4j.asm.Instructions;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Memlock;
import dev.bpf4j.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Loads throw-away probe programs with a raw BPF_PROG_LOAD, closing each at once. One attribute
 * block and one verifier log buffer serve every load, and loading is paced: this kernel has
 * deadlocked on bursts of program loads and frees, so after every {@link #PACE_EVERY}
 * successful loads the loader sleeps {@link #PACE_MILLIS} ms. Confined to one thread.
 */
final class ProbeLoader implements AutoCloseable {
    static final int PACE_EVERY = 32;
    static final long PACE_MILLIS = 50;
    private static final int LOG_SIZE = 64 * 1024;

    /** A load's result: loaded (and already closed), or the errno and the verifier's log. */
    record Outcome(boolean loaded, int errno, String log) {
    }

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment attr = Bpf.attr(arena, BpfAttr.ProgLoad.SIZE);
    private final MemorySegment log = arena.allocate(LOG_SIZE);
    private final MemorySegment license = arena.allocateFrom("GPL");
    private final MemorySegment funcInfo = arena.allocate(8, 4);
    /** Shared by every loader: pacing must hold across probe batches, not just within one. */
    private static int loadsSincePause;
    private int totalLoads;

    ProbeLoader() {
        Memlock.ensureRaised();
    }

    /** Loads {@code insns} as a program of {@code target} and closes it; with {@code wantLog}, at log level 1. */
    Outcome load(ProbeTarget target, Instructions insns, boolean wantLog) {
        int fd = call(target, insns, wantLog);
        String text = wantLog ? log.getString(0) : "";
        if (fd < 0) {
            return new Outcome(false, -fd, text);
        }
        Sys.close(fd);
        return new Outcome(true, 0, text);
    }

    /** Loads and keeps the program, for targets other probes need: its fd (the caller closes it), or -errno. */
    int loadAndKeep(ProbeTarget target, Instructions insns) {
        return call(target, insns, false);
    }

    private int call(ProbeTarget target, Instructions insns, boolean wantLog) {
        try (Arena code = Arena.ofConfined()) {
            attr.fill((byte) 0);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, target.type().value());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, insns.slotCount());
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.INSNS, insns.encode(code).address());
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.LICENSE, license.address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.PROG_FLAGS, target.flags());
            if (target.expectedAttachType() >= 0) {
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.EXPECTED_ATTACH_TYPE, target.expectedAttachType());
            }
            attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.ATTACH_BTF_ID, target.attachBtfId());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.ATTACH_PROG_FD, target.attachProgFd());
            if (target.progBtfFd() > 0) {
                // One func_info record: the program's only function, at instruction 0.
                funcInfo.set(ValueLayout.JAVA_INT, 0, 0);
                funcInfo.set(ValueLayout.JAVA_INT, 4, target.funcTypeId());
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.PROG_BTF_FD, target.progBtfFd());
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.FUNC_INFO_REC_SIZE, 8);
                attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.FUNC_INFO, funcInfo.address());
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.FUNC_INFO_CNT, 1);
            }
            if (wantLog) {
                log.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.LOG_LEVEL, 1);
                attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.LOG_SIZE, LOG_SIZE);
                attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.LOG_BUF, log.address());
            }
            int fd = Bpf.tryProgLoad(attr, BpfAttr.ProgLoad.SIZE);
            if (fd >= 0) {
                pace();
            }
            return fd;
        }
    }

    /** Programs successfully loaded through this loader. */
    int loads() {
        return totalLoads;
    }

    private void pace() {
        totalLoads++;
        synchronized (ProbeLoader.class) {
            if (++loadsSincePause < PACE_EVERY) {
                return;
            }
            loadsSincePause = 0;
            try {
                Thread.sleep(PACE_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
