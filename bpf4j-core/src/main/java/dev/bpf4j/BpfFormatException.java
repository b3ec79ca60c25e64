package dev.bpf4j;

/** Malformed input (ELF, BTF, a map definition...): names the file, the part and the offset. */
public class BpfFormatException extends BpfException {
    private static final long serialVersionUID = 1L;

    public BpfFormatException(String message) {
        super(message);
    }

    public BpfFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
