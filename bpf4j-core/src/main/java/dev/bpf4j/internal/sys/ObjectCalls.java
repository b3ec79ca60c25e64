package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bpf() commands every kind of object (map, program, link, BTF) shares: pin, get a pin,
 * enumerate ids, open by id, read info.
 */
public final class ObjectCalls {
    private ObjectCalls() {
    }

    /** BPF_OBJ_PIN: pins {@code fd} at {@code path} (which must be on bpffs). */
    public static void pin(int fd, String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.Obj.SIZE);
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.Obj.PATHNAME, arena.allocateFrom(path).address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.Obj.BPF_FD, fd);
            Bpf.call(BpfCommand.BPF_OBJ_PIN, attr, BpfAttr.Obj.SIZE);
        }
    }

    /** BPF_OBJ_GET: opens the object pinned at {@code path}; returns a new fd. */
    public static int get(String path, int fileFlags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.Obj.SIZE);
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.Obj.PATHNAME, arena.allocateFrom(path).address());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.Obj.FILE_FLAGS, fileFlags);
            return Bpf.call(BpfCommand.BPF_OBJ_GET, attr, BpfAttr.Obj.SIZE);
        }
    }

    /** Kinds of BPF objects, by the name the kernel gives their anonymous inodes. */
    public enum Kind {
        MAP("bpf-map", "a map"), PROGRAM("bpf-prog", "a program"), LINK("bpf_link", "a link"), BTF("btf", "BTF");

        private final String inode;
        private final String noun;

        Kind(String inode, String noun) {
            this.inode = inode;
            this.noun = noun;
        }
    }

    /**
     * BPF_OBJ_GET for an object of one kind: a pin can hold any kind of object, and reading one
     * kind's info from another's fd gives nonsense, so the fd is checked (and closed if wrong).
     */
    public static int getPinned(String path, Kind kind) {
        int fd = get(path, 0);
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException e) {
            Sys.close(fd);
            throw new BpfException("cannot tell what is pinned at " + path + ": " + e.getMessage(), e);
        }
        if (!target.equals("anon_inode:" + kind.inode)) {
            Sys.close(fd);
            String actual = "something else (" + target + ")";
            for (Kind k : Kind.values()) {
                if (target.equals("anon_inode:" + k.inode)) {
                    actual = k.noun;
                }
            }
            throw new BpfException(path + " holds " + actual + ", not " + kind.noun);
        }
        return fd;
    }

    /**
     * All ids of one kind, walking {@code nextIdCommand} (BPF_PROG_GET_NEXT_ID, BPF_MAP_GET_NEXT_ID,
     * BPF_LINK_GET_NEXT_ID, BPF_BTF_GET_NEXT_ID) from 0 until ENOENT.
     */
    public static List<Integer> ids(BpfCommand nextIdCommand) {
        List<Integer> ids = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.GetId.SIZE);
            int id = 0;
            while (true) {
                attr.set(ValueLayout.JAVA_INT, BpfAttr.GetId.START_ID, id);
                int result = Bpf.tryCall(nextIdCommand, attr, BpfAttr.GetId.SIZE);
                if (result == -Errno.ENOENT) {
                    return ids;
                }
                if (result < 0) {
                    throw Bpf.failure(nextIdCommand, -result);
                }
                id = attr.get(ValueLayout.JAVA_INT, BpfAttr.GetId.NEXT_ID);
                ids.add(id);
            }
        }
    }

    /** Opens an object by id with one of the BPF_*_GET_FD_BY_ID commands; returns a new fd. */
    public static int fdById(BpfCommand command, int id) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.GetId.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.GetId.ID, id);
            return Bpf.call(command, attr, BpfAttr.GetId.SIZE);
        }
    }

    /**
     * BPF_OBJ_GET_INFO_BY_FD into {@code info} (zeroed by the caller except for the pointers and
     * counts it wants filled); returns the length the kernel wrote.
     */
    public static int info(int fd, MemorySegment info) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.Info.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.Info.BPF_FD, fd);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.Info.INFO_LEN, (int) info.byteSize());
            attr.set(ValueLayout.JAVA_LONG, BpfAttr.Info.INFO, info.address());
            Bpf.call(BpfCommand.BPF_OBJ_GET_INFO_BY_FD, attr, BpfAttr.Info.SIZE);
            return attr.get(ValueLayout.JAVA_INT, BpfAttr.Info.INFO_LEN);
        }
    }

    /** A NUL-terminated name of at most {@code max} bytes from a fixed char array. */
    public static String cString(MemorySegment segment, long offset, int max) {
        byte[] bytes = segment.asSlice(offset, max).toArray(ValueLayout.JAVA_BYTE);
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) {
            n++;
        }
        return new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Writes {@code name} into a fixed char array of {@code max} bytes (NUL-terminated, checked). */
    public static void putName(MemorySegment segment, long offset, String name, int max, String what) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (bytes.length >= max) {
            throw new BpfException(what + " name '" + name + "' is too long: at most " + (max - 1) + " bytes");
        }
        for (byte b : bytes) {
            if (!isNameByte(b)) {
                throw new BpfException(what + " name '" + name + "' may hold only letters, digits, '_' and '.'");
            }
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, offset, bytes.length);
    }

    /** What the kernel takes in an object name: ASCII letters and digits, '_' and '.'. Range checks, not Character's tables. */
    private static boolean isNameByte(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '.';
    }
}
