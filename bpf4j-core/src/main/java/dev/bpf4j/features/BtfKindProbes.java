package dev.bpf4j.features;

import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.internal.sys.Sys;

/** Whether the kernel accepts each BTF kind: load a tiny BTF blob that uses it (with an int to refer to). */
final class BtfKindProbes {
    private BtfKindProbes() {
    }

    static Probe probe(BtfKind kind) {
        if (kind == BtfKind.VOID) {
            return Probe.yes("type id 0, never encoded");
        }
        BtfBlob blob = new BtfBlob();
        int intId = blob.addInt();
        switch (kind) {
            case INT -> { }
            case PTR -> blob.type("", BtfKind.PTR, 0, false, intId);
            case ARRAY -> {
                blob.type("", BtfKind.ARRAY, 0, false, 0);
                blob.word(intId).word(intId).word(2);
            }
            case STRUCT, UNION -> {
                blob.type("probe", kind, 1, false, 4);
                blob.word(blob.name("a")).word(intId).word(0);
            }
            case ENUM -> {
                blob.type("probe", BtfKind.ENUM, 1, false, 4);
                blob.word(blob.name("A")).word(1);
            }
            case ENUM64 -> {
                blob.type("probe", BtfKind.ENUM64, 1, false, 8);
                blob.word(blob.name("A")).word(0).word(1); // 1 << 32: low word 0, high word 1
            }
            case FWD -> blob.type("probe", BtfKind.FWD, 0, false, 0);
            case TYPEDEF -> blob.type("probe", BtfKind.TYPEDEF, 0, false, intId);
            case VOLATILE, CONST -> blob.type("", kind, 0, false, intId);
            case RESTRICT -> {
                int ptr = blob.type("", BtfKind.PTR, 0, false, intId);
                blob.type("", BtfKind.RESTRICT, 0, false, ptr);
            }
            case FUNC_PROTO -> {
                blob.type("", BtfKind.FUNC_PROTO, 1, false, intId);
                blob.word(blob.name("a")).word(intId);
            }
            case FUNC -> {
                int proto = blob.type("", BtfKind.FUNC_PROTO, 0, false, intId);
                blob.type("probe", BtfKind.FUNC, 0, false, proto);
            }
            case VAR -> {
                blob.type("probe", BtfKind.VAR, 0, false, intId);
                blob.word(1); // global
            }
            case DATASEC -> {
                int var = blob.type("probe", BtfKind.VAR, 0, false, intId);
                blob.word(1);
                blob.type(".data", BtfKind.DATASEC, 1, false, 4);
                blob.word(var).word(0).word(4);
            }
            case FLOAT -> blob.type("float", BtfKind.FLOAT, 0, false, 4);
            case DECL_TAG -> {
                int struct = blob.type("probe", BtfKind.STRUCT, 1, false, 4);
                blob.word(blob.name("a")).word(intId).word(0);
                blob.type("tag", BtfKind.DECL_TAG, 0, false, struct);
                blob.word(-1); // the tag is on the struct itself
            }
            case TYPE_TAG -> {
                // a tag sits between a pointer and what it points to
                blob.type("", BtfKind.PTR, 0, false, intId + 2);
                blob.type("tag", BtfKind.TYPE_TAG, 0, false, intId);
            }
            case VOID -> throw new AssertionError();
        }
        int fd = blob.tryLoad();
        if (fd < 0) {
            return Probe.no(-fd, "BPF_BTF_LOAD of a blob with " + kind + " refused");
        }
        Sys.close(fd);
        return Probe.yes();
    }
}
