package dev.bpf4j;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A map keyed by object identity for the functions of one object, which are few: up to
 * {@value #LINEAR} keys it scans with {@code ==}, beyond that it moves to an {@link IdentityHashMap}.
 * The scan asks nothing of the keys: an identity hash code is made by a call into the VM the first
 * time a fresh object is hashed, and that call showed in profiles of cold object loads.
 */
final class IdentityTable<K, V> {
    static final int LINEAR = 32;

    private Object[] keys = new Object[8];
    private Object[] values = new Object[8];
    private int size;
    private Map<K, V> hashed;

    @SuppressWarnings("unchecked")
    V get(K key) {
        if (hashed != null) {
            return hashed.get(key);
        }
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                return (V) values[i];
            }
        }
        return null;
    }

    boolean containsKey(K key) {
        if (hashed != null) {
            return hashed.containsKey(key);
        }
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    void put(K key, V value) {
        if (hashed != null) {
            hashed.put(key, value);
            return;
        }
        for (int i = 0; i < size; i++) {
            if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        if (size == LINEAR) {
            hashed = new IdentityHashMap<>();
            for (int i = 0; i < size; i++) {
                hashed.put((K) keys[i], (V) values[i]);
            }
            hashed.put(key, value);
            keys = null;
            values = null;
            return;
        }
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        keys[size] = key;
        values[size] = value;
        size++;
    }
}
