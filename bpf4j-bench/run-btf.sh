#!/usr/bin/env bash
# Kernel BTF benchmark: bpf4j (JMH, KernelBtfBench) beside libbpf's btf__load_vmlinux_btf()
# (c/btf_bench.c) in one run, on the same CPU, C rounds before and after the JMH iterations.
# Also the heap a parsed kernel BTF retains (KernelBtfBench.main: MemoryMXBean after GC, serial
# GC, fixed heap). Prints a table and writes it to results/btf-latest.md.
#   ROUNDS (C rounds before and after, default 5)  ITER (JMH iterations, default 5)  CPU (default 1)
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ROUNDS=${ROUNDS:-5} ITER=${ITER:-5}
out=target/bench && mkdir -p "$out" results

gcc -O2 -Wall -o "$out/btf_bench" c/btf_bench.c -lbpf
(cd "$root" && PATH="$JAVA_HOME/bin:$PATH" mvn -B -q -o -ntp -DskipTests -pl bpf4j-bench -am package)
cp="target/bpf4j-bench-0.1.0-SNAPSHOT.jar:$(ls target/lib/*.jar | tr '\n' ':')"

taskset -c "$CPU" "$out/btf_bench" "$ROUNDS" > "$out/btf-c.txt"
taskset -c "$CPU" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main \
  KernelBtfBench -f 1 -wi 5 -w 1s -i "$ITER" -r 1s -rf json -rff "$out/btf-jmh.json" \
  -jvmArgs "--enable-native-access=ALL-UNNAMED -Xms256m -Xmx256m" > "$out/btf-jmh.log"
taskset -c "$CPU" "$out/btf_bench" "$ROUNDS" >> "$out/btf-c.txt"
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xms256m -Xmx256m -cp "$cp" dev.bpf4j.bench.KernelBtfBench 7 > "$out/btf-heap.txt"

python3 - "$out/btf-c.txt" "$out/btf-jmh.json" "$out/btf-heap.txt" <<'PY' | tee results/btf-latest.md
import json, statistics, sys, datetime, platform
c = {}
for line in open(sys.argv[1]):
    op, ms = line.split()
    c.setdefault(op, []).append(float(ms))
jmh = {}
for r in json.load(open(sys.argv[2])):
    op = r["benchmark"].rsplit(".", 1)[1]
    jmh[op] = statistics.median([x for it in r["primaryMetric"]["rawData"] for x in it])
heap = float(open(sys.argv[3]).read().split()[1])
print(f"# Kernel BTF load, {datetime.date.today()}, kernel {platform.release()}")
print()
print("| operation | bpf4j ms | libbpf ms | ratio |")
print("|---|---|---|---|")
for op in ["load", "loadAndFind"]:
    j, k = jmh[op], statistics.median(c[op])
    print(f"| {op} | {j:.2f} | {k:.2f} | {j / k:.3f} |")
print()
print(f"Retained heap of the parsed kernel BTF (name index built, task_struct decoded): {heap:.1f} MiB")
print()
print("Medians; ratio = bpf4j / libbpf. load = read /sys/kernel/btf/vmlinux and check/index every type")
print("(bpf4j decodes types lazily); loadAndFind adds a task_struct lookup (bpf4j builds its name index).")
print("Heap: MemoryMXBean used heap after System.gc() (serial GC) with the BTF reachable minus before it.")
print("Rerun: bash bpf4j-bench/run-btf.sh")
PY
