package dev.bpf4j.btf.core;

import dev.bpf4j.ObjectSpec;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt.CoreRelo;

import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CO-RE test objects in testdata/core, and their programs as the relocator takes them. */
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

    /** A program's raw instructions. */
    static Instructions instructions(ObjectSpec.ProgramDef p) {
        return Instructions.decode(p.instructions(), ByteOrder.LITTLE_ENDIAN);
    }

    /** A program's CO-RE records with offsets made relative to its first instruction. */
    static List<CoreRelo> relos(ObjectSpec o, ObjectSpec.ProgramDef p) {
        int end = p.sectionOffset() + p.instructions().length;
        return o.btfExt().orElseThrow().coreRelos().getOrDefault(p.section(), List.of()).stream()
                .filter(r -> r.insnOffset() >= p.sectionOffset() && r.insnOffset() < end)
                .map(r -> new CoreRelo(r.insnOffset() - p.sectionOffset(), r.typeId(), r.accessString(), r.kind()))
                .toList();
    }

    static CoreResult relocate(ObjectSpec o, String program, Btf target) {
        ObjectSpec.ProgramDef p = o.program(program).orElseThrow();
        return new CoreRelocator(o.btf().orElseThrow(), target).relocate(instructions(p), relos(o, p), program);
    }
}
