package dev.bpf4j.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;

/** Keys and values on the command line: hex bytes, or typed numbers such as {@code u32:5}. */
final class Bytes {
    private Bytes() {
    }

    /**
     * Parses {@code 01 00 00 00}, {@code 01000000}, {@code 0x01000000} (bytes in memory order), or
     * {@code u8:N}, {@code u16:N}, {@code u32:N}, {@code u64:N}, {@code i32:N}, {@code i64:N} (host order).
     */
    static byte[] parse(String text, String what) {
        String t = text.strip();
        int colon = t.indexOf(':');
        if (colon > 0) {
            String kind = t.substring(0, colon);
            long n;
            try {
                n = Long.decode(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " '" + text + "': not a number after '" + kind + ":'");
            }
            int size = switch (kind) {
                case "u8" -> 1;
                case "u16" -> 2;
                case "u32", "i32" -> 4;
                case "u64", "i64" -> 8;
                default -> throw new IllegalArgumentException(
                        what + " '" + text + "': unknown kind '" + kind + "' (u8, u16, u32, u64, i32, i64)");
            };
            ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(n);
            byte[] all = buffer.array();
            byte[] out = new byte[size];
            System.arraycopy(all, ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 8 - size, out, 0, size);
            return out;
        }
        String hex = t.replace(" ", "");
        if (hex.startsWith("0x") || hex.startsWith("0X")) {
            hex = hex.substring(2);
        }
        if (hex.length() % 2 != 0 || !hex.matches("[0-9a-fA-F]*")) {
            throw new IllegalArgumentException(what + " '" + text + "': expected hex bytes such as '01 00 00 00'"
                    + " or a typed number such as 'u32:1'");
        }
        return HexFormat.of().parseHex(hex);
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
