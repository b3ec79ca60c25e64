package dev.bpf4j;

import dev.bpf4j.asm.Instructions;

import java.util.Objects;

/**
 * Everything BPF_PROG_LOAD needs to load one program. Immutable; build with {@link #builder}.
 * File descriptor fields use 0 for "none", as the kernel does.
 */
public final class ProgramSpec {
    /** Load flag: the program may sleep (SYSCALL, sleepable tracing and LSM programs). */
    public static final int F_SLEEPABLE = 1 << 4;
    /** Load flag: the verifier checks strict alignment. */
    public static final int F_STRICT_ALIGNMENT = 1;
    /** Load flag: XDP program that handles multi-buffer frames. */
    public static final int F_XDP_HAS_FRAGS = 1 << 5;

    private final ProgramType type;
    private final String name;
    private final Instructions instructions;
    private final String license;
    private final int kernelVersion;
    private final int flags;
    private final AttachType expectedAttachType;
    private final int attachBtfId;
    private final int attachBtfObjFd;
    private final int attachProgFd;
    private final int logLevel;
    private final int progBtfFd;
    private final byte[] funcInfo;
    private final int funcInfoRecordSize;
    private final byte[] lineInfo;
    private final int lineInfoRecordSize;
    private final int[] fdArray;
    private final byte[] licenseCString; // NUL-terminated, encoded once: a load only copies it

    private ProgramSpec(Builder b) {
        this.type = Objects.requireNonNull(b.type, "program type");
        this.name = b.name == null ? "" : b.name;
        this.instructions = Objects.requireNonNull(b.instructions, "instructions");
        this.license = Objects.requireNonNull(b.license, "license");
        this.kernelVersion = b.kernelVersion;
        this.flags = b.flags;
        this.expectedAttachType = b.expectedAttachType;
        this.attachBtfId = b.attachBtfId;
        this.attachBtfObjFd = b.attachBtfObjFd;
        this.attachProgFd = b.attachProgFd;
        this.logLevel = b.logLevel;
        this.progBtfFd = b.progBtfFd;
        this.funcInfo = b.funcInfo; // the builder's own copies, never changed: a spec built twice may share them
        this.funcInfoRecordSize = b.funcInfoRecordSize;
        this.lineInfo = b.lineInfo;
        this.lineInfoRecordSize = b.lineInfoRecordSize;
        this.fdArray = b.fdArray;
        this.licenseCString = cString(license);
        if (instructions.slotCount() == 0) {
            throw new BpfException("program '" + name + "' has no instructions");
        }
        if (attachBtfObjFd != 0 && attachProgFd != 0) {
            throw new BpfException("program '" + name
                    + "': attach target is either a BTF object fd or a program fd, not both");
        }
        if (logLevel < 0 || logLevel > 7) {
            throw new BpfException("program '" + name + "': log level " + logLevel + " is not 0..7");
        }
        checkRecords("func_info", funcInfo, funcInfoRecordSize);
        checkRecords("line_info", lineInfo, lineInfoRecordSize);
    }

    // The records as they are, for Program to copy into the load's memory (the public accessors copy).
    byte[] funcInfoRecords() {
        return funcInfo;
    }

    byte[] lineInfoRecords() {
        return lineInfo;
    }

    int[] fdArrayEntries() {
        return fdArray;
    }

    byte[] licenseCString() {
        return licenseCString;
    }

    private static byte[] cString(String s) {
        byte[] utf8 = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(utf8, utf8.length + 1);
    }

    private void checkRecords(String what, byte[] bytes, int recordSize) {
        if (bytes.length > 0 && (recordSize <= 0 || bytes.length % recordSize != 0)) {
            throw new BpfException("program '" + name + "': " + what + " of " + bytes.length
                    + " bytes is not a whole number of " + recordSize + "-byte records");
        }
    }

    public static Builder builder(ProgramType type, Instructions instructions) {
        return new Builder(type, instructions);
    }

    /** A builder holding this spec's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder(type, instructions).name(name).license(license).kernelVersion(kernelVersion)
                .flags(flags).expectedAttachType(expectedAttachType).attachBtfId(attachBtfId)
                .attachBtfObjFd(attachBtfObjFd).attachProgFd(attachProgFd).logLevel(logLevel)
                .progBtfFd(progBtfFd).funcInfo(funcInfo, funcInfoRecordSize)
                .lineInfo(lineInfo, lineInfoRecordSize).fdArray(fdArray);
        return b;
    }

    public ProgramType type() { return type; }
    /** The program name (at most 15 bytes reach the kernel), or empty. */
    public String name() { return name; }
    public Instructions instructions() { return instructions; }
    public String license() { return license; }
    public int kernelVersion() { return kernelVersion; }
    public int flags() { return flags; }
    /** The expected attach type, or null when the type needs none. */
    public AttachType expectedAttachType() { return expectedAttachType; }
    public int attachBtfId() { return attachBtfId; }
    public int attachBtfObjFd() { return attachBtfObjFd; }
    public int attachProgFd() { return attachProgFd; }
    /** Verifier log level: 0 asks for a log only after a rejection. */
    public int logLevel() { return logLevel; }
    public int progBtfFd() { return progBtfFd; }
    public byte[] funcInfo() { return funcInfo.clone(); }
    public int funcInfoRecordSize() { return funcInfoRecordSize; }
    public byte[] lineInfo() { return lineInfo.clone(); }
    public int lineInfoRecordSize() { return lineInfoRecordSize; }
    public int[] fdArray() { return fdArray.clone(); }

    /** How errors name this program: its name, or its type when unnamed. */
    String describe() {
        return name.isEmpty() ? "unnamed " + type + " program" : "program '" + name + "' (" + type + ")";
    }

    @Override
    public String toString() {
        return "ProgramSpec[" + describe() + ", " + instructions.slotCount() + " slots, license " + license + "]";
    }

    public static final class Builder {
        private final ProgramType type;
        private final Instructions instructions;
        private String name = "";
        private String license = "GPL";
        private int kernelVersion;
        private int flags;
        private AttachType expectedAttachType;
        private int attachBtfId;
        private int attachBtfObjFd;
        private int attachProgFd;
        private int logLevel;
        private int progBtfFd;
        private byte[] funcInfo = new byte[0];
        private int funcInfoRecordSize;
        private byte[] lineInfo = new byte[0];
        private int lineInfoRecordSize;
        private int[] fdArray = new int[0];

        private Builder(ProgramType type, Instructions instructions) {
            this.type = type;
            this.instructions = instructions;
        }

        public Builder name(String name) { this.name = name; return this; }
        /** The license string; GPL-compatible licenses unlock GPL-only helpers. Default "GPL". */
        public Builder license(String license) { this.license = license; return this; }
        /** LINUX_VERSION_CODE; only old kernels check it for kprobes. */
        public Builder kernelVersion(int kernelVersion) { this.kernelVersion = kernelVersion; return this; }
        public Builder flags(int flags) { this.flags = flags; return this; }
        public Builder expectedAttachType(AttachType type) { this.expectedAttachType = type; return this; }
        public Builder attachBtfId(int id) { this.attachBtfId = id; return this; }
        public Builder attachBtfObjFd(int fd) { this.attachBtfObjFd = fd; return this; }
        public Builder attachProgFd(int fd) { this.attachProgFd = fd; return this; }
        /** Verifier log level (1 basic, 2 verbose, 4 statistics); the log is then kept on the program. */
        public Builder logLevel(int level) { this.logLevel = level; return this; }
        public Builder progBtfFd(int fd) { this.progBtfFd = fd; return this; }
        public Builder funcInfo(byte[] records, int recordSize) {
            this.funcInfo = records.clone();
            this.funcInfoRecordSize = recordSize;
            return this;
        }
        public Builder lineInfo(byte[] records, int recordSize) {
            this.lineInfo = records.clone();
            this.lineInfoRecordSize = recordSize;
            return this;
        }
        /** Map and BTF fds that instructions refer to by index (PSEUDO_MAP_IDX, kfunc BTF). */
        public Builder fdArray(int... fds) { this.fdArray = fds.clone(); return this; }

        public ProgramSpec build() {
            return new ProgramSpec(this);
        }
    }
}
