package dev.bpf4j;

/** A small map for program tests, and test packets. */
final class ProgramTestSupport {
    private ProgramTestSupport() {
    }

    /** A one-entry ARRAY map with u32 keys and u64 values. */
    static BpfMap arrayMap() {
        return BpfMap.create(MapSpec.builder(MapType.ARRAY).name("test_map").keySize(4).valueSize(8).maxEntries(1)
                .build());
    }

    /** The u64 value at key 0 of an array map. */
    static long valueAtZero(BpfMap map) {
        return TypedMap.of(map, Codecs.INT32, Codecs.INT64).get(0);
    }

    /**
     * An Ethernet frame: 14 header bytes followed by {@code payload}. The ethertype stays 0: with
     * the IPv4 type the kernel's skb test run insists on a whole IP header (EINVAL otherwise).
     */
    static byte[] frame(byte... payload) {
        byte[] frame = new byte[14 + payload.length];
        System.arraycopy(payload, 0, frame, 14, payload.length);
        return frame;
    }
}
