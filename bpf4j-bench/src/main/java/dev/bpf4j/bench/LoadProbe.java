package dev.bpf4j.bench;

import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.ObjectSpec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;

/**
 * A few paced object loads with per-load wall and on-CPU time, for strace and quick checks:
 * {@code LoadProbe object count}. Batches of 10 with a 50 ms pause (this kernel has wedged under
 * bursts of program loads); at most 100 loads.
 */
public final class LoadProbe {
    private LoadProbe() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        String object = args[0];
        int count = Math.min(100, Integer.parseInt(args[1]));
        byte[] bytes = Files.readAllBytes(LoadPrepareBench.testdata().resolve(object));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < count; i++) {
            if (i % 10 == 0) {
                Thread.sleep(50);
            }
            long wall = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            try (BpfObject obj = BpfObject.load(ObjectSpec.parse(object, bytes), LoadOptions.defaults())) {
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                wall = System.nanoTime() - wall;
            }
            System.out.printf("load %d: %.0f us wall to loaded, %.0f us on CPU%n", i, wall / 1e3, cpu / 1e3);
        }
    }
}
