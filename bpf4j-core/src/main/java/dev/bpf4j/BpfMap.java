package dev.bpf4j;

import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.CpuList;
import dev.bpf4j.internal.sys.Errno;
import dev.bpf4j.internal.sys.Fd;
import dev.bpf4j.internal.sys.Memlock;
import dev.bpf4j.internal.sys.InfoLayouts;
import dev.bpf4j.internal.sys.ObjectCalls;
import dev.bpf4j.internal.sys.Sys;
import dev.bpf4j.internal.sys.Syscall;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.ref.Reference;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A BPF map owned through its file descriptor. Element operations take native {@link MemorySegment}s
 * of exactly the map's key size and {@link #valueBufferSize()} (for per-CPU maps: one 8-byte-aligned
 * slot per possible CPU); a segment of another size, or a heap segment, is refused with an error
 * naming the map. The element operations allocate nothing: they fill the calling thread's scratch
 * attribute block and call bpf() directly.
 *
 * <p>Conventions: "not found" is a {@code false} result (lookup, delete, nextKey, pop); every other
 * refusal is a {@link BpfSyscallException} naming the command and the map. A closed map throws
 * "map 'NAME' is closed". {@link TypedMap} adds codecs on top.
 */
public final class BpfMap implements AutoCloseable {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final Fd fd;
    private final MapType type;
    private final String name;
    private final int keySize;
    private final int valueSize;
    private final int maxEntries;
    private final int flags;
    private final int valueBufferSize;
    private Arena mapping;
    private MemorySegment mapped;
    private volatile Path pinnedAt;

    private BpfMap(int fd, MapType type, String name, int keySize, int valueSize, int maxEntries, int flags) {
        this.fd = new Fd(fd, "map '" + name + "'");
        this.type = type;
        this.name = name;
        this.keySize = keySize;
        this.valueSize = valueSize;
        this.maxEntries = maxEntries;
        this.flags = flags;
        this.valueBufferSize = type != null && MapSpec.isPerCpu(type)
                ? perCpuSlotSize(valueSize) * CpuList.possibleCpus() : valueSize;
    }

    // ---- creating and opening ----

    /** Creates a map after checking {@code spec} ({@link MapSpec#validate()}). */
    public static BpfMap create(MapSpec spec) {
        try (Arena arena = Arena.ofConfined()) {
            return create(arena, spec, 0);
        }
    }

    /**
     * Creates a map whose BTF type ids (its inner spec's too) refer to {@code objectBtfFd} when the
     * spec leaves its BTF fd 0: the object loader plans its maps before it has loaded the object's BTF.
     * The request is made in {@code memory} (the load's scratch, not a malloc per map).
     */
    static BpfMap create(SegmentAllocator memory, MapSpec spec, int objectBtfFd) {
        spec.validate();
        Memlock.ensureRaised();
        BpfMap temporaryInner = null;
        int ownBtfFd = -1;
        try {
            MemorySegment attr = memory.allocate(BpfAttr.MapCreate.SIZE, 8).fill((byte) 0);
            attr.set(INT, BpfAttr.MapCreate.MAP_TYPE, spec.type().value());
            attr.set(INT, BpfAttr.MapCreate.KEY_SIZE, spec.keySize());
            attr.set(INT, BpfAttr.MapCreate.VALUE_SIZE, spec.valueSize());
            attr.set(INT, BpfAttr.MapCreate.MAX_ENTRIES, spec.maxEntries());
            attr.set(INT, BpfAttr.MapCreate.MAP_FLAGS, spec.flags());
            attr.set(INT, BpfAttr.MapCreate.NUMA_NODE, spec.numaNode());
            ObjectCalls.putName(attr, BpfAttr.MapCreate.MAP_NAME, spec.name(), MapSpec.MAX_NAME_LENGTH + 1, "map");
            attr.set(INT, BpfAttr.MapCreate.MAP_IFINDEX, spec.ifindex());
            attr.set(LONG, BpfAttr.MapCreate.MAP_EXTRA, spec.mapExtra());
            if (spec.innerMap() != null) {
                attr.set(INT, BpfAttr.MapCreate.INNER_MAP_FD, spec.innerMap().fd());
            } else if (spec.innerSpec() != null) {
                temporaryInner = create(memory, spec.innerSpec(), objectBtfFd);
                attr.set(INT, BpfAttr.MapCreate.INNER_MAP_FD, temporaryInner.fd());
            }
            int btfFd = spec.btfFd(), keyTypeId = spec.btfKeyTypeId(), valueTypeId = spec.btfValueTypeId();
            if (btfFd == 0 && (keyTypeId != 0 || valueTypeId != 0)) {
                btfFd = objectBtfFd;
            }
            if (btfFd == 0 && MapSpec.isLocalStorage(spec.type())) {
                ownBtfFd = StorageBtf.load(spec.valueSize());
                btfFd = ownBtfFd;
                keyTypeId = StorageBtf.KEY_TYPE_ID;
                valueTypeId = StorageBtf.VALUE_TYPE_ID;
            }
            attr.set(INT, BpfAttr.MapCreate.BTF_FD, btfFd);
            attr.set(INT, BpfAttr.MapCreate.BTF_KEY_TYPE_ID, keyTypeId);
            attr.set(INT, BpfAttr.MapCreate.BTF_VALUE_TYPE_ID, valueTypeId);
            attr.set(INT, BpfAttr.MapCreate.BTF_VMLINUX_VALUE_TYPE_ID, spec.btfVmlinuxValueTypeId());
            int fd = Bpf.tryCall(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE);
            if (fd < 0) {
                throw Syscall.failure("BPF_MAP_CREATE of map '" + spec.name() + "' (" + spec.type() + ", key "
                        + spec.keySize() + ", value " + spec.valueSize() + ", max entries " + spec.maxEntries()
                        + ", flags 0x" + Integer.toHexString(spec.flags()) + ")", -fd);
            }
            try {
                return new BpfMap(fd, spec.type(), spec.name(), spec.keySize(), spec.valueSize(), spec.maxEntries(),
                        spec.flags());
            } catch (RuntimeException e) {
                Sys.close(fd); // e.g. the possible-CPU list could not be read
                throw e;
            }
        } finally {
            if (temporaryInner != null) {
                temporaryInner.close(); // the outer map keeps only the template's shape
            }
            if (ownBtfFd >= 0) {
                Sys.close(ownBtfFd); // the map holds its own reference to the BTF
            }
        }
    }

    /** Opens the map pinned at {@code path} (on bpffs). */
    public static BpfMap openPinned(Path path) {
        Path absolute = Bpffs.requireOnBpffs(path);
        int fd;
        try {
            fd = ObjectCalls.getPinned(absolute.toString(), ObjectCalls.Kind.MAP);
        } catch (BpfException e) {
            throw new BpfException("cannot open a map pinned at " + absolute + ": " + e.getMessage(), e);
        }
        return adopt(fd, "pinned at " + absolute);
    }

    /** Opens the map with this kernel id. */
    public static BpfMap byId(int id) {
        int fd;
        try {
            fd = ObjectCalls.fdById(BpfCommand.BPF_MAP_GET_FD_BY_ID, id);
        } catch (BpfSyscallException e) {
            throw new BpfException("cannot open map id " + id + ": " + e.getMessage(), e);
        }
        return adopt(fd, "with id " + id);
    }

    /** Ids of every map on the system, in increasing order. */
    public static List<Integer> ids() {
        return ObjectCalls.ids(BpfCommand.BPF_MAP_GET_NEXT_ID);
    }

    /** Takes ownership of a map fd (closing it if its info cannot be read). */
    static BpfMap adopt(int fd, String where) {
        try {
            MapInfo info = readInfo(fd);
            return new BpfMap(fd, info.type(), info.name(), info.keySize(), info.valueSize(), info.maxEntries(),
                    info.flags());
        } catch (RuntimeException e) {
            Sys.close(fd);
            throw new BpfException("fd " + fd + " " + where + " is not a readable map: " + e.getMessage(), e);
        }
    }

    // ---- description ----

    public int fd() {
        return fd.get();
    }

    /** The type, or null when the kernel's type is newer than {@link MapType}. */
    public MapType type() {
        return type;
    }

    public String name() {
        return name;
    }

    public int keySize() {
        return keySize;
    }

    /** The value size as created (per CPU, for per-CPU maps). */
    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() {
        return maxEntries;
    }

    public int flags() {
        return flags;
    }

    public boolean isPerCpu() {
        return type != null && MapSpec.isPerCpu(type);
    }

    /** Bytes a value buffer must have for lookup/update: the value size, or for per-CPU maps one slot per CPU. */
    public int valueBufferSize() {
        return valueBufferSize;
    }

    /** The size of one CPU's slot in a per-CPU value buffer: the value size rounded up to 8. */
    public static int perCpuSlotSize(int valueSize) {
        return (valueSize + 7) & ~7;
    }

    /** Number of possible CPUs (from /sys/devices/system/cpu/possible): the slots of per-CPU values. */
    public static int possibleCpus() {
        return CpuList.possibleCpus();
    }

    /** The slice of a per-CPU value buffer holding {@code cpu}'s value. */
    public MemorySegment perCpuSlot(MemorySegment values, int cpu) {
        return values.asSlice((long) cpu * perCpuSlotSize(valueSize), valueSize);
    }

    /** What the kernel reports about this map now. */
    public MapInfo info() {
        return readInfo(fd.get());
    }

    private static MapInfo readInfo(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(InfoLayouts.Map.SIZE, 8);
            ObjectCalls.info(fd, s);
            int typeValue = s.get(INT, InfoLayouts.Map.TYPE);
            return new MapInfo(s.get(INT, InfoLayouts.Map.ID), MapType.ofValue(typeValue), typeValue,
                    ObjectCalls.cString(s, InfoLayouts.Map.NAME, InfoLayouts.Map.NAME_SIZE),
                    s.get(INT, InfoLayouts.Map.KEY_SIZE), s.get(INT, InfoLayouts.Map.VALUE_SIZE),
                    s.get(INT, InfoLayouts.Map.MAX_ENTRIES), s.get(INT, InfoLayouts.Map.MAP_FLAGS),
                    s.get(INT, InfoLayouts.Map.IFINDEX), s.get(INT, InfoLayouts.Map.BTF_ID),
                    s.get(INT, InfoLayouts.Map.BTF_KEY_TYPE_ID), s.get(INT, InfoLayouts.Map.BTF_VALUE_TYPE_ID),
                    s.get(INT, InfoLayouts.Map.BTF_VMLINUX_VALUE_TYPE_ID), s.get(LONG, InfoLayouts.Map.MAP_EXTRA));
        }
    }

    // ---- element operations (hot paths: no allocation on success) ----

    /** Copies the value of {@code key} into {@code valueOut}; false if there is no such element. */
    public boolean lookup(MemorySegment key, MemorySegment valueOut) {
        return lookup(key, valueOut, 0);
    }

    /** Lookup with flags ({@link UpdateFlag#LOCK} for spin-locked values). */
    public boolean lookup(MemorySegment key, MemorySegment valueOut, long flags) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_ELEM, key, keyAddress(key), valueOut, valueAddress(valueOut), flags, true);
    }

    /** Creates or replaces the element. */
    public void update(MemorySegment key, MemorySegment value) {
        update(key, value, 0);
    }

    public void update(MemorySegment key, MemorySegment value, UpdateFlag flag) {
        update(key, value, flag.value());
    }

    /** Update with raw flags (an OR of {@link UpdateFlag} values). */
    public void update(MemorySegment key, MemorySegment value, long flags) {
        elem(BpfCommand.BPF_MAP_UPDATE_ELEM, key, keyAddress(key), value, valueAddress(value), flags, false);
    }

    /** Deletes the element; false if there was none. */
    public boolean delete(MemorySegment key) {
        return elem(BpfCommand.BPF_MAP_DELETE_ELEM, key, keyAddress(key), null, 0, 0, true);
    }

    /** Copies the value into {@code valueOut} and deletes the element; false if there was none. */
    public boolean lookupAndDelete(MemorySegment key, MemorySegment valueOut) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, key, keyAddress(key), valueOut, valueAddress(valueOut), 0,
                true);
    }

    /**
     * Writes the key after {@code key} (or the first key, when {@code key} is null) into {@code nextKeyOut};
     * false after the last key.
     */
    public boolean nextKey(MemorySegment key, MemorySegment nextKeyOut) {
        long keyAddress = key == null ? 0 : keyAddress(key);
        return elem(BpfCommand.BPF_MAP_GET_NEXT_KEY, key, keyAddress, nextKeyOut, keyAddress(nextKeyOut), 0, true);
    }

    /**
     * Every key, each once, by walking get-next-key. When the key just returned is deleted meanwhile
     * (LRU eviction, a program deleting), the kernel restarts from the first key: repeats are
     * dropped, and the walk stops after {@code 2 * maxEntries} steps so a churning map cannot keep
     * it going forever. A snapshot: keys added or removed during the walk may be missed.
     */
    public List<byte[]> keys() {
        if (keySize == 0) {
            throw new BpfException("map '" + name + "' (" + type + ") has no keys to walk");
        }
        List<byte[]> result = new ArrayList<>();
        java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(keySize, 8);
            MemorySegment next = arena.allocate(keySize, 8);
            MemorySegment previous = null;
            for (long steps = 0; steps < 2L * maxEntries && nextKey(previous, next); steps++) {
                byte[] bytes = next.toArray(ValueLayout.JAVA_BYTE);
                if (seen.add(java.nio.ByteBuffer.wrap(bytes))) {
                    result.add(bytes);
                }
                key.copyFrom(next);
                previous = key;
            }
        }
        return result;
    }

    /** QUEUE/STACK: adds a value; with {@link UpdateFlag#EXIST} a full map drops its oldest value instead of failing. */
    public void push(MemorySegment value, UpdateFlag flag) {
        elem(BpfCommand.BPF_MAP_UPDATE_ELEM, null, 0, value, valueAddress(value), flag.value(), false);
    }

    /** QUEUE/STACK: adds a value; BLOOM_FILTER: adds a member. */
    public void push(MemorySegment value) {
        elem(BpfCommand.BPF_MAP_UPDATE_ELEM, null, 0, value, valueAddress(value), 0, false);
    }

    /** QUEUE/STACK: removes the next value (FIFO for a queue, LIFO for a stack) into {@code valueOut}; false if empty. */
    public boolean pop(MemorySegment valueOut) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_ELEM, null, 0, valueOut, valueAddress(valueOut), 0, true);
    }

    /** QUEUE/STACK: copies the next value without removing it; false if empty. */
    public boolean peek(MemorySegment valueOut) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_ELEM, null, 0, valueOut, valueAddress(valueOut), 0, true);
    }

    /** BLOOM_FILTER: false means certainly absent, true means probably present. */
    public boolean contains(MemorySegment value) {
        return elem(BpfCommand.BPF_MAP_LOOKUP_ELEM, null, 0, value, valueAddress(value), 0, true);
    }

    /**
     * One element command. The segments are passed along with their addresses only to keep them
     * reachable until the kernel is done with them (an automatic arena could free them otherwise).
     */
    private boolean elem(BpfCommand cmd, MemorySegment keySegment, long key, MemorySegment valueSegment, long value,
            long elemFlags, boolean absentIsFalse) {
        MemorySegment attr = Bpf.scratchAttr(BpfAttr.Elem.SIZE);
        attr.set(INT, BpfAttr.Elem.MAP_FD, fd.get());
        attr.set(LONG, BpfAttr.Elem.KEY, key);
        attr.set(LONG, BpfAttr.Elem.VALUE, value);
        attr.set(LONG, BpfAttr.Elem.FLAGS, elemFlags);
        int result = Bpf.tryCall(cmd, attr, BpfAttr.Elem.SIZE);
        Reference.reachabilityFence(keySegment);
        Reference.reachabilityFence(valueSegment);
        if (result >= 0) {
            return true;
        }
        if (result == -Errno.ENOENT && absentIsFalse) {
            return false;
        }
        throw failure(cmd, -result);
    }

    private long keyAddress(MemorySegment key) {
        if (key == null) {
            if (keySize == 0) {
                return 0;
            }
            throw new BpfException("map '" + name + "': a key of " + keySize + " bytes is needed, got null");
        }
        if (key.byteSize() != keySize || !key.isNative()) {
            throw badSegment("key", key, keySize);
        }
        return key.address();
    }

    private long valueAddress(MemorySegment value) {
        if (value == null || value.byteSize() != valueBufferSize || !value.isNative()) {
            throw badSegment("value", value, valueBufferSize);
        }
        return value.address();
    }

    private BpfException badSegment(String what, MemorySegment segment, long expected) {
        if (segment == null) {
            return new BpfException("map '" + name + "': " + what + " segment is null, expected " + expected
                    + " bytes");
        }
        if (!segment.isNative()) {
            return new BpfException("map '" + name + "': " + what + " segment must be native memory (from an"
                    + " Arena), not a heap segment");
        }
        String perCpu = what.equals("value") && isPerCpu()
                ? " (" + possibleCpus() + " possible CPUs x " + perCpuSlotSize(valueSize) + "-byte slots)" : "";
        return new BpfException("map '" + name + "' (" + type + "): " + what + " is " + segment.byteSize()
                + " bytes, the map's " + what + " size is " + expected + perCpu);
    }

    private BpfSyscallException failure(BpfCommand cmd, int errno) {
        return Syscall.failure(cmd.name() + " on map '" + name + "'", errno);
    }

    // ---- batches ----

    /** A resumable position for batch lookups over this map. */
    public BatchCursor batchCursor() {
        return new BatchCursor(Math.max(keySize, 8));
    }

    /**
     * Reads up to {@code count} elements from the cursor's position into {@code keys} (count x key size) and
     * {@code values} (count x {@link #valueBufferSize()}); returns how many were read. When the map is
     * exhausted the cursor becomes {@link BatchCursor#done() done}; further calls return 0.
     */
    public int lookupBatch(BatchCursor cursor, MemorySegment keys, MemorySegment values, int count) {
        return readBatch(BpfCommand.BPF_MAP_LOOKUP_BATCH, cursor, keys, values, count);
    }

    /** Like {@link #lookupBatch} and deletes what it read. */
    public int lookupAndDeleteBatch(BatchCursor cursor, MemorySegment keys, MemorySegment values, int count) {
        return readBatch(BpfCommand.BPF_MAP_LOOKUP_AND_DELETE_BATCH, cursor, keys, values, count);
    }

    /** Writes {@code count} elements with one call (create or replace); returns the number written. */
    public int updateBatch(MemorySegment keys, MemorySegment values, int count) {
        return updateBatch(keys, values, count, UpdateFlag.ANY);
    }

    /**
     * Writes {@code count} elements with one call; returns the number written. The kernel takes only
     * {@link UpdateFlag#ANY} or {@link UpdateFlag#LOCK} for batches (no NOEXIST/EXIST).
     */
    public int updateBatch(MemorySegment keys, MemorySegment values, int count, UpdateFlag flag) {
        if (flag != UpdateFlag.ANY && flag != UpdateFlag.LOCK) {
            throw new BpfException("map '" + name + "': batch updates take only ANY or LOCK, not " + flag);
        }
        checkBatch(keys, values, count);
        MemorySegment attr = batchAttr(keys, values, count, flag.value());
        int result = Bpf.tryCall(BpfCommand.BPF_MAP_UPDATE_BATCH, attr, BpfAttr.Batch.SIZE);
        if (result < 0) {
            throw failure(BpfCommand.BPF_MAP_UPDATE_BATCH, -result);
        }
        return attr.get(INT, BpfAttr.Batch.COUNT);
    }

    /** Deletes the {@code count} keys; stops at the first key that is absent. Returns the number deleted. */
    public int deleteBatch(MemorySegment keys, int count) {
        checkBatch(keys, null, count);
        MemorySegment attr = batchAttr(keys, null, count, 0);
        int result = Bpf.tryCall(BpfCommand.BPF_MAP_DELETE_BATCH, attr, BpfAttr.Batch.SIZE);
        if (result < 0 && result != -Errno.ENOENT) {
            throw failure(BpfCommand.BPF_MAP_DELETE_BATCH, -result);
        }
        return attr.get(INT, BpfAttr.Batch.COUNT);
    }

    private int readBatch(BpfCommand cmd, BatchCursor cursor, MemorySegment keys, MemorySegment values, int count) {
        if (cursor.size() < Math.max(keySize, 8)) {
            throw new BpfException("map '" + name + "': the batch cursor belongs to a map with smaller keys");
        }
        checkBatch(keys, values, count);
        if (cursor.done()) {
            return 0;
        }
        MemorySegment attr = batchAttr(keys, values, count, 0);
        attr.set(LONG, BpfAttr.Batch.IN_BATCH, cursor.inAddress());
        attr.set(LONG, BpfAttr.Batch.OUT_BATCH, cursor.outAddress());
        int result = Bpf.tryCall(cmd, attr, BpfAttr.Batch.SIZE);
        int read = attr.get(INT, BpfAttr.Batch.COUNT);
        if (result == -Errno.ENOENT) {
            cursor.finish();
        } else if (result < 0) {
            throw failure(cmd, -result);
        } else {
            cursor.advance();
        }
        return read;
    }

    private MemorySegment batchAttr(MemorySegment keys, MemorySegment values, int count, long elemFlags) {
        MemorySegment attr = Bpf.scratchAttr(BpfAttr.Batch.SIZE);
        attr.set(LONG, BpfAttr.Batch.KEYS, keys.address());
        attr.set(LONG, BpfAttr.Batch.VALUES, values == null ? 0 : values.address());
        attr.set(INT, BpfAttr.Batch.COUNT, count);
        attr.set(INT, BpfAttr.Batch.MAP_FD, fd.get());
        attr.set(LONG, BpfAttr.Batch.ELEM_FLAGS, elemFlags);
        return attr;
    }

    private void checkBatch(MemorySegment keys, MemorySegment values, int count) {
        if (count <= 0) {
            throw new BpfException("map '" + name + "': batch count must be positive, not " + count);
        }
        if (!keys.isNative() || keys.byteSize() < (long) count * keySize) {
            throw new BpfException("map '" + name + "': batch keys need " + count + " x " + keySize
                    + " bytes of native memory, got " + keys.byteSize() + (keys.isNative() ? "" : " on the heap"));
        }
        if (values != null && (!values.isNative() || values.byteSize() < (long) count * valueBufferSize)) {
            throw new BpfException("map '" + name + "': batch values need " + count + " x " + valueBufferSize
                    + " bytes of native memory, got " + values.byteSize() + (values.isNative() ? "" : " on the heap"));
        }
    }

    // ---- whole-map operations ----

    /** Makes the map read-only for user space from now on (programs may still write). */
    public void freeze() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.Freeze.SIZE);
            attr.set(INT, BpfAttr.Freeze.MAP_FD, fd.get());
            int result = Bpf.tryCall(BpfCommand.BPF_MAP_FREEZE, attr, BpfAttr.Freeze.SIZE);
            if (result < 0) {
                throw failure(BpfCommand.BPF_MAP_FREEZE, -result);
            }
        }
    }

    /**
     * Maps the map's memory (ARRAY with {@link MapFlags#MMAPABLE}: the values, each padded to 8 bytes;
     * ARENA: its pages) read-write into this process. The same segment is returned on later calls; it is
     * unmapped, and becomes unusable, when the map is closed.
     */
    public synchronized MemorySegment mmap() {
        int descriptor = fd.get();
        if (mapped != null) {
            return mapped;
        }
        if ((flags & MapFlags.MMAPABLE) == 0) {
            throw new BpfException("map '" + name + "' (" + type + ") cannot be mapped: it was not created with"
                    + " MapFlags.MMAPABLE");
        }
        long length = type == MapType.ARENA ? (long) maxEntries * Sys.pageSize()
                : roundUp((long) perCpuSlotSize(valueSize) * maxEntries, Sys.pageSize());
        long address;
        try {
            address = Sys.mmap(length, Sys.PROT_READ | Sys.PROT_WRITE, Sys.MAP_SHARED, descriptor, 0);
        } catch (BpfSyscallException e) {
            throw new BpfException("cannot mmap map '" + name + "': " + e.getMessage()
                    + (e.errno() == Errno.EPERM ? " (a frozen map cannot be mapped writable)" : ""), e);
        }
        Arena arena = Arena.ofShared();
        mapped = MemorySegment.ofAddress(address).reinterpret(length, arena, s -> Sys.munmap(address, length));
        mapping = arena;
        return mapped;
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }

    /** Pins the map at {@code path}, which must be on a bpffs mount (mounted at /sys/fs/bpf if missing). */
    public void pin(Path path) {
        Path absolute = Bpffs.requireOnBpffs(path);
        try {
            ObjectCalls.pin(fd.get(), absolute.toString());
        } catch (BpfSyscallException e) {
            throw new BpfException("cannot pin map '" + name + "' at " + absolute + ": " + e.getMessage(), e);
        }
        pinnedAt = absolute;
    }

    /** Removes the pin made by {@link #pin}; the map itself lives on while fds or programs hold it. */
    public void unpin() {
        Path path = pinnedAt;
        if (path == null) {
            return;
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new BpfException("cannot unpin map '" + name + "' at " + path + ": " + e.getMessage(), e);
        }
        pinnedAt = null;
    }

    /** Closes the fd and unmaps {@link #mmap()} memory. Pins stay (use {@link #unpin()}). */
    @Override
    public synchronized void close() {
        if (mapping != null) {
            mapping.close();
            mapping = null;
            mapped = null;
        }
        fd.close();
    }

    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public String toString() {
        return "BpfMap[" + name + ", " + type + ", key " + keySize + ", value " + valueSize + ", max "
                + maxEntries + (fd.isOpen() ? "" : ", closed") + "]";
    }
}
