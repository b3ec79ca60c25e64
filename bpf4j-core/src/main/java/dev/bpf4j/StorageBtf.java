package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.internal.sys.BtfCall;
import dev.bpf4j.internal.sys.Syscall;

import java.nio.ByteOrder;
import java.util.List;

/**
 * The smallest BTF a local-storage map (SK/INODE/TASK/CGRP_STORAGE) accepts: the kernel insists on
 * BTF-typed key and value for them. Describes {@code int} for the key and
 * {@code struct bpf4j_storage { unsigned char data[valueSize]; }} for the value.
 */
final class StorageBtf {
    static final int KEY_TYPE_ID = 1;
    static final int VALUE_TYPE_ID = 4;

    private StorageBtf() {
    }

    /** The types, with ids 0 (void) to 4. */
    static Btf btf(int valueSize) {
        return Btf.of(List.of(new BtfType.Void(),
                new BtfType.Int(KEY_TYPE_ID, "int", 4, BtfType.Int.SIGNED, 0, 32),
                new BtfType.Int(2, "unsigned char", 1, 0, 0, 8),
                new BtfType.Array(3, "", 2, KEY_TYPE_ID, valueSize),
                new BtfType.Struct(VALUE_TYPE_ID, "bpf4j_storage", false, valueSize, false,
                        List.of(new BtfType.Member("data", 3, 0, 0)))), ByteOrder.nativeOrder());
    }

    /** Loads it with BPF_BTF_LOAD; returns the new BTF fd (the caller closes it). */
    static int load(int valueSize) {
        int fd = BtfCall.tryLoad(btf(valueSize).encode(ByteOrder.nativeOrder()), null);
        if (fd < 0) {
            throw Syscall.failure("BPF_BTF_LOAD of a local-storage map's BTF", -fd);
        }
        return fd;
    }
}
