package dev.bpf4j.features;

import dev.bpf4j.BpfMap;
import dev.bpf4j.BpfSyscallException;
import dev.bpf4j.MapFlags;
import dev.bpf4j.MapSpec;
import dev.bpf4j.MapType;
import dev.bpf4j.btf.KernelBtf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Whether a map type exists here: create the smallest map of that type the kernel accepts, then close it. */
final class MapProbes {
    /** The kernel struct whose struct_ops map is created for the STRUCT_OPS probe. */
    static final String STRUCT_OPS_VALUE = "bpf_struct_ops_tcp_congestion_ops";

    private MapProbes() {
    }

    static Probe probe(MapType type) {
        if (type == MapType.UNSPEC) {
            return Probe.no(0, "not a map type");
        }
        if (type == MapType.STRUCT_OPS) {
            return structOps();
        }
        try (BpfMap map = BpfMap.create(shape(type))) {
            return Probe.yes();
        } catch (BpfSyscallException e) {
            return Probe.no(e.errno(), e.hint());
        }
    }

    /** The smallest valid map of each type (local-storage maps get their BTF from BpfMap itself). */
    static MapSpec shape(MapType type) {
        MapSpec.Builder b = MapSpec.builder(type).name("bpf4j_probe");
        return switch (type) {
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, ARRAY, PERCPU_ARRAY, PROG_ARRAY, PERF_EVENT_ARRAY,
                 CGROUP_ARRAY, XSKMAP, DEVMAP, CPUMAP, SOCKMAP, REUSEPORT_SOCKARRAY, DEVMAP_HASH, SOCKHASH ->
                    b.keySize(4).valueSize(4).maxEntries(1).build();
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> b.keySize(4).valueSize(4).maxEntries(1)
                    .innerSpec(MapSpec.builder(MapType.ARRAY).keySize(4).valueSize(4).maxEntries(1).build()).build();
            case STACK_TRACE -> b.keySize(4).valueSize(8).maxEntries(1).build();
            case LPM_TRIE -> b.keySize(8).valueSize(4).maxEntries(1).flags(MapFlags.NO_PREALLOC).build();
            case QUEUE, STACK, BLOOM_FILTER -> b.valueSize(4).maxEntries(1).build();
            case RINGBUF, USER_RINGBUF -> b.maxEntries(4096).build();
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> b.keySize(8).valueSize(8).build();
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> b.keySize(4).valueSize(4)
                    .flags(MapFlags.NO_PREALLOC).build();
            case ARENA -> b.maxEntries(1).flags(MapFlags.MMAPABLE).build();
            case UNSPEC, STRUCT_OPS -> throw new IllegalArgumentException(type + " has no plain shape");
        };
    }

    /** A struct_ops map's value is a kernel struct: it needs that struct's id in the kernel BTF. */
    private static Probe structOps() {
        int valueId = KernelBtf.id(STRUCT_OPS_VALUE, BtfKind.STRUCT);
        if (valueId == 0) {
            return Probe.no(0, "kernel BTF has no struct " + STRUCT_OPS_VALUE);
        }
        int valueSize = (int) KernelBtf.vmlinux().sizeOf(valueId);
        // The kernel also wants the map's own BTF, as a loader would pass its object's: any valid BTF will do.
        BtfBlob own = new BtfBlob();
        own.addInt();
        int btfFd = own.tryLoad();
        if (btfFd < 0) {
            return Probe.no(-btfFd, "cannot load the BTF a struct_ops map must name");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.MapCreate.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, MapType.STRUCT_OPS.value());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, 4);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, valueSize);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, 1);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.BTF_FD, btfFd);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.BTF_VMLINUX_VALUE_TYPE_ID, valueId);
            int fd = Bpf.tryCall(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE);
            if (fd < 0) {
                return Probe.no(-fd, "struct_ops map of " + STRUCT_OPS_VALUE + " refused");
            }
            Sys.close(fd);
            return Probe.yes("struct_ops map of " + STRUCT_OPS_VALUE);
        } finally {
            Sys.close(btfFd);
        }
    }
}
