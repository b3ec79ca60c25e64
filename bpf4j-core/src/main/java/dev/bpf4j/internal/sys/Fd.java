package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfException;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file descriptor owned by one Java object: closed exactly once, and refused after close with
 * an error that names what it was.
 */
public final class Fd implements AutoCloseable {
    private final AtomicInteger fd;
    private final String what;

    public Fd(int fd, String what) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd);
        }
        this.fd = new AtomicInteger(fd);
        this.what = what;
    }

    /** The descriptor number; throws if it was closed. */
    public int get() {
        int value = fd.get();
        if (value < 0) {
            throw new BpfException(what + " is closed");
        }
        return value;
    }

    public boolean isOpen() {
        return fd.get() >= 0;
    }

    @Override
    public void close() {
        int value = fd.getAndSet(-1);
        if (value >= 0) {
            Sys.close(value);
        }
    }

    @Override
    public String toString() {
        return what + " (fd " + fd.get() + ")";
    }
}
