package dev.bpf4j.internal.sys;

import dev.bpf4j.BpfException;

/** System call numbers of the architectures bpf4j runs on, chosen once at start-up. */
public record SyscallNumbers(long bpf, long perfEventOpen, long ioctl, long mmap, long munmap, long close,
        long prlimit64, long epollCreate1, long epollCtl, long epollPwait, long socket, long setsockopt,
        long getsockopt, long bind, long getsockname, long sendmsg, long recvmsg, long getpid, long getppid,
        long gettid, long mount) {

    static final SyscallNumbers X86_64 = new SyscallNumbers(321, 298, 16, 9, 11, 3, 302, 291, 233, 281, 41, 54,
            55, 49, 51, 46, 47, 39, 110, 186, 165);
    // aarch64 uses the asm-generic table.
    static final SyscallNumbers AARCH64 = new SyscallNumbers(280, 241, 29, 222, 215, 57, 261, 20, 21, 22, 198,
            208, 209, 200, 204, 211, 212, 172, 173, 178, 40);

    /** The table for {@code os.arch}; any other architecture is refused with a clear error. */
    public static SyscallNumbers forArch(String osName, String arch) {
        if (!osName.toLowerCase().startsWith("linux")) {
            throw new BpfException("bpf4j needs Linux; this is " + osName);
        }
        return switch (arch) {
            case "amd64", "x86_64" -> X86_64;
            case "aarch64", "arm64" -> AARCH64;
            default -> throw new BpfException(
                    "bpf4j knows the system call numbers of x86-64 and aarch64 only; this machine is " + arch);
        };
    }

    public static final SyscallNumbers CURRENT =
            forArch(System.getProperty("os.name"), System.getProperty("os.arch"));
}
