package dev.bpf4j.features;

import dev.bpf4j.BpfException;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The running kernel's own BTF ({@code /sys/kernel/btf/vmlinux}), parsed once per JVM: it is
 * several megabytes and every context layout and probe target is looked up in it.
 */
public final class KernelBtf {
    /** Where the kernel publishes its BTF. */
    public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

    private static volatile Optional<Btf> cached;

    private KernelBtf() {
    }

    /** The parsed kernel BTF, or empty when this kernel publishes none. */
    public static Optional<Btf> vmlinux() {
        Optional<Btf> btf = cached;
        if (btf == null) {
            synchronized (KernelBtf.class) {
                btf = cached;
                if (btf == null) {
                    btf = read();
                    cached = btf;
                }
            }
        }
        return btf;
    }

    private static Optional<Btf> read() {
        if (!Files.isReadable(VMLINUX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Btf.parse(Files.readAllBytes(VMLINUX)));
        } catch (IOException e) {
            throw new BpfException("cannot read " + VMLINUX + ": " + e.getMessage(), e);
        }
    }

    /** The id of the kernel type with this name and kind, or 0 when absent (or no kernel BTF). */
    public static int id(String name, BtfKind kind) {
        return vmlinux().flatMap(b -> b.typeByName(name, kind)).map(BtfType::id).orElse(0);
    }
}
