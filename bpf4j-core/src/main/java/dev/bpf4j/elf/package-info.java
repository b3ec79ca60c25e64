/**
 * A strict ELF64 reader for BPF relocatable objects (either byte order): sections, symbols,
 * relocations. Every offset, size and count is checked against the file; malformed input
 * gives a {@link dev.bpf4j.BpfFormatException} naming the file, the section and the offset.
 */
package dev.bpf4j.elf;
