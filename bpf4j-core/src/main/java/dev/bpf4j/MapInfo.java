package dev.bpf4j;

/**
 * What the kernel reports about a map ({@code struct bpf_map_info}). {@code type} is null for a type
 * newer than {@link MapType}; {@code typeValue} is always the kernel's number.
 */
public record MapInfo(int id, MapType type, int typeValue, String name, int keySize, int valueSize,
        int maxEntries, int flags, int ifindex, int btfId, int btfKeyTypeId, int btfValueTypeId,
        int btfVmlinuxValueTypeId, long mapExtra) {
}
