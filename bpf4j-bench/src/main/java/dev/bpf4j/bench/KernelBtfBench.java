package dev.bpf4j.bench;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.KernelBtf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reading the kernel's BTF as bpf4j does (read /sys/kernel/btf/vmlinux, check every record,
 * index where each type starts); c/btf_bench.c times libbpf's btf__load_vmlinux_btf() on the same
 * file, and run-btf.sh reports both. {@code loadAndFind} adds what CO-RE needs next: the name
 * index and one lookup (libbpf's btf__find_by_name_kind scans linearly instead).
 * {@link #main} measures retained heap instead (see there).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KernelBtfBench {
    static final Path VMLINUX = KernelBtf.DIRECTORY.resolve("vmlinux");

    @Benchmark
    public Btf load() {
        return KernelBtf.read(VMLINUX);
    }

    @Benchmark
    public Object loadAndFind() {
        Btf btf = KernelBtf.read(VMLINUX);
        return btf.typesByName("task_struct");
    }

    /**
     * Retained heap of a parsed kernel BTF, ready for CO-RE (name index built, task_struct and
     * what its members point to decoded): MemoryMXBean heap use after System.gc() with the BTF
     * reachable, minus the same without it; the median of ROUNDS rounds, in MiB. Run with a
     * fixed heap and -XX:+UseSerialGC so "used after GC" is exact.
     */
    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        List<Double> mib = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long before = usedAfterGc(memory);
            Btf btf = KernelBtf.read(VMLINUX);
            btf.typesByName("task_struct").forEach(t -> {
                if (t instanceof dev.bpf4j.btf.BtfType.Struct s) {
                    s.members().forEach(m -> btf.resolve(m.type()));
                }
            });
            long after = usedAfterGc(memory);
            mib.add((after - before) / 1048576.0);
            if (btf.typeCount() == 0) {
                throw new AssertionError(); // keeps btf reachable until after the measurement
            }
        }
        mib.sort(null);
        System.out.printf("retained_mib %.2f%n", mib.get(mib.size() / 2));
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
