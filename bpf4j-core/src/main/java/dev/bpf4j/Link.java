package dev.bpf4j;

import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Fd;
import dev.bpf4j.internal.sys.InfoLayouts;
import dev.bpf4j.internal.sys.ObjectCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

/**
 * A BPF link: a program attached to a hook, owned through a file descriptor. Closing the last
 * descriptor (with no pin) detaches the program.
 */
public final class Link implements AutoCloseable {
    private final Fd fd;

    Link(int fd, String what) {
        this.fd = new Fd(fd, what);
    }

    /** Ids of every link on the system, in ascending order. */
    public static List<Integer> ids() {
        return ObjectCalls.ids(BpfCommand.BPF_LINK_GET_NEXT_ID);
    }

    /** Opens the link with this id. */
    public static Link byId(int id) {
        return new Link(ObjectCalls.fdById(BpfCommand.BPF_LINK_GET_FD_BY_ID, id), "link " + id);
    }

    /** Opens the link pinned at {@code path}. */
    public static Link pinned(Path path) {
        return new Link(ObjectCalls.getPinned(Bpffs.requireOnBpffs(path).toString(), ObjectCalls.Kind.LINK),
                "link pinned at " + path);
    }

    /** Pins the link on bpffs; the attachment then outlives this process. */
    public void pin(Path path) {
        ObjectCalls.pin(fd(), Bpffs.requireOnBpffs(path).toString());
    }

    public int fd() {
        return fd.get();
    }

    public LinkInfo info() {
        return info(fd());
    }

    static LinkInfo info(int linkFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(InfoLayouts.Link.SIZE, 8);
            ObjectCalls.info(linkFd, info);
            int type = info.get(ValueLayout.JAVA_INT, InfoLayouts.Link.TYPE);
            return new LinkInfo(info.get(ValueLayout.JAVA_INT, InfoLayouts.Link.ID), LinkType.ofValue(type), type,
                    info.get(ValueLayout.JAVA_INT, InfoLayouts.Link.PROG_ID));
        }
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
