package dev.bpf4j;

import dev.bpf4j.asm.Instructions;

import java.util.List;

/**
 * What the kernel reports about a loaded program (BPF_OBJ_GET_INFO_BY_FD).
 *
 * @param id                   the program's system-wide id
 * @param type                 its type, or null for a type newer than {@link ProgramType}
 * @param typeValue            the kernel's number for the type
 * @param tag                  the 8-byte tag (a hash of the instructions) in hex, as bpftool shows it
 * @param name                 the name given at load (at most 15 bytes)
 * @param xlated               the instructions after verification and rewriting (empty if withheld)
 * @param jited                the JIT-compiled machine code (empty if withheld or not jited)
 * @param jitedLength          the machine code's length, even when its bytes are withheld
 * @param mapIds               ids of the maps the program uses
 * @param loadTimeNs           load time in nanoseconds since boot
 * @param createdByUid         uid of the loading process
 * @param gplCompatible        whether the license is GPL-compatible
 * @param btfId                id of the program's BTF object, or 0
 * @param runCount             number of runs counted while statistics were enabled
 * @param runTimeNs            total run time counted while statistics were enabled
 * @param recursionMisses      runs skipped because the program was already running on the CPU
 * @param verifiedInstructions instructions the verifier processed
 * @param attachBtfObjId       BTF object of the attach target, or 0
 * @param attachBtfId          BTF id of the attach target, or 0
 */
public record ProgramInfo(int id, ProgramType type, int typeValue, String tag, String name, Instructions xlated,
        byte[] jited, int jitedLength, List<Integer> mapIds, long loadTimeNs, int createdByUid,
        boolean gplCompatible, int btfId, long runCount, long runTimeNs, long recursionMisses,
        int verifiedInstructions, int attachBtfObjId, int attachBtfId) {
    public ProgramInfo {
        jited = jited.clone();
        mapIds = List.copyOf(mapIds);
    }

    @Override
    public byte[] jited() {
        return jited.clone();
    }

    @Override
    public String toString() {
        return "ProgramInfo[id=" + id + ", type=" + (type != null ? type : typeValue) + ", name=" + name + ", tag="
                + tag + ", xlated=" + xlated.slotCount() + " slots, jited=" + jitedLength + " bytes, maps=" + mapIds
                + ", runCount=" + runCount + ", runTimeNs=" + runTimeNs + "]";
    }
}
