package dev.bpf4j.internal;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CStringsTest {
    /** The word-at-a-time search against a plain byte loop and UTF-8 decode, over every start. */
    @Test
    void decodesUpToTheFirstNulLikeAByteLoop() {
        Random random = new Random(7);
        for (int length = 0; length < 40; length++) {
            for (int trial = 0; trial < 50; trial++) {
                byte[] b = new byte[length];
                boolean ascii = trial % 2 == 0;
                for (int i = 0; i < length; i++) {
                    // mostly non-zero bytes, in half the trials high ones (0x80-0xff, UTF-8) too, some NULs
                    b[i] = random.nextInt(6) == 0 ? 0 : (byte) (1 + random.nextInt(ascii ? 127 : 255));
                }
                for (int from = 0; from <= length; from++) {
                    assertEquals(byteLoop(b, from), CStrings.at(b, from), "length " + length + " from " + from);
                }
            }
        }
    }

    @Test
    void decodesUtf8() {
        byte[] b = "x\0caf\u00e9 na\u00efve \u2603\0".getBytes(StandardCharsets.UTF_8);
        assertEquals("caf\u00e9 na\u00efve \u2603", CStrings.at(b, 2));
    }

    private static String byteLoop(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return new String(b, from, i - from, StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
