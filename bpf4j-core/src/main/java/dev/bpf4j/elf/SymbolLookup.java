package dev.bpf4j.elf;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds a section's symbols by name, the first of a name winning (as a search in symbol order
 * would). A section with few symbols is scanned: a loader asks for a handful of names per section on
 * every load, and a hash map of all of them costs more than the scans when the caches are cold.
 */
public final class SymbolLookup {
    /** Up to this many symbols, a lookup scans rather than builds a hash map. */
    static final int FEW = 16;

    private final List<ElfSymbol> symbols;
    private final Map<String, ElfSymbol> byName; // null: scan

    private SymbolLookup(List<ElfSymbol> symbols) {
        this.symbols = symbols;
        if (symbols.size() <= FEW) {
            this.byName = null;
        } else {
            this.byName = new HashMap<>();
            for (ElfSymbol s : symbols) {
                if (!s.isSection()) {
                    byName.putIfAbsent(s.name(), s);
                }
            }
        }
    }

    /** A lookup over these symbols (those of one section, say); section symbols are never found. */
    public static SymbolLookup of(List<ElfSymbol> symbols) {
        return new SymbolLookup(symbols);
    }

    /** The first symbol with this name that is not a section symbol, or null. */
    public ElfSymbol first(String name) {
        if (byName != null) {
            return byName.get(name);
        }
        for (int i = 0; i < symbols.size(); i++) {
            ElfSymbol s = symbols.get(i);
            if (!s.isSection() && s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }
}
