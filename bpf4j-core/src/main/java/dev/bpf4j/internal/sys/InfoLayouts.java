package dev.bpf4j.internal.sys;

/**
 * Field offsets of the structs BPF_OBJ_GET_INFO_BY_FD fills ({@code bpf_prog_info},
 * {@code bpf_map_info}, {@code bpf_link_info}, {@code bpf_btf_info}), with the size bpf4j passes.
 * Checked against the UAPI header with offsetof when written. Pointer fields take a user address
 * and their length field the buffer size; the kernel writes the full length back.
 */
public final class InfoLayouts {
    private InfoLayouts() {
    }

    /** struct bpf_prog_info. */
    public static final class Prog {
        public static final int TYPE = 0, ID = 4, TAG = 8, TAG_SIZE = 8, JITED_PROG_LEN = 16, XLATED_PROG_LEN = 20,
                JITED_PROG_INSNS = 24, XLATED_PROG_INSNS = 32, LOAD_TIME = 40, CREATED_BY_UID = 48,
                NR_MAP_IDS = 52, MAP_IDS = 56, NAME = 64, NAME_SIZE = 16, IFINDEX = 80,
                /** Bit 0 of the u32 at this offset. */
                GPL_COMPATIBLE = 84,
                NETNS_DEV = 88, NETNS_INO = 96, NR_JITED_KSYMS = 104, NR_JITED_FUNC_LENS = 108, JITED_KSYMS = 112,
                JITED_FUNC_LENS = 120, BTF_ID = 128, RUN_TIME_NS = 192, RUN_CNT = 200, RECURSION_MISSES = 208,
                VERIFIED_INSNS = 216, ATTACH_BTF_OBJ_ID = 220, ATTACH_BTF_ID = 224;
        public static final int SIZE = 232;
    }

    /** struct bpf_map_info. */
    public static final class Map {
        public static final int TYPE = 0, ID = 4, KEY_SIZE = 8, VALUE_SIZE = 12, MAX_ENTRIES = 16, MAP_FLAGS = 20,
                NAME = 24, NAME_SIZE = 16, IFINDEX = 40, BTF_VMLINUX_VALUE_TYPE_ID = 44, NETNS_DEV = 48,
                NETNS_INO = 56, BTF_ID = 64, BTF_KEY_TYPE_ID = 68, BTF_VALUE_TYPE_ID = 72, BTF_VMLINUX_ID = 76,
                MAP_EXTRA = 80;
        public static final int SIZE = 88;
    }

    /** struct bpf_link_info: the common head; per-type unions start at 16. */
    public static final class Link {
        public static final int TYPE = 0, ID = 4, PROG_ID = 8,
                RAW_TRACEPOINT_TP_NAME = 16, RAW_TRACEPOINT_TP_NAME_LEN = 24;
        public static final int SIZE = 48;
    }

    /** struct bpf_btf_info. */
    public static final class Btf {
        public static final int BTF = 0, BTF_SIZE = 8, ID = 12, NAME = 16, NAME_LEN = 24, KERNEL_BTF = 28;
        public static final int SIZE = 32;
    }
}
