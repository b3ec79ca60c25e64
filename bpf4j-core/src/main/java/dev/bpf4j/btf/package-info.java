/** BTF and BTF.ext: parse, model, encode. */
package dev.bpf4j.btf;
