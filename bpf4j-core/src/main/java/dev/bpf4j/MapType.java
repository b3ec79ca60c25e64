package dev.bpf4j;

/** Map types, numbered as in the kernel's {@code enum bpf_map_type}. */
public enum MapType {
    UNSPEC(0),
    HASH(1),
    ARRAY(2),
    PROG_ARRAY(3),
    PERF_EVENT_ARRAY(4),
    PERCPU_HASH(5),
    PERCPU_ARRAY(6),
    STACK_TRACE(7),
    CGROUP_ARRAY(8),
    LRU_HASH(9),
    LRU_PERCPU_HASH(10),
    LPM_TRIE(11),
    ARRAY_OF_MAPS(12),
    HASH_OF_MAPS(13),
    DEVMAP(14),
    SOCKMAP(15),
    CPUMAP(16),
    XSKMAP(17),
    SOCKHASH(18),
    CGROUP_STORAGE(19),
    REUSEPORT_SOCKARRAY(20),
    PERCPU_CGROUP_STORAGE(21),
    QUEUE(22),
    STACK(23),
    SK_STORAGE(24),
    DEVMAP_HASH(25),
    STRUCT_OPS(26),
    RINGBUF(27),
    INODE_STORAGE(28),
    TASK_STORAGE(29),
    BLOOM_FILTER(30),
    USER_RINGBUF(31),
    CGRP_STORAGE(32),
    ARENA(33);

    private static final MapType[] BY_VALUE = new MapType[34];

    static {
        for (MapType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    private final int value;

    MapType(int value) {
        this.value = value;
    }

    /** The kernel's number for this constant. */
    public int value() {
        return value;
    }

    /** The kernel's name, such as {@code BPF_MAP_TYPE_HASH}. */
    public String kernelName() {
        return "BPF_MAP_TYPE_" + name();
    }

    /** The constant for a kernel number, or null for numbers newer than this enum. */
    public static MapType ofValue(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** Parses {@code hash}, {@code HASH} or {@code BPF_MAP_TYPE_HASH} style names; null if unknown. */
    public static MapType ofName(String name) {
        String n = name.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("BPF_MAP_TYPE_")) {
            n = n.substring(13);
        }
        for (MapType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        return null;
    }
}
