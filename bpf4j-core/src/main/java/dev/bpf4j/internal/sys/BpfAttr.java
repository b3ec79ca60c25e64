package dev.bpf4j.internal.sys;

/**
 * Field offsets of {@code union bpf_attr}, one nested class per command group, with the size
 * passed to the kernel. Checked against the UAPI header (offsetof) when written; fields a
 * command does not set stay zero because attribute blocks are zero-filled.
 */
public final class BpfAttr {
    private BpfAttr() {
    }

    /** BPF_MAP_CREATE. */
    public static final class MapCreate {
        public static final int MAP_TYPE = 0, KEY_SIZE = 4, VALUE_SIZE = 8, MAX_ENTRIES = 12, MAP_FLAGS = 16,
                INNER_MAP_FD = 20, NUMA_NODE = 24, MAP_NAME = 28, MAP_IFINDEX = 44, BTF_FD = 48,
                BTF_KEY_TYPE_ID = 52, BTF_VALUE_TYPE_ID = 56, BTF_VMLINUX_VALUE_TYPE_ID = 60, MAP_EXTRA = 64,
                VALUE_TYPE_BTF_OBJ_FD = 72, MAP_TOKEN_FD = 76;
        public static final int SIZE = 72;
    }

    /** BPF_MAP_*_ELEM and GET_NEXT_KEY (value and next_key share offset 16). */
    public static final class Elem {
        public static final int MAP_FD = 0, KEY = 8, VALUE = 16, NEXT_KEY = 16, FLAGS = 24;
        public static final int SIZE = 32;
    }

    /** BPF_MAP_*_BATCH. */
    public static final class Batch {
        public static final int IN_BATCH = 0, OUT_BATCH = 8, KEYS = 16, VALUES = 24, COUNT = 32, MAP_FD = 36,
                ELEM_FLAGS = 40, FLAGS = 48;
        public static final int SIZE = 56;
    }

    /** BPF_PROG_LOAD. */
    public static final class ProgLoad {
        public static final int PROG_TYPE = 0, INSN_CNT = 4, INSNS = 8, LICENSE = 16, LOG_LEVEL = 24,
                LOG_SIZE = 28, LOG_BUF = 32, KERN_VERSION = 40, PROG_FLAGS = 44, PROG_NAME = 48,
                PROG_IFINDEX = 64, EXPECTED_ATTACH_TYPE = 68, PROG_BTF_FD = 72, FUNC_INFO_REC_SIZE = 76,
                FUNC_INFO = 80, FUNC_INFO_CNT = 88, LINE_INFO_REC_SIZE = 92, LINE_INFO = 96,
                LINE_INFO_CNT = 104, ATTACH_BTF_ID = 108, ATTACH_PROG_FD = 112, ATTACH_BTF_OBJ_FD = 112,
                CORE_RELO_CNT = 116, FD_ARRAY = 120, CORE_RELOS = 128, CORE_RELO_REC_SIZE = 136,
                LOG_TRUE_SIZE = 140;
        /** Up to log_true_size (kernel 6.4+); older kernels accept it when the extra bytes are zero. */
        public static final int SIZE = 144;
    }

    /** BPF_OBJ_PIN and BPF_OBJ_GET. */
    public static final class Obj {
        public static final int PATHNAME = 0, BPF_FD = 8, FILE_FLAGS = 12, PATH_FD = 16;
        public static final int SIZE = 20;
    }

    /** BPF_PROG_TEST_RUN. */
    public static final class TestRun {
        public static final int PROG_FD = 0, RETVAL = 4, DATA_SIZE_IN = 8, DATA_SIZE_OUT = 12, DATA_IN = 16,
                DATA_OUT = 24, REPEAT = 32, DURATION = 36, CTX_SIZE_IN = 40, CTX_SIZE_OUT = 44, CTX_IN = 48,
                CTX_OUT = 56, FLAGS = 64, CPU = 68, BATCH_SIZE = 72;
        public static final int SIZE = 80;
    }

    /** BPF_*_GET_NEXT_ID and BPF_*_GET_FD_BY_ID. */
    public static final class GetId {
        public static final int START_ID = 0, ID = 0, NEXT_ID = 4, OPEN_FLAGS = 8;
        public static final int SIZE = 12;
    }

    /** BPF_OBJ_GET_INFO_BY_FD. */
    public static final class Info {
        public static final int BPF_FD = 0, INFO_LEN = 4, INFO = 8;
        public static final int SIZE = 16;
    }

    /** BPF_PROG_BIND_MAP. */
    public static final class BindMap {
        public static final int PROG_FD = 0, MAP_FD = 4, FLAGS = 8;
        public static final int SIZE = 12;
    }

    /** BPF_MAP_FREEZE. */
    public static final class Freeze {
        public static final int MAP_FD = 0;
        public static final int SIZE = 4;
    }

    /** BPF_ENABLE_STATS. */
    public static final class EnableStats {
        public static final int TYPE = 0;
        public static final int SIZE = 4;
    }

    /** BPF_BTF_LOAD. */
    public static final class BtfLoad {
        public static final int BTF = 0, BTF_LOG_BUF = 8, BTF_SIZE = 16, BTF_LOG_SIZE = 20, BTF_LOG_LEVEL = 24,
                BTF_LOG_TRUE_SIZE = 28;
        public static final int SIZE = 32;
    }

    /** BPF_PROG_ATTACH and BPF_PROG_DETACH. */
    public static final class ProgAttach {
        public static final int TARGET_FD = 0, ATTACH_BPF_FD = 4, ATTACH_TYPE = 8, ATTACH_FLAGS = 12,
                REPLACE_BPF_FD = 16;
        public static final int SIZE = 20;
    }

    /** BPF_LINK_CREATE (the common head; per-type unions start at 16). */
    public static final class LinkCreate {
        public static final int PROG_FD = 0, TARGET_FD = 4, ATTACH_TYPE = 8, FLAGS = 12, TARGET_BTF_ID = 16;
        public static final int SIZE = 64;
    }

    /** BPF_RAW_TRACEPOINT_OPEN. */
    public static final class RawTracepoint {
        public static final int NAME = 0, PROG_FD = 8;
        public static final int SIZE = 16;
    }
}
