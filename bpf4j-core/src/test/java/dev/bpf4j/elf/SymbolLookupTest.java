package dev.bpf4j.elf;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class SymbolLookupTest {
    private static ElfSymbol symbol(int index, String name, int type) {
        return new ElfSymbol(index, name, index * 8L, 8, ElfSymbol.STB_GLOBAL, type, ElfSymbol.STV_DEFAULT, 3);
    }

    /** Both ways of looking (a scan for few symbols, a hash map for many) give the same answers. */
    @Test
    void findsTheFirstSymbolOfANameAndNeverASectionSymbol() {
        for (int count : new int[] {4, SymbolLookup.FEW, SymbolLookup.FEW + 1, 200}) {
            List<ElfSymbol> symbols = new ArrayList<>();
            symbols.add(symbol(0, "maps", ElfSymbol.STT_SECTION)); // named like a variable, but a section symbol
            for (int i = 1; i < count - 2; i++) {
                symbols.add(symbol(i, "v" + i, ElfSymbol.STT_OBJECT));
            }
            ElfSymbol first = symbol(count - 2, "maps", ElfSymbol.STT_OBJECT);
            symbols.add(first);
            symbols.add(symbol(count - 1, "maps", ElfSymbol.STT_OBJECT)); // a second of that name: not found
            SymbolLookup lookup = SymbolLookup.of(symbols);
            assertSame(first, lookup.first("maps"), count + " symbols");
            assertSame(symbols.get(1), lookup.first("v1"), count + " symbols");
            assertNull(lookup.first("absent"), count + " symbols");
            assertNull(lookup.first(""), count + " symbols");
        }
    }
}
