/**
 * CO-RE ("compile once, run everywhere"): rewrites the field offsets, sizes, existence checks,
 * type ids and enum values a BPF program was compiled with to those of the kernel it runs on.
 * {@link dev.bpf4j.btf.core.CoreRelocator} is a pure function from the object's BTF, a
 * program's instructions and its CO-RE records, and a target BTF, to patched instructions and a
 * description of every relocation.
 */
package dev.bpf4j.btf.core;
