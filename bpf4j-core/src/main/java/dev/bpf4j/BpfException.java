package dev.bpf4j;

/** Root of every failure bpf4j reports: bad input, a refusing kernel, a closed object. */
public class BpfException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BpfException(String message) {
        super(message);
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}
