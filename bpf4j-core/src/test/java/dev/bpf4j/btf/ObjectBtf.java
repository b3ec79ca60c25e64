package dev.bpf4j.btf;

import dev.bpf4j.elf.ElfFile;
import dev.bpf4j.elf.ElfSection;
import dev.bpf4j.elf.TestObjects;

/** The .BTF and .BTF.ext of a committed test object. */
record ObjectBtf(ElfFile elf, Btf btf, BtfExt ext) {
    static ObjectBtf of(String object) {
        ElfFile elf = ElfFile.read(TestObjects.path(object));
        ElfSection s = elf.section(".BTF").orElseThrow();
        Btf btf = Btf.parse(s.contents(), object + ": " + s.describe(), s.offset());
        ElfSection e = elf.section(".BTF.ext").orElseThrow();
        BtfExt ext = BtfExt.parse(e.contents(), btf, object + ": " + e.describe(), e.offset());
        return new ObjectBtf(elf, btf, ext);
    }
}
