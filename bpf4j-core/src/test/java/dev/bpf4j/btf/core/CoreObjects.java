package dev.bpf4j.btf.core;

import dev.bpf4j.ObjectSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/** The CO-RE test objects in testdata/core. */
final class CoreObjects {
    private CoreObjects() {
    }

    static Path dir() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            Path candidate = p.resolve("testdata/core");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            p = p.getParent();
        }
        throw new IllegalStateException("testdata/core not found above " + Path.of("").toAbsolutePath());
    }

    static ObjectSpec read(String name) {
        return ObjectSpec.read(dir().resolve(name));
    }
}
