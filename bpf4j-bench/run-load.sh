#!/usr/bin/env bash
# Object benchmarks: parse, setup (a load with every program off: BTF, maps, data) and load of
# testdata/bpf/{socket_xdp,tailcall}.o through bpf4j (JMH, ObjectLoadBench) beside libbpf 1.1
# (c/load_bench.c: bpf_object__open_mem [+ __load] + __close) in
# one run. Both are pinned to the same CPU and take turns: C, then JMH, then C again, so machine drift
# hits both. Prints a table with the median wall time, the user time and the CPU time per operation
# with the ratios bpf4j/libbpf, and writes it to results/load.md. User time of loads is sampled on the
# measured thread every 100 µs (ModeSampler.java, and the same code in c/load_bench.c).
#
# Kernel safety: every load is 3-4 program loads. What has wedged this kernel is an update of a
# map-in-map (tailcall.o's `outer` initialiser): 6.18 waits for an RCU grace period after each, and
# one such wait has never returned (the task stays in D state for 15-25 minutes). Loads go in batches
# of 10 with a 50 ms pause after each (outside the measured time). The run makes about 660 measured
# loads (C 2 x CBATCHES x 10 per object, JMH (LWARM + LITER) x 10 per object), and each JMH load trial
# first makes 10000 paced whole loads of its object to warm the JIT (LoadWarmUp.WARM_LOADS): for
# tailcall.o about 10000 map-in-map batch updates (bpf4j writes both slots of `outer` in one batch: one
# wait per load; libbpf writes slot by slot: two) and four minutes. A run that stalls for 15-25 minutes has
# met that hang. The measured loads are few next to that; there are as many as there are because the
# user time of a load is sampled: 6-9 samples per load, of which 5-30% land in user space, so with fewer
# loads the C side's user time for socket_xdp.o varied from 30 to 86 µs between runs.
# Setup loads no program, so it runs unpaced (a few tens of thousands of map creates).
#   CPU (default 1; the measuring thread's)  JVMCPU (the JVM's other threads', default 0 on a 2-CPU machine)  ROUNDS (C parse rounds before and after, default 5)  CBATCHES (default 5)
#   LWARM (JMH load warm-up iterations, default 8)  LITER (JMH load iterations, default 15)
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ROUNDS=${ROUNDS:-5} CBATCHES=${CBATCHES:-5} LWARM=${LWARM:-8} LITER=${LITER:-15}
if [ $((2 * (2 * CBATCHES + LWARM + LITER) * 10)) -gt 1000 ]; then
  echo "run-load.sh: more than 1000 measured object loads asked for; see the kernel safety note at the top" >&2
  exit 1
fi
out=target/bench && mkdir -p "$out" results
objects=(socket_xdp.o tailcall.o)
paths=("${objects[@]/#/$root/testdata/bpf/}")

bash "$root/scripts/setup.sh"
gcc -O2 -Wall -o "$out/load_bench" c/load_bench.c -lbpf
(cd "$root" && PATH="$JAVA_HOME/bin:$PATH" mvn -B -q -ntp -DskipTests -pl bpf4j-bench -am package)
cp="target/bpf4j-bench-0.1.0-SNAPSHOT.jar:$(ls target/lib/*.jar | tr '\n' ':')"
rm -f "$out/c-load.txt" "$out/java-load.txt"

c_side() {
  taskset -c "$CPU" "$out/load_bench" parse "$ROUNDS" 500 "${paths[@]}" >> "$out/c-load.txt"
  # libbpf 1.1 cannot load tailcall.o with its programs off (it still fills the prog array's slots)
  taskset -c "$CPU" "$out/load_bench" setup "$ROUNDS" 300 "${paths[0]}" >> "$out/c-load.txt"
  taskset -c "$CPU" "$out/load_bench" load "$CBATCHES" "${paths[@]}" >> "$out/c-load.txt"
}
# The JVM starts on another CPU (JVMCPU) and its measuring thread moves itself to CPU (Affinity.java): it
# has that CPU to itself, as the C side's single thread does, while the JIT and GC threads run elsewhere.
jmh() {
  taskset -c "$JVMCPU" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main \
    -f 1 -jvmArgs "--enable-native-access=ALL-UNNAMED -Dbench.cpu=$CPU -Dbench.testdata=$root/testdata/bpf -Dbench.out=$out/java-load.txt" \
    "$@"
}
c_side
jmh 'ObjectLoadBench.parse' -wi 10 -w 2s -i 5 -r 2s > "$out/jmh-parse.log"
jmh 'ObjectLoadBench.setup' -p object=socket_xdp.o -wi 8 -w 1s -i 5 -r 1s > "$out/jmh-setup.log"
jmh 'ObjectLoadBench.load' -wi "$LWARM" -i "$LITER" > "$out/jmh-load.log"
c_side

python3 - "$out/c-load.txt" "$out/java-load.txt" <<'PY' | tee results/load.md
import statistics, sys, datetime, platform
def read(path):
    r = {}
    for line in open(path):
        kind, obj, *values = line.split()
        r.setdefault((kind, obj), []).append([float(v) for v in values])
    return r
c, j = read(sys.argv[1]), read(sys.argv[2])
WALL, RUSAGE_USER, CPU, SAMPLED_USER, PARSE_IN_LOAD = range(5)
def med(xs, i):
    return statistics.median(x[i] for x in xs)
def mean(xs, i):
    # user time comes from samples: average over all measurements, not a median of small numbers
    return sum(x[i] for x in xs) / len(xs)
print(f"# Object parse and load, {datetime.date.today()}, kernel {platform.release()}")
print()
print("| operation | object | bpf4j µs/op | libbpf µs/op | ratio | bpf4j user µs/op | libbpf user µs/op | user ratio "
      "| user from | bpf4j CPU µs/op | libbpf CPU µs/op | CPU ratio |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for kind in ["parse", "setup", "load"]:
    for obj in ["socket_xdp.o", "tailcall.o"]:
        if (kind, obj) not in c:
            continue
        a, b = j[(kind, obj)], c[(kind, obj)]
        # parse and setup run thousands of times: the kernel's tick-sampled split is exact enough there;
        # a load's user part is a few hundred µs, so it comes from the 100 µs task-clock samples
        user = SAMPLED_USER if kind == "load" else RUSAGE_USER
        source = "100 µs samples" if kind == "load" else "getrusage"
        wa, wb, ua, ub = med(a, WALL) / 1e3, med(b, WALL) / 1e3, mean(a, user) / 1e3, mean(b, user) / 1e3
        ca, cb = mean(a, CPU) / 1e3, mean(b, CPU) / 1e3
        ratio = f"{ua / ub:.2f}" if ub > 0 else "–"
        print(f"| {kind} | {obj} | {wa:.1f} | {wb:.1f} | {wa / wb:.2f} | {ua:.1f} | {ub:.1f} | {ratio} | {source} "
              f"| {ca:.1f} | {cb:.1f} | {ca / cb:.2f} |")
for obj in ["socket_xdp.o", "tailcall.o"]:
    a, b = j[("load", obj)], c[("load", obj)]
    pa, pb = mean(a, PARSE_IN_LOAD) / 1e3, mean(b, PARSE_IN_LOAD) / 1e3
    print(f"| parse inside the load loop | {obj} | {pa:.1f} | {pb:.1f} | {pa / pb:.2f} | {pa:.1f} | {pb:.1f} "
          f"| {pa / pb:.2f} | wall (no syscalls) | – | – | – |")
print()
print("Wall: medians over rounds (parse, setup) or batches of 10 loads (load). CPU: the thread's")
print("CLOCK_THREAD_CPUTIME_ID (user + system, exact), averaged over all operations. User: for parse and setup,")
print("getrusage(RUSAGE_THREAD) ru_utime over thousands of operations; for load, CPU times the share of")
print("task-clock samples (every 100 µs, on the measured thread, both sides alike) that landed in user space. The")
print("kernel's own split samples only once per tick (4 ms here), too coarse for the few hundred paced loads.")
print("Parse inside the load loop: the wall time of the parse (bpf4j ObjectSpec.parse, libbpf bpf_object__open_mem)")
print("in each load, where the kernel's work since the last parse (verifier, JIT, and for tailcall.o the")
print("map-in-map updates, which wait 5-30 ms for an RCU grace period: libbpf waits per slot, two per load, bpf4j")
print("once per load, as it writes both slots in one batch) has left the caches cold.")
print("bpf4j's load iterations follow a warm-up, as a warm process would have run that code: 20000 parse +")
print("BpfObject.prepare runs (every step of a load but its bpf() calls), then 10000 paced whole loads of the measured")
print("object, so that the JIT has compiled every path a load of it takes (LoadWarmUp).")
print("Ratio = bpf4j / libbpf. parse = bpf4j ObjectSpec.parse /")
print("libbpf bpf_object__open_mem + close, from bytes in memory; load = parse + load (maps, BTF, programs) + close;")
print("setup = a load with every program switched off (BTF, maps, data; libbpf 1.1 cannot do this for tailcall.o, whose")
print("prog-array initialiser it fills anyway).")
print("The JVM's JIT and GC threads are not counted (thread CPU time), as a warm process would not pay them; they run")
print("on another CPU than the measured thread, which has its CPU to itself as the C side's thread does.")
print("Rerun: bash bpf4j-bench/run-load.sh")
PY
