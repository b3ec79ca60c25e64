#!/usr/bin/env bash
# Map operation benchmarks: bpf4j (JMH, MapOpsBench) beside libbpf (c/map_bench.c) in one run.
# Both are pinned to the same CPU and take turns: C rounds, then the JMH iterations, then C rounds
# again, so machine drift hits both. Prints a table with the median ns/op of each and the ratio
# bpf4j/libbpf, and writes it to results/latest.md.
#   ROUNDS (C rounds before and after, default 5)  ITER (JMH iterations, default 5)  CPU (default 1)
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
ROUNDS=${ROUNDS:-5} ITER=${ITER:-5}
out=target/bench && mkdir -p "$out" results

bash "$root/scripts/setup.sh"
gcc -O2 -Wall -o "$out/map_bench" c/map_bench.c -lbpf -lpthread
(cd "$root" && PATH="$JAVA_HOME/bin:$PATH" mvn -B -q -ntp -DskipTests -pl bpf4j-bench -am package)
cp="target/bpf4j-bench-0.1.0-SNAPSHOT.jar:$(ls target/lib/*.jar | tr '\n' ':')"

taskset -c "$CPU" "$out/map_bench" "$ROUNDS" 500 > "$out/c.txt"
taskset -c "$CPU" "$out/map_bench" "$ROUNDS" 500 idle > "$out/c-idle.txt"
taskset -c "$CPU" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$cp" org.openjdk.jmh.Main \
  MapOpsBench -f 1 -wi 3 -w 1s -i "$ITER" -r 1s -rf json -rff "$out/jmh.json" \
  -jvmArgs "--enable-native-access=ALL-UNNAMED" > "$out/jmh.log"
taskset -c "$CPU" "$out/map_bench" "$ROUNDS" 500 >> "$out/c.txt"
taskset -c "$CPU" "$out/map_bench" "$ROUNDS" 500 idle >> "$out/c-idle.txt"

python3 - "$out/c.txt" "$out/c-idle.txt" "$out/jmh.json" <<'PY' | tee results/latest.md
import json, statistics, sys, datetime, platform
def rounds(path):
    c = {}
    for line in open(path):
        op, ns = line.split()
        c.setdefault(op, []).append(float(ns))
    return c
c, idle = rounds(sys.argv[1]), rounds(sys.argv[2])
jmh = {}
for r in json.load(open(sys.argv[3])):
    op = r["benchmark"].rsplit(".", 1)[1]
    jmh[op] = statistics.median([x for it in r["primaryMetric"]["rawData"] for x in it])
print(f"# Map operations, {datetime.date.today()}, kernel {platform.release()}")
print()
print("| operation | bpf4j ns/op | libbpf ns/op | ratio | libbpf + idle thread ns/op | ratio |")
print("|---|---|---|---|---|---|")
for op in ["arrayLookup", "arrayUpdate", "hashLookup", "hashUpdate", "hashNextKey", "hashLookupBatch"]:
    j, k, i = jmh[op], statistics.median(c[op]), statistics.median(idle[op])
    print(f"| {op} | {j:.1f} | {k:.1f} | {j / k:.3f} | {i:.1f} | {j / i:.3f} |")
print()
print("Medians; ratio = bpf4j / libbpf. nextKey and batch are per key. The idle-thread column runs the same")
print("C program with a second, sleeping thread: a JVM is always multithreaded, and then the kernel takes a")
print("real reference on the map fd in every bpf() call. Rerun: bash bpf4j-bench/run.sh")
PY
