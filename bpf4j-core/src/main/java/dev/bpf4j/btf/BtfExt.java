package dev.bpf4j.btf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsed .BTF.ext: per program section, function info, line info and CO-RE relocation records.
 * Instruction offsets are in bytes from the start of the ELF section, as clang writes them.
 * Record sizes larger than known are accepted (newer fields are skipped).
 */
public final class BtfExt {
    static final int HEADER_MIN = 24;
    static final int HEADER_WITH_CORE = 32;

    /** A function starting at {@code insnOffset}; {@code typeId} is its FUNC in the .BTF. */
    public record FuncInfo(int insnOffset, int typeId) {
    }

    /**
     * The source line for the instruction at {@code insnOffset}. The file name and the line's text
     * stay offsets into the BTF string table, as a load hands them to the kernel; they are decoded
     * when asked for (a verifier log to annotate, a listing), not for every record on every parse.
     */
    public record LineInfo(int insnOffset, int fileNameOffset, int lineOffset, int lineNumber, int column,
                           BtfStrings strings) {
        public String fileName() {
            return strings.get(fileNameOffset);
        }

        public String line() {
            return strings.get(lineOffset);
        }
    }

    /** A CO-RE relocation: the access string (such as {@code 0:1}) is relative to {@code typeId}. */
    public record CoreRelo(int insnOffset, int typeId, String accessString, CoreReloKind kind) {
    }

    private final Map<String, List<FuncInfo>> funcInfos;
    private final Map<String, List<LineInfo>> lineInfos;
    private final Map<String, List<CoreRelo>> coreRelos;

    private BtfExt(Map<String, List<FuncInfo>> funcInfos, Map<String, List<LineInfo>> lineInfos,
                   Map<String, List<CoreRelo>> coreRelos) {
        this.funcInfos = funcInfos;
        this.lineInfos = lineInfos;
        this.coreRelos = coreRelos;
    }

    /** Parses .BTF.ext; names and type ids are checked against {@code btf}. */
    public static BtfExt parse(MemorySegment data, Btf btf, String where, long fileOffset) {
        return parse(new BtfInput(data, where, fileOffset), btf);
    }

    /**
     * Parses the .BTF.ext blob of {@code length} bytes at {@code offset} in {@code file}, reading the
     * array directly; {@code where} is asked for only to word an error.
     */
    public static BtfExt parse(byte[] file, long offset, long length, Btf btf, java.util.function.Supplier<String> where) {
        return parse(new BtfInput(file, offset, length, where), btf);
    }

    private static BtfExt parse(BtfInput in, Btf btf) {
        in.orderFromMagic(BtfParser.MAGIC, "BTF.ext");
        int version = in.u8(2);
        if (version != 1) {
            throw in.error("unsupported BTF.ext version " + version, 2);
        }
        int hdrLen = in.length(4, "header length");
        if (hdrLen < HEADER_MIN) {
            throw in.error("header length " + hdrLen + " is shorter than " + HEADER_MIN, 4);
        }
        in.require(0, hdrLen, "BTF.ext header");
        Reader r = new Reader(in, btf, hdrLen);
        // records lie inside their subsection, which subsection() checked: their fields are read unchecked
        Map<String, List<FuncInfo>> funcs = r.subsection(8, "func_info", 8, at -> {
            int type = r.typeId(in.rawU32(at + 4), at + 4, BtfKind.FUNC);
            return new FuncInfo(in.rawU32(at), type);
        });
        Map<String, List<LineInfo>> lines = r.subsection(16, "line_info", 16, at -> {
            int lineCol = in.rawU32(at + 12);
            return new LineInfo(in.rawU32(at), r.stringOffset(in.rawU32(at + 4), at + 4),
                    r.stringOffset(in.rawU32(at + 8), at + 8), lineCol >>> 10, lineCol & 0x3ff, btf.strings());
        });
        Map<String, List<CoreRelo>> relos = hdrLen < HEADER_WITH_CORE ? Map.of()
                : r.subsection(24, "core_relo", 16, at -> {
                    int kindValue = in.rawU32(at + 12);
                    CoreReloKind kind = CoreReloKind.ofValue(kindValue);
                    if (kind == null) {
                        throw in.error("unknown CO-RE relocation kind " + kindValue, at + 12);
                    }
                    return new CoreRelo(in.rawU32(at), r.typeId(in.rawU32(at + 4), at + 4, null),
                            r.string(in.rawU32(at + 8), at + 8), kind);
                });
        return new BtfExt(funcs, lines, relos);
    }

    /** Function info by section name, in file order. */
    public Map<String, List<FuncInfo>> funcInfos() {
        return funcInfos;
    }

    /** Line info by section name, in file order. */
    public Map<String, List<LineInfo>> lineInfos() {
        return lineInfos;
    }

    /** CO-RE relocations by section name, in file order. */
    public Map<String, List<CoreRelo>> coreRelos() {
        return coreRelos;
    }

    /** Decodes the record at a position (a primitive long: a Function<Long, T> boxed one per record). */
    private interface RecordReader<T> {
        T read(long at);
    }

    /** Reads the "rec_size, then per section: name, count, records" layout shared by all three parts. */
    private static final class Reader {
        private final BtfInput in;
        private final Btf btf;
        private final int hdrLen;
        // Strings by offset, direct-mapped (a null string marks a free slot): each part names the
        // same sections, CO-RE relocations repeat access strings; this parse-local cache needs no
        // lock, unlike the table's own. Line info keeps offsets, so 16 slots are plenty.
        private final int[] cachedOffsets = new int[16];
        private final String[] cachedStrings = new String[16];

        Reader(BtfInput in, Btf btf, int hdrLen) {
            this.in = in;
            this.btf = btf;
            this.hdrLen = hdrLen;
        }

        <T> Map<String, List<T>> subsection(int headerField, String what, int minRecord, RecordReader<T> record) {
            int off = in.length(headerField, what, " offset");
            int len = in.length(headerField + 4, what, " length");
            if (len == 0) {
                return Map.of();
            }
            long start = (long) hdrLen + off;
            long end = start + len;
            in.require(start, len, what);
            if (len < 4) {
                throw in.error(what + " is too short for its record size", start);
            }
            int recSize = in.length(start, what, " record size");
            if (recSize < minRecord || recSize % 4 != 0 || recSize > 1024) {
                throw in.error(what + " record size " + recSize + " is not a multiple of 4 between "
                        + minRecord + " and 1024", start);
            }
            Map<String, List<T>> result = new LinkedHashMap<>();
            long p = start + 4;
            while (p < end) {
                if (end - p < 8) {
                    throw in.error(what + " section header is truncated", p);
                }
                String section = string(in.u32(p), p);
                int count = in.length(p + 4, what, " record count");
                long bytes = (long) count * recSize;
                if (bytes > end - (p + 8)) {
                    throw in.error(what + " for section '" + section + "': " + count + " records of " + recSize
                            + " bytes run past the end of " + what, p + 4);
                }
                List<T> list = new ArrayList<>(count);
                for (long at = p + 8; at < p + 8 + bytes; at += recSize) {
                    list.add(record.read(at));
                }
                result.merge(section, Collections.unmodifiableList(list), (a, b) -> {
                    List<T> both = new ArrayList<>(a);
                    both.addAll(b);
                    return Collections.unmodifiableList(both);
                });
                p += 8 + bytes;
            }
            return Collections.unmodifiableMap(result);
        }

        String string(int offset, long at) {
            int slot = (offset * 0x9E3779B9) >>> 28;
            if (cachedStrings[slot] != null && cachedOffsets[slot] == offset) {
                return cachedStrings[slot];
            }
            String s = btf.strings().decode(offset);
            if (s == null) {
                btf.strings().require(offset, in, at, "BTF.ext"); // throws
            }
            cachedOffsets[slot] = offset;
            cachedStrings[slot] = s;
            return s;
        }

        /** A checked string offset: any offset inside the table starts a NUL-terminated string. */
        int stringOffset(int offset, long at) {
            if (Integer.compareUnsigned(offset, btf.strings().size()) >= 0) {
                btf.strings().require(offset, in, at, "BTF.ext"); // throws
            }
            return offset;
        }

        int typeId(int id, long at, BtfKind expected) {
            if (id < 0 || id >= btf.typeCount()) {
                throw in.error("type id " + Integer.toUnsignedString(id) + " out of range (last is "
                        + (btf.typeCount() - 1) + ")", at);
            }
            if (expected != null && btf.kind(id) != expected) { // kind, not type: no FUNC decoded to check it
                throw in.error("type #" + id + " is " + btf.type(id).kind() + ", not " + expected, at);
            }
            return id;
        }
    }
}
