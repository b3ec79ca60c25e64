package dev.bpf4j.elf;

import dev.bpf4j.BpfFormatException;
import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfExt;
import dev.bpf4j.btf.BtfType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Mutation test: random byte flips, truncations and field overwrites of every committed object.
 * Each outcome must be a successful parse or a BpfFormatException; anything else (an index
 * error, a negative size, running out of memory or stack) fails and prints the seed to replay
 * it with {@code -Dbpf4j.fuzz.seed=...}. Runs for a bounded time per object.
 */
class MalformedInputTest {
    private static final long MILLIS_PER_OBJECT = Long.getLong("bpf4j.fuzz.millis", 2000);
    private static final int[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 24, 64};

    static List<String> objects() {
        return TestObjects.all();
    }

    @ParameterizedTest
    @MethodSource("objects")
    void mutatedObjectsParseOrFailWithAFormatError(String object) {
        byte[] original = TestObjects.bytes(object);
        long[][] targets = targetRanges(object, original);
        Long fixed = Long.getLong("bpf4j.fuzz.seed");
        long base = fixed != null ? fixed : new Random().nextLong();
        System.out.println("MalformedInputTest " + object + " base seed " + base);
        long deadline = System.nanoTime() + MILLIS_PER_OBJECT * 1_000_000L;
        int iterations = 0;
        int parsed = 0;
        do {
            long seed = base + iterations;
            Random random = new Random(seed);
            byte[] data = mutate(original, targets, random);
            try {
                parseEverything(object, data);
                parsed++;
            } catch (BpfFormatException expected) {
                // the only acceptable failure
            } catch (Throwable t) {
                fail(object + ": mutation with seed " + seed + " threw " + t + " (replay: -Dbpf4j.fuzz.seed=" + seed
                        + " -Dbpf4j.fuzz.millis=1)", t);
            }
            iterations++;
        } while (fixed == null && System.nanoTime() < deadline);
        System.out.println("MalformedInputTest " + object + ": " + iterations + " mutations, " + parsed + " parsed");
    }

    /** File ranges of the sections whose structure the parsers interpret: BTF, BTF.ext, symbols, relocations. */
    private static long[][] targetRanges(String object, byte[] original) {
        ElfFile elf = ElfFile.parse(object, original);
        return elf.sections().stream()
                .filter(s -> s.name().startsWith(".BTF") || s.type() == ElfSection.SHT_SYMTAB || s.isRelocations())
                .filter(s -> s.size() >= 8)
                .map(s -> new long[] {s.offset(), s.size()}).toArray(long[][]::new);
    }

    /** One to four mutations of a copy of the object. */
    static byte[] mutate(byte[] original, long[][] targets, Random random) {
        byte[] data = original.clone();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            switch (random.nextInt(6)) {
                case 0 -> data[random.nextInt(data.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> data[random.nextInt(data.length)] = (byte) random.nextInt(256);
                case 2 -> data = Arrays.copyOf(data, random.nextInt(data.length + 1));
                case 3 -> overwriteField(data, random, headerRegion(data, random));
                case 4 -> {
                    long[] t = targets[random.nextInt(targets.length)];
                    // BTF headers and record headers sit near the start of their sections
                    long into = random.nextBoolean() ? random.nextInt(32) : random.nextLong(t[1]);
                    overwriteField(data, random, (int) Math.min(t[0] + into, data.length - 1));
                }
                default -> overwriteField(data, random, -1);
            }
            if (data.length == 0) {
                break;
            }
        }
        return data;
    }

    /** A position inside the ELF header or the section header table, where fields matter most. */
    private static int headerRegion(byte[] data, Random random) {
        if (data.length < 64 || random.nextInt(3) == 0) {
            return random.nextInt(Math.min(64, data.length));
        }
        long shoff = ByteBuffer.wrap(data).order(data[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN)
                .getLong(0x28);
        if (shoff <= 0 || shoff >= data.length) {
            return random.nextInt(data.length);
        }
        return (int) shoff + random.nextInt((int) (data.length - shoff));
    }

    private static void overwriteField(byte[] data, Random random, int at) {
        if (data.length < 8) {
            return;
        }
        int width = new int[] {2, 4, 8}[random.nextInt(3)];
        int pos = at >= 0 ? at : random.nextInt(data.length);
        pos = Math.min(pos & ~(width - 1), data.length - width);
        long value = random.nextBoolean() ? INTERESTING[random.nextInt(INTERESTING.length)]
                : random.nextInt(data.length * 2 + 1);
        ByteBuffer b = ByteBuffer.wrap(data).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        switch (width) {
            case 2 -> b.putShort(pos, (short) value);
            case 4 -> b.putInt(pos, (int) value);
            default -> b.putLong(pos, value);
        }
    }

    @org.junit.jupiter.api.Test
    void btfSectionsWithoutFileContentsAreRefusedByName() {
        byte[] original = TestObjects.bytes("tailcall.o");
        for (String name : List.of(".BTF", ".BTF.ext")) {
            for (int type : new int[] {ElfSection.SHT_NOBITS, ElfSection.SHT_NULL}) {
                byte[] data = original.clone();
                ElfFile elf = ElfFile.parse("tailcall.o", data);
                ElfSection section = elf.section(name).orElseThrow();
                ByteBuffer header = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                int at = (int) header.getLong(0x28) + section.index() * header.getShort(0x3a) + 4; // its sh_type
                header.putInt(at, type);
                BpfFormatException e = assertThrows(BpfFormatException.class,
                        () -> dev.bpf4j.ObjectSpec.parse("tailcall.o", data));
                org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("tailcall.o")
                        && e.getMessage().contains(name) && e.getMessage().contains("has no contents in the file"),
                        e.getMessage());
            }
        }
    }

    /** Everything the parsing half offers, touched once. */
    static void parseEverything(String name, byte[] data) {
        ElfFile elf = ElfFile.parse(name, data);
        for (ElfSection s : elf.sections()) {
            if (s.isRelocations()) {
                for (ElfRelocation r : elf.relocations(s)) {
                    elf.symbol(r.symbolIndex());
                }
            }
            elf.symbolsIn(s);
        }
        ElfSection btfSection = elf.section(".BTF").orElse(null);
        if (btfSection == null) {
            return;
        }
        Btf btf;
        try {
            btf = Btf.parse(btfSection.contents(), name + ": " + btfSection.describe(), btfSection.offset());
        } catch (BpfFormatException e) {
            // an object's BTF is checked by a scan and decoded lazily: it must refuse the same blobs, in the same
            // words (the object path refuses a .BTF without file contents outright: not compared)
            if (!btfSection.hasFileContents()) {
                throw e;
            }
            BpfFormatException fromObject = assertThrows(BpfFormatException.class, () -> dev.bpf4j.ObjectSpec.parse(name, data));
            assertEquals(e.getMessage(), fromObject.getMessage());
            throw e;
        }
        for (BtfType t : btf.types()) {
            tolerate(() -> btf.sizeOf(t.id()));
            tolerate(() -> btf.cName(t.id()));
            tolerate(() -> btf.resolve(t.id()));
        }
        btf.encode();
        ElfSection extSection = elf.section(".BTF.ext").orElse(null);
        if (extSection != null) {
            BtfExt.parse(extSection.contents(), btf, name + ": " + extSection.describe(), extSection.offset());
        }
        dev.bpf4j.ObjectSpec spec = dev.bpf4j.ObjectSpec.parse(name, data);
        assertEquals(btf.types(), spec.btf().orElseThrow().types(), "the object's lazily decoded BTF");
    }

    /** Calls that legitimately fail on some types (void has no size) may only fail with a format error. */
    private static void tolerate(Runnable r) {
        try {
            r.run();
        } catch (BpfFormatException ok) {
            // expected for some types
        }
    }
}
