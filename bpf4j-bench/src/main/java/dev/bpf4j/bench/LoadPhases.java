package dev.bpf4j.bench;

import dev.bpf4j.BpfObject;
import dev.bpf4j.LoadOptions;
import dev.bpf4j.LoadPlan;
import dev.bpf4j.ObjectSpec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Where a load's time goes: after the load benchmark's warm-up ({@link LoadWarmUp}), the thread CPU
 * time of each step of paced whole loads (parse, prepare, execute, close), beside the same parse and
 * prepare in a tight loop. Parse and prepare make no system call, so their CPU time is user time;
 * execute's includes the kernel's work (verifier, JIT). The gap between the two columns is what cold
 * caches cost after each load's kernel work.
 * <p>
 * {@code java -cp <bench jar and its lib/> dev.bpf4j.bench.LoadPhases [OBJECT [LOADS]]}, from
 * testdata/bpf or with {@code -Dbench.testdata=DIR}; at most 200 loads (kernel pacing, see run-load.sh).
 * Run it pinned as run-load.sh does ({@code -Dbench.cpu=1}, the JVM on another CPU) for comparable figures.
 */
public final class LoadPhases {
    private static final int TIGHT = 2_000;

    private LoadPhases() {
    }

    public static void main(String[] args) throws Exception {
        LoadWarmUp.Command command = LoadWarmUp.Command.start(args);
        String object = command.object();
        int loads = command.loads();
        LoadWarmUp.run(object, command.bytes());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();

        long sum = 0;
        long t0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < TIGHT; i++) {
            sum += ObjectSpec.parse(object, command.bytes()).programs().size();
        }
        long t1 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < TIGHT; i++) {
            sum += BpfObject.prepare(ObjectSpec.parse(object, command.bytes()), LoadOptions.defaults()).programs().size();
        }
        long t2 = threads.getCurrentThreadCpuTime();
        double tightParse = (t1 - t0) / (double) TIGHT;
        double tightPrepare = (t2 - t1) / (double) TIGHT - tightParse;

        long parse = 0, prepare = 0, execute = 0, close = 0;
        for (int i = 0; i < loads; i++) {
            if (i % LoadWarmUp.BATCH == 0) {
                Thread.sleep(LoadWarmUp.PAUSE_MS);
            }
            long a = threads.getCurrentThreadCpuTime();
            ObjectSpec spec = ObjectSpec.parse(object, command.bytes());
            long b = threads.getCurrentThreadCpuTime();
            LoadPlan plan = BpfObject.prepare(spec, LoadOptions.defaults());
            long c = threads.getCurrentThreadCpuTime();
            BpfObject loaded = BpfObject.load(plan);
            long d = threads.getCurrentThreadCpuTime();
            sum += loaded.btfFd();
            loaded.close();
            long e = threads.getCurrentThreadCpuTime();
            parse += b - a;
            prepare += c - b;
            execute += d - c;
            close += e - d;
        }
        System.out.printf("%s, thread CPU µs per operation (checksum %d)%n", object, sum % 10);
        System.out.printf("  tight loop:      parse %6.1f  prepare %6.1f%n", tightParse / 1e3, tightPrepare / 1e3);
        System.out.printf("  %3d paced loads: parse %6.1f  prepare %6.1f  execute %7.1f (with the kernel's work)  close %6.1f%n",
                loads, parse / 1e3 / loads, prepare / 1e3 / loads, execute / 1e3 / loads, close / 1e3 / loads);
    }
}
