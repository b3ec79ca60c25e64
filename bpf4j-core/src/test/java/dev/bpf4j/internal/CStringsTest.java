package dev.bpf4j.internal;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CStringsTest {
    /** The word-at-a-time search against a plain byte loop, over every start and NUL position. */
    @Test
    void findsTheFirstNulLikeAByteLoop() {
        Random random = new Random(7);
        for (int length = 0; length < 40; length++) {
            for (int trial = 0; trial < 50; trial++) {
                byte[] b = new byte[length];
                for (int i = 0; i < length; i++) {
                    // mostly non-zero bytes, high ones (0x80-0xff, UTF-8) included, some NULs
                    b[i] = random.nextInt(6) == 0 ? 0 : (byte) (1 + random.nextInt(255));
                }
                for (int from = 0; from <= length; from++) {
                    assertEquals(byteLoop(b, from), CStrings.nul(b, from), "length " + length + " from " + from);
                }
            }
        }
    }

    private static int byteLoop(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
