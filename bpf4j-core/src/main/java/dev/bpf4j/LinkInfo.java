package dev.bpf4j;

/**
 * What the kernel reports about a link (BPF_OBJ_GET_INFO_BY_FD).
 *
 * @param id        the link's system-wide id
 * @param type      its type, or null for a type newer than {@link LinkType}
 * @param typeValue the kernel's number for the type
 * @param progId    id of the program the link holds
 */
public record LinkInfo(int id, LinkType type, int typeValue, int progId) {
}
