package dev.bpf4j;

import dev.bpf4j.internal.sys.Sys;

import java.util.Objects;

/**
 * Everything BPF_MAP_CREATE needs to make one map. Immutable; build one with {@link #builder(MapType)}.
 *
 * <p>{@link #validate()} checks the per-type rules the kernel would otherwise answer with a bare
 * EINVAL (key size 4 for arrays, no key for queues, page-multiple ring buffers...), so that the error
 * names the map and the rule. The BTF fields are for maps whose layout is described by BTF (the object
 * loader sets them); local-storage maps get a minimal BTF made by bpf4j when they are left at zero.
 *
 * @param innerMap     for ARRAY_OF_MAPS / HASH_OF_MAPS: an existing map whose fd serves as the template
 * @param innerSpec    for ARRAY_OF_MAPS / HASH_OF_MAPS: a template spec (a temporary map is made from it)
 * @param numaNode     NUMA node; used only with {@link MapFlags#NUMA_NODE}
 * @param mapExtra     bloom filter: number of hash functions (0 means the kernel's 5); arena: address hint
 * @param ifindex      network device for offloaded maps, 0 otherwise
 */
public record MapSpec(MapType type, String name, int keySize, int valueSize, int maxEntries, int flags,
        BpfMap innerMap, MapSpec innerSpec, int numaNode, long mapExtra, int ifindex, int btfFd,
        int btfKeyTypeId, int btfValueTypeId, int btfVmlinuxValueTypeId) {

    /** Longest map name the kernel keeps (BPF_OBJ_NAME_LEN minus the NUL). */
    public static final int MAX_NAME_LENGTH = 15;
    /** Key size of CGROUP_STORAGE maps keyed by {@code struct bpf_cgroup_storage_key} (with padding). */
    public static final int CGROUP_STORAGE_KEY_SIZE = 16;


    public MapSpec {
        Objects.requireNonNull(type, "map type");
        name = name == null ? "" : name;
    }

    public static Builder builder(MapType type) {
        return new Builder(type);
    }

    /** A builder holding this spec's values, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(type);
        b.name = name;
        b.keySize = keySize;
        b.valueSize = valueSize;
        b.maxEntries = maxEntries;
        b.flags = flags;
        b.innerMap = innerMap;
        b.innerSpec = innerSpec;
        b.numaNode = numaNode;
        b.mapExtra = mapExtra;
        b.ifindex = ifindex;
        b.btfFd = btfFd;
        b.btfKeyTypeId = btfKeyTypeId;
        b.btfValueTypeId = btfValueTypeId;
        b.btfVmlinuxValueTypeId = btfVmlinuxValueTypeId;
        return b;
    }

    /** True for the types whose values hold one slot per possible CPU in user space. */
    public static boolean isPerCpu(MapType type) {
        return switch (type) {
            case PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE -> true;
            default -> false;
        };
    }

    /** True for local-storage maps (owner-keyed by fd, BTF-described values). */
    static boolean isLocalStorage(MapType type) {
        return switch (type) {
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> true;
            default -> false;
        };
    }

    /** Checks the rules for this type; throws a {@link BpfException} naming the map and the rule broken. */
    public void validate() {
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAME_LENGTH) {
            throw invalid("name is too long: at most " + MAX_NAME_LENGTH + " bytes");
        }
        if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw invalid("sizes must not be negative");
        }
        switch (type) {
            case UNSPEC -> throw invalid("UNSPEC is not a map type");
            case STRUCT_OPS -> throw invalid("STRUCT_OPS maps need the kernel struct's BTF and are created by the"
                    + " object loader from a .struct_ops section, not by BpfMap.create");
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> {
                positive("key size", keySize);
                positive("value size", valueSize);
                positive("max entries", maxEntries);
            }
            case ARRAY, PERCPU_ARRAY -> {
                exactly("key size", keySize, 4);
                positive("value size", valueSize);
                positive("max entries", maxEntries);
            }
            case PROG_ARRAY, PERF_EVENT_ARRAY, CGROUP_ARRAY, ARRAY_OF_MAPS, XSKMAP -> {
                exactly("key size", keySize, 4);
                exactly("value size (a file descriptor)", valueSize, 4);
                positive("max entries", maxEntries);
            }
            case HASH_OF_MAPS -> {
                positive("key size", keySize);
                exactly("value size (a map fd)", valueSize, 4);
                positive("max entries", maxEntries);
            }
            case DEVMAP, CPUMAP, SOCKMAP, REUSEPORT_SOCKARRAY -> {
                exactly("key size", keySize, 4);
                oneOf("value size", valueSize, 4, 8);
                positive("max entries", maxEntries);
            }
            case DEVMAP_HASH, SOCKHASH -> {
                positive("key size", keySize);
                oneOf("value size", valueSize, 4, 8);
                positive("max entries", maxEntries);
            }
            case STACK_TRACE -> {
                exactly("key size", keySize, 4);
                if (valueSize == 0 || valueSize % 8 != 0) {
                    throw invalid("value size must be a positive multiple of 8 (one u64 per frame), not " + valueSize);
                }
                positive("max entries", maxEntries);
            }
            case LPM_TRIE -> {
                if (keySize < 5 || keySize > 4 + 256) {
                    throw invalid("key size must be 4 (prefix length) + 1..256 data bytes, not " + keySize);
                }
                positive("value size", valueSize);
                positive("max entries", maxEntries);
                needsFlag(MapFlags.NO_PREALLOC, "NO_PREALLOC");
            }
            case QUEUE, STACK, BLOOM_FILTER -> {
                exactly("key size (these maps have no keys)", keySize, 0);
                positive("value size", valueSize);
                positive("max entries", maxEntries);
                if (type == MapType.BLOOM_FILTER && (mapExtra < 0 || mapExtra > 15)) {
                    throw invalid("map extra (number of hash functions) must be 0..15, not " + mapExtra);
                }
            }
            case RINGBUF, USER_RINGBUF -> {
                exactly("key size", keySize, 0);
                exactly("value size", valueSize, 0);
                if (maxEntries < Sys.pageSize() || Integer.bitCount(maxEntries) != 1) {
                    throw invalid("max entries (the buffer size in bytes) must be a power of 2 and at least the"
                            + " page size " + Sys.pageSize() + ", not " + maxEntries);
                }
            }
            case CGROUP_STORAGE, PERCPU_CGROUP_STORAGE -> {
                oneOf("key size (u64 cgroup id, or struct bpf_cgroup_storage_key)", keySize, 8,
                        CGROUP_STORAGE_KEY_SIZE);
                positive("value size", valueSize);
                exactly("max entries (storage lives with the cgroup)", maxEntries, 0);
            }
            case SK_STORAGE, INODE_STORAGE, TASK_STORAGE, CGRP_STORAGE -> {
                exactly("key size (an fd)", keySize, 4);
                positive("value size", valueSize);
                exactly("max entries (storage lives with its owner)", maxEntries, 0);
                needsFlag(MapFlags.NO_PREALLOC, "NO_PREALLOC");
            }
            case ARENA -> {
                exactly("key size", keySize, 0);
                exactly("value size", valueSize, 0);
                positive("max entries (number of pages)", maxEntries);
                needsFlag(MapFlags.MMAPABLE, "MMAPABLE");
            }
        }
        boolean mapInMap = type == MapType.ARRAY_OF_MAPS || type == MapType.HASH_OF_MAPS;
        if (mapInMap && innerMap == null && innerSpec == null) {
            throw invalid("a map of maps needs an inner map or inner spec as its template");
        }
        if (!mapInMap && (innerMap != null || innerSpec != null)) {
            throw invalid("only ARRAY_OF_MAPS and HASH_OF_MAPS take an inner map");
        }
    }

    private void positive(String what, int value) {
        if (value <= 0) {
            throw invalid(what + " must be positive, not " + value);
        }
    }

    private void exactly(String what, int value, int expected) {
        if (value != expected) {
            throw invalid(what + " must be " + expected + ", not " + value);
        }
    }

    private void oneOf(String what, int value, int a, int b) {
        if (value != a && value != b) {
            throw invalid(what + " must be " + a + " or " + b + ", not " + value);
        }
    }

    private void needsFlag(int flag, String flagName) {
        if ((flags & flag) == 0) {
            throw invalid("needs flag " + flagName);
        }
    }

    private BpfException invalid(String rule) {
        return new BpfException("map '" + name + "' of type " + type + ": " + rule);
    }

    /** Collects a spec's fields; every field not set stays 0 (or null). */
    public static final class Builder {
        private final MapType type;
        private String name = "";
        private int keySize, valueSize, maxEntries, flags, numaNode, ifindex;
        private BpfMap innerMap;
        private MapSpec innerSpec;
        private long mapExtra;
        private int btfFd, btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId;

        private Builder(MapType type) {
            this.type = Objects.requireNonNull(type, "map type");
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder keySize(int keySize) {
            this.keySize = keySize;
            return this;
        }

        public Builder valueSize(int valueSize) {
            this.valueSize = valueSize;
            return this;
        }

        public Builder maxEntries(int maxEntries) {
            this.maxEntries = maxEntries;
            return this;
        }

        /** Sets the {@link MapFlags} (replacing earlier ones). */
        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        public Builder innerMap(BpfMap innerMap) {
            this.innerMap = innerMap;
            return this;
        }

        public Builder innerSpec(MapSpec innerSpec) {
            this.innerSpec = innerSpec;
            return this;
        }

        /** The NUMA node; also sets {@link MapFlags#NUMA_NODE}. */
        public Builder numaNode(int numaNode) {
            this.numaNode = numaNode;
            this.flags |= MapFlags.NUMA_NODE;
            return this;
        }

        public Builder mapExtra(long mapExtra) {
            this.mapExtra = mapExtra;
            return this;
        }

        public Builder ifindex(int ifindex) {
            this.ifindex = ifindex;
            return this;
        }

        /** BTF describing key and value (set by the object loader); the fd is only borrowed. */
        public Builder btf(int btfFd, int keyTypeId, int valueTypeId) {
            this.btfFd = btfFd;
            this.btfKeyTypeId = keyTypeId;
            this.btfValueTypeId = valueTypeId;
            return this;
        }

        public Builder btfVmlinuxValueTypeId(int id) {
            this.btfVmlinuxValueTypeId = id;
            return this;
        }

        public MapSpec build() {
            return new MapSpec(type, name, keySize, valueSize, maxEntries, flags, innerMap, innerSpec, numaNode,
                    mapExtra, ifindex, btfFd, btfKeyTypeId, btfValueTypeId, btfVmlinuxValueTypeId);
        }
    }
}
