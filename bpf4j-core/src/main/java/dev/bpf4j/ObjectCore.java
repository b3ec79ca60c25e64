package dev.bpf4j;

import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.btf.core.CoreRelocator;
import dev.bpf4j.btf.core.CoreResolution;
import dev.bpf4j.btf.core.CoreResult;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The CO-RE step of loading: each function (program or .text subprogram) is relocated once, on
 * its own instructions, before linking, as libbpf does; a program then appends subprograms that
 * are already relocated. The target BTF is fetched only when some function has CO-RE records.
 */
final class ObjectCore {
    private final ObjectSpec spec;
    private final Supplier<Btf> target;
    private final IdentityTable<ProgramDef, Relocated> done = new IdentityTable<>();
    private CoreRelocator relocator;

    ObjectCore(ObjectSpec spec, Supplier<Btf> target) {
        this.spec = spec;
        this.target = target;
    }

    /** Relocates against the running kernel's BTF. */
    static ObjectCore forKernel(ObjectSpec spec) {
        return new ObjectCore(spec, KernelBtf::vmlinux);
    }

    /** The target BTF from the load options: a file when given, else the running kernel's. */
    static ObjectCore of(ObjectSpec spec, LoadOptions options) {
        return options.targetBtf().map(p -> new ObjectCore(spec, () -> KernelBtf.read(p)))
                .orElseGet(() -> forKernel(spec));
    }

    /**
     * The function as the linker appends it: its instructions in native order with its CO-RE
     * relocations applied, and what each resolved to (slots and indexes relative to the function's
     * first instruction).
     */
    Relocated relocate(ProgramDef f) {
        Relocated r = done.get(f);
        if (r == null) {
            r = compute(f);
            done.put(f, r);
        }
        return r;
    }

    /** @param code native-order instructions, shared: the linker copies them and never changes them */
    record Relocated(byte[] code, List<CoreResolution> resolutions) {
    }

    private Relocated compute(ProgramDef f) {
        List<BtfExt.CoreRelo> records = records(spec, f);
        ByteOrder order = spec.elf().order();
        if (records.isEmpty() && order == ByteOrder.nativeOrder()) {
            return new Relocated(f.sharedInstructions(), List.of()); // most functions: nothing to decode
        }
        Instructions raw = Instructions.decode(f.sharedInstructions(), order);
        if (records.isEmpty()) {
            return new Relocated(raw.encode(ByteOrder.nativeOrder()), List.of());
        }
        if (relocator == null) {
            Btf local = spec.btf().orElseThrow(() -> new BpfFormatException(spec.fileName()
                    + ": has CO-RE relocations but no .BTF"));
            relocator = new CoreRelocator(local, target.get());
        }
        String who = spec.fileName() + ": " + (f.isSubprogram() ? "subprogram '" : "program '") + f.name() + "'";
        CoreResult result = relocator.relocate(raw, records, who);
        return new Relocated(result.instructions().encode(ByteOrder.nativeOrder()), result.relocations());
    }

    /** The function's CO-RE records, offsets made relative to its first instruction. */
    static List<BtfExt.CoreRelo> records(ObjectSpec spec, ProgramDef f) {
        BtfExt ext = spec.btfExt().orElse(null);
        if (ext == null) {
            return List.of();
        }
        int start = f.sectionOffset();
        int end = start + f.instructionCount() * Instructions.SLOT_SIZE;
        List<BtfExt.CoreRelo> mine = new ArrayList<>();
        for (BtfExt.CoreRelo r : ext.coreRelos().getOrDefault(f.section(), List.of())) {
            if (r.insnOffset() >= start && r.insnOffset() < end) {
                mine.add(new BtfExt.CoreRelo(r.insnOffset() - start, r.typeId(), r.accessString(), r.kind()));
            }
        }
        return mine;
    }

    /**
     * Checks that every CO-RE record of the object lies inside a function of its section: a record
     * pointing elsewhere would silently go unapplied.
     */
    static void checkRecords(ObjectSpec spec) {
        BtfExt ext = spec.btfExt().orElse(null);
        if (ext == null) {
            return;
        }
        for (Map.Entry<String, List<BtfExt.CoreRelo>> e : ext.coreRelos().entrySet()) {
            List<ProgramDef> functions = java.util.stream.Stream.concat(spec.programs().stream(),
                    spec.subprograms().stream()).filter(f -> f.section().equals(e.getKey())).toList();
            for (BtfExt.CoreRelo r : e.getValue()) {
                boolean inside = functions.stream().anyMatch(f -> r.insnOffset() >= f.sectionOffset()
                        && r.insnOffset() < f.sectionOffset() + f.instructionCount() * Instructions.SLOT_SIZE);
                if (!inside) {
                    throw new BpfFormatException(spec.fileName() + ": CO-RE relocation (" + r.kind() + ") at "
                            + e.getKey() + "+0x" + Integer.toHexString(r.insnOffset())
                            + " is outside every program of that section");
                }
            }
        }
    }
}
