package dev.bpf4j.cli;

import dev.bpf4j.BpfException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * A kernel object named on the command line: an id, {@code pinned:PATH}, or {@code name:NAME}
 * (which must name exactly one object of that kind).
 */
final class ObjectRef {
    private ObjectRef() {
    }

    static <T extends AutoCloseable> T open(String ref, String kind, List<Integer> ids, IntFunction<T> byId,
            Function<Path, T> pinned, Function<T, String> nameOf) {
        if (ref.startsWith("pinned:")) {
            return pinned.apply(Path.of(ref.substring("pinned:".length())));
        }
        if (ref.startsWith("name:")) {
            String name = ref.substring("name:".length());
            List<Integer> found = new ArrayList<>();
            for (int id : ids) {
                try (T object = byId.apply(id)) {
                    if (nameOf.apply(object).equals(name)) {
                        found.add(id);
                    }
                } catch (BpfException gone) {
                    // it went away between listing and opening
                } catch (Exception e) {
                    throw new BpfException("closing " + kind + " " + id + ": " + e.getMessage(), e);
                }
            }
            if (found.size() != 1) {
                throw new BpfException(found.isEmpty() ? "no " + kind + " is named '" + name + "'"
                        : "several " + kind + "s are named '" + name + "' (ids " + found + "): use an id");
            }
            return byId.apply(found.getFirst());
        }
        try {
            return byId.apply(Integer.parseInt(ref));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + " '" + ref + "': expected an id, pinned:PATH or name:NAME");
        }
    }
}
