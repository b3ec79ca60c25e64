package dev.bpf4j.btf;

import dev.bpf4j.BpfException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running kernel's BTF: the one place that reads {@code /sys/kernel/btf/vmlinux}. It is read
 * once per process on first use, parsed lazily ({@link Btf#parseLazily}) and shared by every
 * caller. Module BTF ({@code /sys/kernel/btf/<module>}) is split BTF on top of vmlinux, read on
 * demand and kept too.
 */
public final class KernelBtf {
    /** Where the kernel publishes its BTF. */
    public static final Path DIRECTORY = Path.of("/sys/kernel/btf");
    /** The kernel's own BTF. */
    public static final Path VMLINUX = DIRECTORY.resolve("vmlinux");

    private static volatile Btf vmlinux;
    private static final Map<String, Btf> MODULES = new ConcurrentHashMap<>();

    private KernelBtf() {
    }

    /** The kernel's own types; throws if this kernel publishes no BTF (CONFIG_DEBUG_INFO_BTF off). */
    public static Btf vmlinux() {
        Btf btf = vmlinux;
        if (btf == null) {
            synchronized (KernelBtf.class) {
                btf = vmlinux;
                if (btf == null) {
                    btf = read(VMLINUX);
                    vmlinux = btf;
                }
            }
        }
        return btf;
    }

    /** The kernel's own types, or empty when this kernel publishes no BTF. */
    public static Optional<Btf> find() {
        return Files.isReadable(VMLINUX) ? Optional.of(vmlinux()) : Optional.empty();
    }

    /** The id of the kernel type with this name and kind, or 0 when absent (or no kernel BTF). */
    public static int id(String name, BtfKind kind) {
        return find().flatMap(b -> b.typeByName(name, kind)).map(BtfType::id).orElse(0);
    }

    /** A module's BTF as split BTF on vmlinux, or empty if the module has none (or is not loaded). */
    public static Optional<Btf> module(String name) {
        if (name.equals("vmlinux")) {
            throw new IllegalArgumentException("vmlinux is not a module: use KernelBtf.vmlinux()");
        }
        if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
            throw new IllegalArgumentException("not a module name: '" + name + "'");
        }
        Path file = DIRECTORY.resolve(name);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(MODULES.computeIfAbsent(name, n -> readSplit(file, vmlinux())));
    }

    /** Names of the modules that publish BTF, sorted (empty when none are loaded). */
    public static List<String> moduleNames() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(DIRECTORY)) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (!n.equals("vmlinux")) {
                    names.add(n);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new BpfException("cannot list " + DIRECTORY + ": " + e.getMessage(), e);
        }
        Collections.sort(names);
        return names;
    }

    /**
     * Reads a standalone BTF file lazily: a kernel's BTF saved elsewhere (for kernels that do not
     * publish it, or to relocate for another kernel), or a test's own target BTF.
     */
    public static Btf read(Path file) {
        return Btf.parseLazily(bytes(file), file.toString());
    }

    /** Reads split BTF from {@code file} on top of {@code base}. */
    public static Btf readSplit(Path file, Btf base) {
        return Btf.parseSplit(bytes(file), base, file.toString());
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BpfException(file + " does not exist: " + (file.startsWith(DIRECTORY)
                    ? "this kernel publishes no BTF (CONFIG_DEBUG_INFO_BTF is off); pass a BTF file for it instead"
                    : "no such BTF file"), e);
        } catch (IOException e) {
            throw new BpfException("cannot read BTF from " + file + ": " + e.getMessage(), e);
        }
    }
}
