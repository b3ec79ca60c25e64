package dev.bpf4j.btf;

import java.util.List;

/**
 * One BTF type. Every variant carries its id (its position: 0 is void) and its name (empty
 * for anonymous types); references to other types are ids into the same {@link Btf}.
 */
public sealed interface BtfType {
    int id();

    String name();

    BtfKind kind();

    /** The implicit type 0. */
    record Void() implements BtfType {
        public int id() {
            return 0;
        }

        public String name() {
            return "";
        }

        public BtfKind kind() {
            return BtfKind.VOID;
        }
    }

    /** An integer; {@code encoding} holds {@link #SIGNED}, {@link #CHAR}, {@link #BOOL} bits. */
    record Int(int id, String name, int size, int encoding, int bitOffset, int bits) implements BtfType {
        public static final int SIGNED = 1;
        public static final int CHAR = 2;
        public static final int BOOL = 4;

        public BtfKind kind() {
            return BtfKind.INT;
        }

        public boolean isSigned() {
            return (encoding & SIGNED) != 0;
        }
    }

    record Ptr(int id, String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.PTR;
        }
    }

    record Array(int id, String name, int elementType, int indexType, int length) implements BtfType {
        public BtfKind kind() {
            return BtfKind.ARRAY;
        }
    }

    /**
     * A struct or union. With {@code bitfields} (the kind flag) each member's offset word
     * holds a bitfield size in its top byte.
     */
    record Struct(int id, String name, boolean union, int size, boolean bitfields, List<Member> members)
            implements BtfType {
        public Struct {
            members = List.copyOf(members);
        }

        public BtfKind kind() {
            return union ? BtfKind.UNION : BtfKind.STRUCT;
        }
    }

    /** A struct/union member; {@code bitfieldSize} is 0 for a plain member. */
    record Member(String name, int type, int bitOffset, int bitfieldSize) {
    }

    /** ENUM (32-bit values) or ENUM64 ({@code wide}); {@code signed} is the kind flag. */
    record Enum(int id, String name, boolean wide, int size, boolean signed, List<EnumValue> values)
            implements BtfType {
        public Enum {
            values = List.copyOf(values);
        }

        public BtfKind kind() {
            return wide ? BtfKind.ENUM64 : BtfKind.ENUM;
        }
    }

    record EnumValue(String name, long value) {
    }

    /** A forward declaration of a struct, or of a union when {@code union}. */
    record Fwd(int id, String name, boolean union) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FWD;
        }
    }

    record Typedef(int id, String name, int type) implements BtfType {
        public BtfKind kind() {
            return BtfKind.TYPEDEF;
        }
    }

    /** VOLATILE, CONST or RESTRICT. */
    record Qualifier(int id, String name, BtfKind kind, int type) implements BtfType {
    }

    /** {@code __attribute__((btf_type_tag(name)))}; {@code attribute} is the kind flag. */
    record TypeTag(int id, String name, int type, boolean attribute) implements BtfType {
        public BtfKind kind() {
            return BtfKind.TYPE_TAG;
        }
    }

    /** A function; {@code type} is its FUNC_PROTO. */
    record Func(int id, String name, int type, Linkage linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FUNC;
        }
    }

    /** A function signature; {@code returnType} 0 is void. Varargs end with a nameless param of type 0. */
    record FuncProto(int id, String name, int returnType, List<Param> params) implements BtfType {
        public FuncProto {
            params = List.copyOf(params);
        }

        public BtfKind kind() {
            return BtfKind.FUNC_PROTO;
        }
    }

    record Param(String name, int type) {
    }

    /** A global variable. */
    record Var(int id, String name, int type, Linkage linkage) implements BtfType {
        public BtfKind kind() {
            return BtfKind.VAR;
        }
    }

    /** A data section ({@code .data}, {@code .maps}...) listing its variables. */
    record Datasec(int id, String name, int size, List<SecInfo> vars) implements BtfType {
        public Datasec {
            vars = List.copyOf(vars);
        }

        public BtfKind kind() {
            return BtfKind.DATASEC;
        }
    }

    /** A variable in a datasec: its VAR (or FUNC) type, offset and size in the section. */
    record SecInfo(int type, int offset, int size) {
    }

    record Float(int id, String name, int size) implements BtfType {
        public BtfKind kind() {
            return BtfKind.FLOAT;
        }
    }

    /** {@code btf_decl_tag}: on a type ({@code componentIndex} -1) or one of its members/params. */
    record DeclTag(int id, String name, int type, int componentIndex, boolean attribute) implements BtfType {
        public BtfKind kind() {
            return BtfKind.DECL_TAG;
        }
    }

    /** Linkage of FUNC (its vlen) and VAR. */
    enum Linkage {
        STATIC, GLOBAL, EXTERN;

        private static final Linkage[] BY_VALUE = values(); // values() copies its array on every call

        static Linkage of(int value) {
            return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
        }
    }
}
