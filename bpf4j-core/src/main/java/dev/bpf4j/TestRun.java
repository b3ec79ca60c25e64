package dev.bpf4j;

import java.util.Arrays;

/**
 * Options of one BPF_PROG_TEST_RUN: input packet data and context, how often to repeat, and how
 * much room to give the outputs. Immutable; build with {@link #builder()}.
 */
public final class TestRun {
    /** Extra room for data out beyond the input, for programs that grow the packet. */
    static final int DATA_OUT_HEADROOM = 256;

    private final byte[] data;
    private final byte[] context;
    private final int repeat;
    private final int flags;
    private final int cpu;
    private final int dataOutSize;
    private final int contextOutSize;

    private TestRun(Builder b) {
        this.data = b.data;
        this.context = b.context;
        this.repeat = b.repeat;
        this.flags = b.flags;
        this.cpu = b.cpu;
        this.dataOutSize = b.dataOutSize >= 0 ? b.dataOutSize
                : data.length == 0 ? 0 : data.length + DATA_OUT_HEADROOM;
        this.contextOutSize = b.contextOutSize >= 0 ? b.contextOutSize : context.length;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A single run over {@code packet}. */
    public static TestRun ofData(byte[] packet) {
        return builder().data(packet).build();
    }

    public byte[] data() { return data.clone(); }
    public byte[] context() { return context.clone(); }
    public int repeat() { return repeat; }
    public int flags() { return flags; }
    public int cpu() { return cpu; }
    public int dataOutSize() { return dataOutSize; }
    public int contextOutSize() { return contextOutSize; }

    /**
     * What a test run returned.
     *
     * @param retval     the program's r0 on the last run
     * @param durationNs the kernel's average time per run, in nanoseconds
     * @param dataOut    the packet as the program left it (empty for types without packet data)
     * @param contextOut the context as the program left it (empty when none was given)
     */
    public record Result(int retval, long durationNs, byte[] dataOut, byte[] contextOut) {
        public Result {
            dataOut = dataOut.clone();
            contextOut = contextOut.clone();
        }

        @Override
        public byte[] dataOut() {
            return dataOut.clone();
        }

        @Override
        public byte[] contextOut() {
            return contextOut.clone();
        }

        @Override
        public String toString() {
            return "TestRun.Result[retval=" + retval + ", durationNs=" + durationNs + ", dataOut="
                    + dataOut.length + " bytes, contextOut=" + contextOut.length + " bytes]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Result r && r.retval == retval && r.durationNs == durationNs
                    && Arrays.equals(r.dataOut, dataOut) && Arrays.equals(r.contextOut, contextOut);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * retval + Arrays.hashCode(dataOut)) + Arrays.hashCode(contextOut);
        }
    }

    public static final class Builder {
        private byte[] data = new byte[0];
        private byte[] context = new byte[0];
        private int repeat = 1;
        private int flags;
        private int cpu;
        private int dataOutSize = -1;
        private int contextOutSize = -1;

        private Builder() {
        }

        /** Packet data in (an Ethernet frame of at least 14 bytes for skb and XDP programs). */
        public Builder data(byte[] data) {
            this.data = data.clone();
            return this;
        }

        /** Context in: the type's context struct, or any bytes for SYSCALL programs. */
        public Builder context(byte[] context) {
            this.context = context.clone();
            return this;
        }

        /** Runs the program this many times (at least 1); the duration is the average. */
        public Builder repeat(int repeat) {
            if (repeat < 1) {
                throw new IllegalArgumentException("repeat must be at least 1, not " + repeat);
            }
            this.repeat = repeat;
            return this;
        }

        /** BPF_F_TEST_* flags, such as BPF_F_TEST_RUN_ON_CPU (1) with {@link #cpu}. */
        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        public Builder cpu(int cpu) {
            this.cpu = cpu;
            return this;
        }

        /** Room for data out; default: input length plus 256 bytes (grown on demand). */
        public Builder dataOutSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("data out size must not be negative: " + size);
            }
            this.dataOutSize = size;
            return this;
        }

        /** Room for context out; default: the context's input length. */
        public Builder contextOutSize(int size) {
            if (size < 0) {
                throw new IllegalArgumentException("context out size must not be negative: " + size);
            }
            this.contextOutSize = size;
            return this;
        }

        public TestRun build() {
            return new TestRun(this);
        }
    }
}
