package dev.bpf4j;

/** Link types, numbered as in the kernel's {@code enum bpf_link_type}. */
public enum LinkType {
    UNSPEC(0),
    RAW_TRACEPOINT(1),
    TRACING(2),
    CGROUP(3),
    ITER(4),
    NETNS(5),
    XDP(6),
    PERF_EVENT(7),
    KPROBE_MULTI(8),
    STRUCT_OPS(9),
    NETFILTER(10),
    TCX(11),
    UPROBE_MULTI(12),
    NETKIT(13),
    SOCKMAP(14);

    private static final LinkType[] BY_VALUE = new LinkType[15];

    static {
        for (LinkType t : values()) {
            BY_VALUE[t.value] = t;
        }
    }

    private final int value;

    LinkType(int value) {
        this.value = value;
    }

    /** The kernel's number for this constant. */
    public int value() {
        return value;
    }

    /** The kernel's name, such as {@code BPF_LINK_TYPE_RAW_TRACEPOINT}. */
    public String kernelName() {
        return "BPF_LINK_TYPE_" + name();
    }

    /** The constant for a kernel number, or null for numbers newer than this enum. */
    public static LinkType ofValue(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }

    /** Parses {@code tcx}, {@code TCX} or {@code BPF_LINK_TYPE_TCX} style names; null if unknown. */
    public static LinkType ofName(String name) {
        String n = name.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        if (n.startsWith("BPF_LINK_TYPE_")) {
            n = n.substring(14);
        }
        for (LinkType t : values()) {
            if (t.name().equals(n)) {
                return t;
            }
        }
        return null;
    }
}
