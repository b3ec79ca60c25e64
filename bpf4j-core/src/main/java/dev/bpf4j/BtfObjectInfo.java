package dev.bpf4j;

/**
 * What the kernel reports about a loaded BTF object.
 *
 * @param id     the object's system-wide id
 * @param name   {@code vmlinux}, a module's name, or empty for program BTF
 * @param size   size of the raw BTF in bytes
 * @param kernel true for the kernel's and modules' own BTF
 */
public record BtfObjectInfo(int id, String name, int size, boolean kernel) {
}
