package dev.bpf4j.btf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Types decoded up front (object BTF, small): a list and name maps. */
final class EagerTypes implements TypeTable {
    private final List<BtfType> types;
    private Map<String, List<BtfType>> byName; // built on first lookup: a loader's rewritten BTF rarely needs one
    private Map<String, List<BtfType>> byEssentialName;

    private EagerTypes(List<BtfType> types) {
        this.types = Collections.unmodifiableList(types);
    }

    /** Types from a caller's list, which may change afterwards. */
    static EagerTypes copyOf(List<BtfType> types) {
        return new EagerTypes(new ArrayList<>(types));
    }

    /** Types from a list nobody else holds (the parser's): kept without a copy. */
    static EagerTypes owning(List<BtfType> types) {
        return new EagerTypes(types);
    }

    @Override
    public List<BtfType> list() {
        return types;
    }

    @Override
    public int count() {
        return types.size();
    }

    @Override
    public BtfType get(int id) {
        return types.get(id);
    }

    @Override
    public synchronized List<BtfType> named(String name) {
        if (byName == null) {
            byName = new HashMap<>();
            for (BtfType t : types) {
                if (!t.name().isEmpty()) {
                    byName.computeIfAbsent(t.name(), k -> new ArrayList<>(1)).add(t);
                }
            }
        }
        return List.copyOf(byName.getOrDefault(name, List.of()));
    }

    @Override
    public synchronized List<BtfType> essentiallyNamed(String essentialName) {
        if (byEssentialName == null) {
            byEssentialName = new HashMap<>();
            for (BtfType t : types) {
                if (!t.name().isEmpty()) {
                    byEssentialName.computeIfAbsent(Btf.essentialName(t.name()), k -> new ArrayList<>(1)).add(t);
                }
            }
        }
        return List.copyOf(byEssentialName.getOrDefault(essentialName, List.of()));
    }
}
