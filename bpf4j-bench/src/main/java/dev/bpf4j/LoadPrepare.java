package dev.bpf4j;

import dev.bpf4j.ObjectSpec.DataSection;
import dev.bpf4j.ObjectSpec.MapDef;
import dev.bpf4j.ObjectSpec.ProgramDef;
import dev.bpf4j.ObjectSpec.VariableDef;
import dev.bpf4j.asm.Instruction;
import dev.bpf4j.asm.Instructions;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfSanitizer;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.ObjectCalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The user-space part of {@link BpfObject#load} without the kernel: what ObjectLoader does between
 * its bpf() calls (DATASEC fixup, sanitising, BTF encoding, map specs and attrs, data contents,
 * linking, fds into instructions, func_info/line_info, program specs and attrs, global variables),
 * in its order, with made-up fds. Lives in package dev.bpf4j (bench jar, class path) to reach the
 * loader's package-private helpers; it mirrors ObjectLoader's sequence, so keep the two in step.
 */
public final class LoadPrepare {
    private static final Set<BtfSanitizer.Feature> ALL = Set.copyOf(EnumSet.allOf(BtfSanitizer.Feature.class));
    private static final int FAKE_BTF_FD = 3;

    private LoadPrepare() {
    }

    /** One rehearsal of a load of {@code spec}; returns a checksum so nothing is optimised away. */
    public static long prepare(ObjectSpec spec, LoadOptions options) {
        long sum = 0;
        try (Arena arena = Arena.ofConfined()) {
            Btf btf = null;
            if (spec.btf().isPresent()) {
                btf = BtfSanitizer.sanitize(DatasecFixup.apply(spec.btf().get(), spec.elf()), ALL);
                byte[] bytes = btf.encode(ByteOrder.nativeOrder());
                MemorySegment data = arena.allocate(bytes.length, 8);
                MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
                sum += data.byteSize();
            }
            Map<String, Integer> fds = new HashMap<>();
            int nextFd = 10;
            for (MapDef def : spec.maps()) {
                MapSpec m = mapSpec(def, options, btf != null);
                sum += mapAttr(arena, m);
                fds.put(def.name(), nextFd++);
            }
            for (DataSection d : spec.dataSections()) {
                if (d.size() == 0) {
                    continue;
                }
                int valueTypeId = btf == null ? 0
                        : btf.typeByName(d.name(), BtfKind.DATASEC).map(dev.bpf4j.btf.BtfType::id).orElse(0);
                MapSpec.Builder b = MapSpec.builder(MapType.ARRAY)
                        .name(ObjectLoader.dataMapName(ObjectLoader.objectName(spec.fileName()), d.name()))
                        .keySize(4).valueSize((int) d.size()).maxEntries(1).flags(MapFlags.MMAPABLE);
                if (valueTypeId != 0) {
                    b.btf(FAKE_BTF_FD, 0, valueTypeId);
                }
                sum += mapAttr(arena, b.build());
                byte[] contents = d.contents();
                MemorySegment value = arena.allocate(contents.length, 8);
                MemorySegment.copy(contents, 0, value, ValueLayout.JAVA_BYTE, 0, contents.length);
                fds.put(d.name(), nextFd++);
            }
            for (ProgramDef def : spec.programs()) {
                if (!options.autoload(def.name())) {
                    continue;
                }
                SectionMatch match = def.match().orElseThrow();
                LinkedProgram link = ObjectLinker.link(spec, def);
                ProgramSpec.Builder b = ProgramSpec.builder(match.type(), withFds(link, fds))
                        .name(def.name()).license(spec.license()).kernelVersion(spec.kernelVersion())
                        .expectedAttachType(match.attachType()).logLevel(options.logLevel());
                if (btf != null) {
                    b.progBtfFd(FAKE_BTF_FD);
                    byte[] funcInfo = ObjectLoader.funcInfo(link);
                    if (funcInfo.length > 0) {
                        b.funcInfo(funcInfo, 8);
                        b.lineInfo(ObjectLoader.lineInfo(link, btf, spec.fileName()), 16);
                    }
                }
                sum += progAttr(arena, b.build());
            }
            for (VariableDef v : spec.variables()) {
                sum += fds.getOrDefault(v.section(), 0);
            }
        }
        return sum;
    }

    private static MapSpec mapSpec(MapDef def, LoadOptions options, boolean btf) {
        MapType type = def.mapType();
        MapSpec.Builder b = MapSpec.builder(type).name(def.name())
                .keySize(def.keySize()).valueSize(def.valueSize() == 0 ? 4 : def.valueSize())
                .maxEntries(options.maxEntries(def.name()).orElse(def.maxEntries()))
                .mapExtra(def.mapExtra()).flags(options.mapFlags(def.name()).orElse(def.flags()));
        if (def.inner() != null) {
            b.innerSpec(mapSpec(def.inner(), options, btf));
        }
        if (btf && type != MapType.PROG_ARRAY && (def.keyTypeId() != 0 || def.valueTypeId() != 0)) {
            b.btf(FAKE_BTF_FD, def.keyTypeId(), def.valueTypeId());
        }
        return b.build();
    }

    /** BpfMap.create's attr, filled the same way. */
    private static long mapAttr(Arena arena, MapSpec spec) {
        spec.validate();
        MemorySegment attr = arena.allocate(BpfAttr.MapCreate.SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, spec.type().value());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, spec.keySize());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, spec.valueSize());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, spec.maxEntries());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAP_FLAGS, spec.flags());
        ObjectCalls.putName(attr, BpfAttr.MapCreate.MAP_NAME, spec.name(), MapSpec.MAX_NAME_LENGTH + 1, "map");
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.BTF_FD, spec.btfFd());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, spec.btfValueTypeId());
        return attr.get(ValueLayout.JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE);
    }

    /** Program.load's attr, filled the same way. */
    private static long progAttr(Arena arena, ProgramSpec spec) {
        MemorySegment attr = arena.allocate(BpfAttr.ProgLoad.SIZE, 8);
        attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.PROG_TYPE, spec.type().value());
        attr.set(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.INSN_CNT, spec.instructions().slotCount());
        attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.INSNS, spec.instructions().encode(arena).address());
        attr.set(ValueLayout.JAVA_LONG, BpfAttr.ProgLoad.LICENSE, arena.allocateFrom(spec.license()).address());
        ObjectCalls.putName(attr, BpfAttr.ProgLoad.PROG_NAME, spec.name(), 16, "program");
        byte[] func = spec.funcInfo();
        byte[] line = spec.lineInfo();
        MemorySegment records = arena.allocate(func.length + line.length + 8L, 8);
        MemorySegment.copy(MemorySegment.ofArray(func), 0, records, 0, func.length);
        MemorySegment.copy(MemorySegment.ofArray(line), 0, records, func.length, line.length);
        return attr.get(ValueLayout.JAVA_INT, BpfAttr.ProgLoad.INSN_CNT) + records.byteSize();
    }

    /** ObjectLoader.withFds with made-up fds. */
    private static Instructions withFds(LinkedProgram link, Map<String, Integer> fds) {
        List<Instruction> out = new ArrayList<>(link.instructions().size());
        for (Instruction insn : link.instructions()) {
            if (insn.reference() != null && insn.isWide() && (insn.src() == Instruction.PSEUDO_MAP_FD
                    || insn.src() == Instruction.PSEUDO_MAP_VALUE)) {
                insn = insn.withImm((insn.imm() & 0xffffffff00000000L) | fds.get(insn.reference()));
            }
            out.add(insn);
        }
        return new Instructions(out);
    }
}
