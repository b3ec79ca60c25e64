package dev.bpf4j;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * The running kernel's build configuration ({@code CONFIG_*}), for {@code __kconfig} externs:
 * read from {@code /proc/config.gz} (CONFIG_IKCONFIG_PROC) or else
 * {@code /boot/config-<release>}, the same order libbpf uses.
 */
public final class KernelConfig {
    /** Tried in this order. */
    public static final Path PROC_CONFIG = Path.of("/proc/config.gz");

    private static volatile KernelConfig running;

    private final String source;
    private final Map<String, String> values;

    private KernelConfig(String source, Map<String, String> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(values);
    }

    /** The running kernel's configuration, read once per process. */
    public static KernelConfig running() {
        KernelConfig c = running;
        if (c == null) {
            synchronized (KernelConfig.class) {
                c = running;
                if (c == null) {
                    c = load(PROC_CONFIG, Path.of("/boot/config-" + kernelRelease()));
                    running = c;
                }
            }
        }
        return c;
    }

    /** The running kernel's configuration, or empty when none can be found. */
    public static Optional<KernelConfig> runningIfFound() {
        try {
            return Optional.of(running());
        } catch (BpfException none) {
            return Optional.empty();
        }
    }

    /** The first of {@code candidates} that exists (a {@code .gz} name is decompressed). */
    public static KernelConfig load(Path... candidates) {
        for (Path p : candidates) {
            if (Files.exists(p)) {
                return read(p);
            }
        }
        throw new BpfException("no kernel configuration found: tried " + java.util.Arrays.toString(candidates)
                + " (enable CONFIG_IKCONFIG_PROC or install the kernel's config file)");
    }

    /** Reads one config file; {@code .gz} files are decompressed. */
    public static KernelConfig read(Path file) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file.toString());
        } catch (NoSuchFileException e) {
            throw new BpfException("kernel configuration " + file + " does not exist", e);
        } catch (IOException e) {
            throw new BpfException("cannot read kernel configuration " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses {@code CONFIG_X=value} lines; comments ({@code # CONFIG_X is not set}) mean unset. */
    public static KernelConfig parse(String text, String source) {
        Map<String, String> values = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (!line.startsWith("CONFIG_")) {
                continue; // as libbpf: only CONFIG_ lines matter
            }
            if (eq < 0) {
                throw new BpfFormatException(source + ": line " + lineNo + " is not CONFIG_NAME=value: " + line);
            }
            values.put(line.substring(0, eq), line.substring(eq + 1));
        }
        return new KernelConfig(source, values);
    }

    /** Where the values came from. */
    public String source() {
        return source;
    }

    /** The raw value as the file spells it: {@code y}, {@code m}, {@code 250}, {@code 0x10}, {@code "text"}. */
    public Optional<String> value(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** Every set option. */
    public Map<String, String> values() {
        return values;
    }

    /** The running kernel's release ({@code uname -r}). */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            throw new BpfException("cannot read the kernel release from /proc/sys/kernel/osrelease: " + e.getMessage(), e);
        }
    }

    /**
     * The running kernel's {@code KERNEL_VERSION}: Ubuntu's /proc/version_signature (e.g. {@code
     * Ubuntu 5.15.0-91.101-generic 5.15.131}) names the upstream version its release string hides,
     * and is read first, as libbpf does; otherwise the release string.
     */
    public static int runningKernelVersion() {
        Path signature = Path.of("/proc/version_signature");
        if (Files.isReadable(signature)) {
            try {
                String[] fields = Files.readString(signature).strip().split("\\s+");
                if (fields.length >= 3) {
                    return kernelVersion(fields[2]);
                }
            } catch (IOException | BpfFormatException e) {
                // fall back to the release string
            }
        }
        return kernelVersion(kernelRelease());
    }

    /**
     * {@code KERNEL_VERSION(a, b, c)} of a release string ({@code 6.18.44-fc} gives
     * {@code 0x06122c}), with the sublevel clamped to 255 as the kernel's macro does since 4.9.256.
     */
    public static int kernelVersion(String release) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)(?:\\.(\\d+))?").matcher(release);
        if (!m.find()) {
            throw new BpfFormatException("kernel release '" + release + "' does not start with a.b[.c]");
        }
        int a = Integer.parseInt(m.group(1));
        int b = Integer.parseInt(m.group(2));
        int c = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return (a << 16) + (b << 8) + Math.min(c, 255);
    }

    @Override
    public String toString() {
        return "KernelConfig[" + source + ", " + values.size() + " options]";
    }
}
