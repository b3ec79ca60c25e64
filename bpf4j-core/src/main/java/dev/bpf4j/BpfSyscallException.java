package dev.bpf4j;

/**
 * A system call the kernel refused: carries the call (for bpf(), the command name), the errno
 * and a sentence on the likely cause.
 */
public class BpfSyscallException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;
    private final String errnoName;
    private final String hint;

    public BpfSyscallException(String call, int errno, String errnoName, String description, String hint) {
        super(call + " failed: " + errnoName + " (" + description + ")" + (hint.isEmpty() ? "" : ": " + hint));
        this.call = call;
        this.errno = errno;
        this.errnoName = errnoName;
        this.hint = hint;
    }

    /** The refused call: a bpf() command name such as {@code BPF_MAP_CREATE}, or a syscall name. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** The symbolic errno, such as {@code EPERM}. */
    public String errnoName() {
        return errnoName;
    }

    /** The likely cause in one sentence, or empty when nothing useful can be said. */
    public String hint() {
        return hint;
    }
}
