package dev.bpf4j;

import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every map type this kernel offers is created, and the kernel's info about it matches the spec. */
@KernelTest
class MapTypesTest {
    /** Types that cannot be made by BpfMap.create, and why. Anything else must be creatable here. */
    private static final Map<MapType, String> NOT_CREATABLE = new EnumMap<>(Map.of(
            MapType.UNSPEC, "not a map type",
            MapType.STRUCT_OPS, "needs a kernel struct's BTF: created by the object loader"));

    /**
     * Types this kernel may refuse, with the errno it answers. ARENA: the 6.18 kernel here answers EPERM
     * even to root (checked with a plain C bpf() call too), like its fentry/LSM loads.
     */
    private static final Map<MapType, String> KERNEL_MAY_REFUSE = new EnumMap<>(Map.of(MapType.ARENA, "EPERM"));

    static MapSpec specFor(MapType type) {
        MapSpec.Builder b = MapSpec.builder(type).name("t_" + type.ordinal());
        return switch (type) {
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> b.keySize(8).valueSize(16).maxEntries(16).build();
            case ARRAY, PERCPU_ARRAY -> b.keySize(4).valueSize(12).maxEntries(4).build();
            case PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY, XSKMAP, DEVMAP, CPUMAP, SOCKMAP, REUSEPORT_SOCKARRAY ->
                    b.keySize(4).valueSize(4).maxEntries(2).build();
            case DEVMAP_HASH, SOCKHASH -> b.keySize(4).valueSize(4).maxEntries(2).build();
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> b.keySize(4).valueSize(4).maxEntries(2)
                    .innerSpec(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1).build()).build();
            case STACK_TRACE -> b.keySize(4).valueSize(8 * 16).maxEntries(8).build();
            case LPM_TRIE -> b.keySize(8).valueSize(4).maxEntries(8).flags(MapFlags.NO_PREALLOC).build();
            case QUEUE, STACK, BLOOM_FILTER -> b.valueSize(4).maxEntries(8).build();
            case RINGBUF, USER_RINGBUF -> b.maxEntries(4096 * 4).build();
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> b.keySize(8).valueSize(8).build();
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> b.keySize(4).valueSize(8)
                    .flags(MapFlags.NO_PREALLOC).build();
            case ARENA -> b.maxEntries(4).flags(MapFlags.MMAPABLE).build();
            case UNSPEC, STRUCT_OPS -> b.keySize(4).valueSize(4).maxEntries(1).build();
        };
    }

    /** Flags the kernel sets on its own: device maps are read-only for programs. */
    private static int kernelAddedFlags(MapType type) {
        return type == MapType.DEVMAP || type == MapType.DEVMAP_HASH ? MapFlags.RDONLY_PROG : 0;
    }

    @Test
    void everyTypeIsCreatedOrRefusedWithAReason() {
        List<String> failures = new ArrayList<>();
        for (MapType type : MapType.values()) {
            MapSpec spec = specFor(type);
            if (NOT_CREATABLE.containsKey(type)) {
                BpfException e = assertThrows(BpfException.class, () -> BpfMap.create(spec).close(), type.name());
                assertTrue(e.getMessage().contains(type.name()), e.getMessage());
                continue;
            }
            try (BpfMap map = BpfMap.create(spec)) {
                MapInfo info = map.info();
                String got = info.type() + " " + info.name() + " key " + info.keySize() + " value "
                        + info.valueSize() + " max " + info.maxEntries() + " flags " + info.flags();
                String want = type + " " + spec.name() + " key " + spec.keySize() + " value " + spec.valueSize()
                        + " max " + spec.maxEntries() + " flags " + (spec.flags() | kernelAddedFlags(type));
                if (!got.equals(want) || info.id() <= 0 || map.type() != type) {
                    failures.add(type + ": info says '" + got + "' (id " + info.id() + "), expected '" + want + "'");
                }
            } catch (BpfSyscallException e) {
                if (!e.errnoName().equals(KERNEL_MAY_REFUSE.get(type))) {
                    failures.add(type + ": " + e.getMessage());
                } else {
                    System.out.println("refused by this kernel, as known: " + type + ": " + e.getMessage());
                }
            } catch (BpfException e) {
                failures.add(type + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) {
            fail("types this kernel should create but refused:\n" + String.join("\n", failures));
        }
    }

    @Test
    void localStorageGetsGeneratedBtf() {
        try (BpfMap map = BpfMap.create(specFor(MapType.TASK_STORAGE))) {
            MapInfo info = map.info();
            assertTrue(info.btfId() > 0, "BTF id " + info.btfId());
            assertEquals(1, info.btfKeyTypeId());
            assertEquals(4, info.btfValueTypeId());
        }
    }
}
