package dev.bpf4j.internal.sys;

/** One sentence on the likely cause of a refused call, by call and errno. */
final class ErrorHints {
    private ErrorHints() {
    }

    static String hint(String call, int errno) {
        return hint(call, errno, Privileges.isRoot());
    }

    static String hint(String call, int errno, boolean root) {
        boolean bpf = call.startsWith("BPF_");
        return switch (errno) {
            case Errno.EPERM -> !root ? (bpf
                    ? "needs root or CAP_BPF (with CAP_PERFMON/CAP_NET_ADMIN for some types)"
                    : "needs root or the matching capability")
                    : "refused although this process is root: the kernel's policy forbids it here (lockdown, an LSM,"
                            + " or a feature this kernel keeps from this context, as fentry/LSM/arena are on some)";
            case Errno.EACCES -> bpf ? "permission denied by the kernel (LSM, unprivileged_bpf_disabled, or a read-only object)" : "";
            case Errno.E2BIG -> bpf
                    ? "the attribute carries a field this kernel does not know (too new a feature), or a size is too large"
                    : "an argument is too large";
            case Errno.EINVAL -> bpf
                    ? "an attribute, flag or size is invalid, or not supported by this kernel for this type"
                    : "an argument is invalid";
            case Errno.ENOENT -> call.contains("LOOKUP") || call.contains("DELETE") || call.contains("NEXT")
                    ? "no such element" : "no such object (id, path or element)";
            case Errno.EEXIST -> "the element or path already exists";
            case Errno.ENOSPC -> "the map is full";
            case Errno.EBADF -> "the file descriptor is closed or not of the expected kind";
            case Errno.ENOMEM -> "the kernel could not allocate memory (on kernels before 5.11, raise RLIMIT_MEMLOCK)";
            case Errno.EOPNOTSUPP, Errno.ENOTSUPP -> "this kernel or this object type does not support the operation";
            case Errno.EBUSY -> "the object is busy: something is already attached there";
            case Errno.ENOSYS -> "the kernel lacks this system call (CONFIG_BPF_SYSCALL off?)";
            case Errno.EFAULT -> "a pointer in the attribute is invalid (bpf4j bug?)";
            default -> "";
        };
    }
}
