package dev.bpf4j;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Codecs turn Java values into the bytes a map stores and back (no kernel needed). */
class CodecTest {
    public record Flow(int saddr, int daddr, short sport, short dport, byte proto) {
    }

    public record Stats(long packets, long bytes, byte[] tag, String comm, Flow last) {
    }

    static final StructLayout FLOW = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("saddr"),
            ValueLayout.JAVA_INT.withName("daddr"),
            ValueLayout.JAVA_SHORT.withName("sport"),
            ValueLayout.JAVA_SHORT.withName("dport"),
            ValueLayout.JAVA_BYTE.withName("proto"),
            MemoryLayout.paddingLayout(3));

    static final StructLayout STATS = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("packets"),
            ValueLayout.JAVA_LONG.withName("bytes"),
            MemoryLayout.sequenceLayout(4, ValueLayout.JAVA_BYTE).withName("tag"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("comm"),
            FLOW.withName("last"),
            MemoryLayout.paddingLayout(4));

    private final Arena arena = Arena.ofAuto();

    private <T> T roundTrip(Codec<T> codec, T value) {
        MemorySegment s = arena.allocate(codec.byteSize(), 8);
        codec.encode(value, s);
        return codec.decode(s);
    }

    @Test
    void primitivesUseNativeOrder() {
        assertEquals(-5, roundTrip(Codecs.INT32, -5));
        assertEquals(Long.MIN_VALUE, roundTrip(Codecs.INT64, Long.MIN_VALUE));
        assertEquals((short) 300, roundTrip(Codecs.INT16, (short) 300));
        assertEquals((byte) -1, roundTrip(Codecs.INT8, (byte) -1));
        assertEquals(1.5, roundTrip(Codecs.FLOAT64, 1.5));
        MemorySegment s = arena.allocate(4, 8);
        Codecs.INT32.encode(0x01020304, s);
        assertEquals(0x04, s.get(ValueLayout.JAVA_BYTE, 0), "little endian on this machine");
    }

    @Test
    void unsigned32CoversTheWholeRange() {
        assertEquals(0xFFFF_FFFFL, roundTrip(Codecs.UINT32, 0xFFFF_FFFFL));
        assertThrows(BpfException.class, () -> roundTrip(Codecs.UINT32, 1L << 32));
        assertThrows(BpfException.class, () -> roundTrip(Codecs.UINT32, -1L));
    }

    @Test
    void bytesAndStringsHaveFixedSizes() {
        assertArrayEquals(new byte[] {1, 2, 3}, roundTrip(Codecs.bytes(3), new byte[] {1, 2, 3}));
        assertThrows(BpfException.class, () -> roundTrip(Codecs.bytes(3), new byte[2]));
        assertEquals("bash", roundTrip(Codecs.string(16), "bash"));
        assertEquals("", roundTrip(Codecs.string(16), ""));
        BpfException tooLong = assertThrows(BpfException.class, () -> roundTrip(Codecs.string(4), "abcd"));
        assertTrue(tooLong.getMessage().contains("5 bytes"), tooLong.getMessage());
    }

    @Test
    void recordsMapOntoStructMembersByName() {
        Codec<Flow> flow = Codecs.record(Flow.class, FLOW);
        assertEquals(16, flow.byteSize());
        Flow f = new Flow(0x0a000001, 0x0a000002, (short) 1234, (short) 80, (byte) 6);
        assertEquals(f, roundTrip(flow, f));

        MemorySegment s = arena.allocate(16, 8);
        s.fill((byte) 0x55);
        flow.encode(f, s);
        assertEquals(0, s.get(ValueLayout.JAVA_BYTE, 13), "padding is zeroed");
        assertEquals(80, s.get(ValueLayout.JAVA_SHORT, 10));

        Codec<Stats> stats = Codecs.record(Stats.class, STATS);
        assertEquals(STATS.byteSize(), stats.byteSize());
        Stats value = new Stats(10, 1500, new byte[] {9, 8, 7, 6}, "curl", f);
        Stats back = roundTrip(stats, value);
        assertEquals(10, back.packets());
        assertEquals(1500, back.bytes());
        assertArrayEquals(new byte[] {9, 8, 7, 6}, back.tag());
        assertEquals("curl", back.comm());
        assertEquals(f, back.last());
    }

    public record Mismatch(long saddr) {
    }

    public record Missing(int nowhere) {
    }

    @Test
    void recordsThatDoNotFitTheLayoutAreRefused() {
        BpfException type = assertThrows(BpfException.class, () -> Codecs.record(Mismatch.class, FLOW));
        assertTrue(type.getMessage().contains("saddr"), type.getMessage());
        BpfException name = assertThrows(BpfException.class, () -> Codecs.record(Missing.class, FLOW));
        assertTrue(name.getMessage().contains("no member named 'nowhere'"), name.getMessage());
    }

    @Test
    void layoutCodecCopiesRawBytes() {
        Codec<MemorySegment> raw = Codecs.layout(FLOW);
        MemorySegment in = arena.allocate(16, 8);
        in.set(ValueLayout.JAVA_INT, 4, 77);
        MemorySegment out = roundTrip(raw, in);
        assertEquals(77, out.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
    }
}
