package dev.bpf4j;

/** The verifier rejected a program: the whole log, and its last meaningful line as a summary. */
public final class VerifierException extends BpfSyscallException {
    private static final long serialVersionUID = 1L;

    private final String program;
    private final String log;
    private final String summary;

    public VerifierException(String program, int errno, String errnoName, String description, String log) {
        super("BPF_PROG_LOAD of " + program, errno, errnoName, description, summaryOf(log));
        this.program = program;
        this.log = log;
        this.summary = summaryOf(log);
    }

    public String program() {
        return program;
    }

    /** The verifier log as the kernel wrote it. */
    public String log() {
        return log;
    }

    /** The line that says why, usually the last one before the statistics. */
    public String summary() {
        return summary;
    }

    static String summaryOf(String log) {
        String[] lines = log.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("processed ") || line.startsWith("verification time")
                    || line.startsWith("stack depth") || line.startsWith("-- END")) {
                continue;
            }
            return line;
        }
        return "the verifier gave no log";
    }
}
