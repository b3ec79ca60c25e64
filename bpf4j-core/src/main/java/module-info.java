/** bpf4j: load, attach and read eBPF programs from Java through FFM. No runtime dependencies. */
module dev.bpf4j.core {
    exports dev.bpf4j;
    exports dev.bpf4j.asm;
    exports dev.bpf4j.attach;
    exports dev.bpf4j.btf;
    exports dev.bpf4j.btf.core;
    exports dev.bpf4j.elf;
    exports dev.bpf4j.features;
    exports dev.bpf4j.tools;
}
