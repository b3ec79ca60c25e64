package dev.bpf4j.features;

import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;
import dev.bpf4j.internal.sys.Sys;

import java.util.List;

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
            case PTR -> blob.add(id -> new BtfType.Ptr(id, "", intId));
            case ARRAY -> blob.add(id -> new BtfType.Array(id, "", intId, intId, 2));
            case STRUCT, UNION -> blob.add(id -> new BtfType.Struct(id, "probe", kind == BtfKind.UNION, 4, false,
                    List.of(new BtfType.Member("a", intId, 0, 0))));
            case ENUM -> blob.add(id -> new BtfType.Enum(id, "probe", false, 4, false,
                    List.of(new BtfType.EnumValue("A", 1))));
            case ENUM64 -> blob.add(id -> new BtfType.Enum(id, "probe", true, 8, false,
                    List.of(new BtfType.EnumValue("A", 1L << 32))));
            case FWD -> blob.add(id -> new BtfType.Fwd(id, "probe", false));
            case TYPEDEF -> blob.add(id -> new BtfType.Typedef(id, "probe", intId));
            case VOLATILE, CONST, RESTRICT -> {
                int target = kind == BtfKind.RESTRICT ? blob.add(id -> new BtfType.Ptr(id, "", intId)) : intId;
                blob.add(id -> new BtfType.Qualifier(id, "", kind, target));
            }
            case FUNC_PROTO -> blob.add(id -> new BtfType.FuncProto(id, "", intId,
                    List.of(new BtfType.Param("a", intId))));
            case FUNC -> {
                int proto = blob.add(id -> new BtfType.FuncProto(id, "", intId, List.of()));
                blob.add(id -> new BtfType.Func(id, "probe", proto, BtfType.Linkage.STATIC));
            }
            case VAR -> blob.add(id -> new BtfType.Var(id, "probe", intId, BtfType.Linkage.GLOBAL));
            case DATASEC -> {
                int var = blob.add(id -> new BtfType.Var(id, "probe", intId, BtfType.Linkage.GLOBAL));
                blob.add(id -> new BtfType.Datasec(id, ".data", 4, List.of(new BtfType.SecInfo(var, 0, 4))));
            }
            case FLOAT -> blob.add(id -> new BtfType.Float(id, "float", 4));
            case DECL_TAG -> {
                int struct = blob.add(id -> new BtfType.Struct(id, "probe", false, 4, false,
                        List.of(new BtfType.Member("a", intId, 0, 0))));
                blob.add(id -> new BtfType.DeclTag(id, "tag", struct, -1, false)); // on the struct itself
            }
            case TYPE_TAG -> {
                // a tag sits between a pointer and what it points to
                blob.add(id -> new BtfType.Ptr(id, "", id + 1));
                blob.add(id -> new BtfType.TypeTag(id, "tag", intId, false));
            }
            case VOID -> throw new AssertionError();
        }
        return load(blob, "a blob with " + kind);
    }

    /** A FUNC with global linkage (its parameter named, as the kernel wants for a global function). */
    static Probe globalFunction() {
        BtfBlob blob = new BtfBlob();
        int intId = blob.addInt();
        int proto = blob.add(id -> new BtfType.FuncProto(id, "", intId, List.of(new BtfType.Param("a", intId))));
        blob.add(id -> new BtfType.Func(id, "probe", proto, BtfType.Linkage.GLOBAL));
        return load(blob, "a global FUNC");
    }

    private static Probe load(BtfBlob blob, String what) {
        int fd = blob.tryLoad();
        if (fd < 0) {
            return Probe.no(-fd, "BPF_BTF_LOAD of " + what + " refused");
        }
        Sys.close(fd);
        return Probe.yes();
    }
}
