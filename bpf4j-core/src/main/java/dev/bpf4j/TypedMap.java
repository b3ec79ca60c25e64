package dev.bpf4j;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link BpfMap} seen through codecs. Absent elements are {@code null} (as in {@link java.util.Map}):
 * {@link #get} and {@link #pop} return null when there is nothing. Per-CPU maps are read and written
 * with {@link #getPerCpu} / {@link #putPerCpu}, one value per possible CPU. Each thread uses its own
 * native buffers; the wrapped map stays owned by the caller (closing it is the caller's job).
 */
public final class TypedMap<K, V> {
    private final BpfMap map;
    private final Codec<K> keys;
    private final Codec<V> values;
    private final ThreadLocal<Buffers> buffers;

    private record Buffers(MemorySegment key, MemorySegment nextKey, MemorySegment value) {
    }

    private TypedMap(BpfMap map, Codec<K> keys, Codec<V> values) {
        this.map = map;
        this.keys = keys;
        this.values = values;
        int keySize = map.keySize();
        int valueBufferSize = map.valueBufferSize();
        this.buffers = ThreadLocal.withInitial(() -> {
            Arena arena = Arena.ofAuto();
            return new Buffers(keySize == 0 ? null : arena.allocate(keySize, 8),
                    keySize == 0 ? null : arena.allocate(keySize, 8),
                    arena.allocate(Math.max(valueBufferSize, 1), 8).asSlice(0, valueBufferSize));
        });
    }

    /**
     * Wraps {@code map}; the codecs' sizes must equal the map's key and (per CPU) value sizes. Use a null
     * key codec for maps without keys (QUEUE, STACK, BLOOM_FILTER).
     */
    public static <K, V> TypedMap<K, V> of(BpfMap map, Codec<K> keys, Codec<V> values) {
        int keySize = keys == null ? 0 : keys.byteSize();
        if (keySize != map.keySize()) {
            throw new BpfException("map '" + map.name() + "': key codec is " + keySize + " bytes, the key size is "
                    + map.keySize());
        }
        if (values.byteSize() != map.valueSize()) {
            throw new BpfException("map '" + map.name() + "': value codec is " + values.byteSize()
                    + " bytes, the value size is " + map.valueSize());
        }
        return new TypedMap<>(map, keys, values);
    }

    public BpfMap map() {
        return map;
    }

    /** The value for {@code key}, or null if absent. */
    public V get(K key) {
        requireShared("get");
        Buffers b = buffers.get();
        keys.encode(key, b.key());
        return map.lookup(b.key(), b.value()) ? values.decode(b.value()) : null;
    }

    public void put(K key, V value) {
        put(key, value, UpdateFlag.ANY);
    }

    public void put(K key, V value, UpdateFlag flag) {
        requireShared("put");
        Buffers b = buffers.get();
        keys.encode(key, b.key());
        values.encode(value, b.value());
        map.update(b.key(), b.value(), flag);
    }

    /** Deletes {@code key}; false if it was absent. */
    public boolean remove(K key) {
        Buffers b = buffers.get();
        keys.encode(key, b.key());
        return map.delete(b.key());
    }

    /** The per-CPU values of {@code key} (index = CPU number), or null if absent. */
    public List<V> getPerCpu(K key) {
        requirePerCpu("getPerCpu");
        Buffers b = buffers.get();
        keys.encode(key, b.key());
        if (!map.lookup(b.key(), b.value())) {
            return null;
        }
        int cpus = BpfMap.possibleCpus();
        List<V> result = new ArrayList<>(cpus);
        for (int cpu = 0; cpu < cpus; cpu++) {
            result.add(values.decode(map.perCpuSlot(b.value(), cpu)));
        }
        return result;
    }

    /** Sets one value per possible CPU (the list's size must be {@link BpfMap#possibleCpus()}). */
    public void putPerCpu(K key, List<V> perCpu, UpdateFlag flag) {
        requirePerCpu("putPerCpu");
        int cpus = BpfMap.possibleCpus();
        if (perCpu.size() != cpus) {
            throw new BpfException("map '" + map.name() + "': " + perCpu.size() + " per-CPU values given, this"
                    + " machine has " + cpus + " possible CPUs");
        }
        Buffers b = buffers.get();
        keys.encode(key, b.key());
        b.value().fill((byte) 0);
        for (int cpu = 0; cpu < cpus; cpu++) {
            values.encode(perCpu.get(cpu), map.perCpuSlot(b.value(), cpu));
        }
        map.update(b.key(), b.value(), flag);
    }

    /** Every key, each once (a snapshot: see {@link BpfMap#keys()}). */
    public List<K> keys() {
        List<K> result = new ArrayList<>();
        for (byte[] key : map.keys()) {
            result.add(keys.decode(MemorySegment.ofArray(key)));
        }
        return result;
    }

    /** Every key with its value (a snapshot; keys deleted meanwhile are left out). */
    public List<Map.Entry<K, V>> entries() {
        List<Map.Entry<K, V>> result = new ArrayList<>();
        for (K key : keys()) {
            V value = get(key);
            if (value != null) {
                result.add(new AbstractMap.SimpleImmutableEntry<>(key, value));
            }
        }
        return result;
    }

    /** QUEUE/STACK/BLOOM_FILTER: adds a value. */
    public void push(V value) {
        Buffers b = buffers.get();
        values.encode(value, b.value());
        map.push(b.value());
    }

    /** QUEUE/STACK: removes and returns the next value, or null if empty. */
    public V pop() {
        Buffers b = buffers.get();
        return map.pop(b.value()) ? values.decode(b.value()) : null;
    }

    /** QUEUE/STACK: the next value without removing it, or null if empty. */
    public V peek() {
        Buffers b = buffers.get();
        return map.peek(b.value()) ? values.decode(b.value()) : null;
    }

    /** BLOOM_FILTER: false if certainly absent. */
    public boolean contains(V value) {
        Buffers b = buffers.get();
        values.encode(value, b.value());
        return map.contains(b.value());
    }

    private void requireShared(String op) {
        if (map.isPerCpu()) {
            throw new BpfException("map '" + map.name() + "' is per-CPU (" + map.type() + "): use " + op
                    + "PerCpu");
        }
    }

    private void requirePerCpu(String op) {
        if (!map.isPerCpu()) {
            throw new BpfException("map '" + map.name() + "' is not per-CPU: " + op + " needs a per-CPU map");
        }
    }
}
