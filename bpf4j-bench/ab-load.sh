#!/usr/bin/env bash
# Does a change make object loads cheaper? Builds bpf4j-core at REV (default HEAD) and from the working
# tree, and loads OBJECT (default socket_xdp.o, from testdata/bpf) with both in one JVM, taking turns
# (LoadAB.java): prints CPU, sampled user and parse + prepare time per load for each, and B - A
# (B = the working tree) with a 95% interval. Separate benchmark runs cannot tell a few µs apart on
# this VM: the same code measured 73 to 172 µs of user time per load in runs minutes apart.
#   bash bpf4j-bench/ab-load.sh [REV [OBJECT [BATCHES]]]
# Kernel safety: as run-load.sh, every load is paced; the warm-up makes LoadWarmUp.WARM_LOADS whole
# loads per side (-Dbench.warmLoads through JAVA_OPTS to change it), and each of the BATCHES (default
# 200) pairs 20 more. tailcall.o makes one map-in-map update per load (see run-load.sh).
# JAVA_OPTS=-Dbench.cold=true: no kernel calls; BATCHES rounds (up to 20000) in which each build parses and
# prepares the object once after a 20 ms sleep (caches as cold as after a load's kernel work): a change to
# parse or prepare resolved to a few µs in minutes, where tailcall.o's whole loads wait for RCU each.
# The interval is within one JVM: HEAD against itself gave +8, +9 and -6 µs (±5) in three cold runs, as
# the JIT places each build's code differently per run. Repeat a run before believing under ~10 µs.
#   CPU (default 1; the measuring thread's)  JVMCPU (the JVM's other threads', default the other CPU)
set -euo pipefail
cd "$(dirname "$0")"
. ./common.sh
export PATH="$JAVA_HOME/bin:$PATH"
rev=${1:-HEAD} object=${2:-socket_xdp.o} batches=${3:-200}
out=target/ab && rm -rf "$out" && mkdir -p "$out"
tree=$(mktemp -d /tmp/bpf4j-ab.XXXXXX)
trap 'git -C "$root" worktree remove --force "$tree" >/dev/null 2>&1 || rm -rf "$tree"' EXIT
git -C "$root" worktree add --detach -q "$tree" "$rev"
(cd "$root" && mvn -B -q -ntp -DskipTests -pl bpf4j-bench -am package)
(cd "$tree" && mvn -B -q -ntp -DskipTests -pl bpf4j-core package)
cp "$tree"/bpf4j-core/target/bpf4j-core-0.1.0-SNAPSHOT.jar "$out/a.jar"
cp "$root"/bpf4j-core/target/bpf4j-core-0.1.0-SNAPSHOT.jar "$out/b.jar"
echo "A = $(git -C "$root" rev-parse --short "$rev"), B = working tree ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- bpf4j-core || echo ', changed'))"
taskset -c "$JVMCPU" java --enable-native-access=ALL-UNNAMED ${JAVA_OPTS:-} -Dbench.cpu="$CPU" \
  -Dbench.testdata="$root/testdata/bpf" -cp target/bpf4j-bench-0.1.0-SNAPSHOT.jar \
  dev.bpf4j.bench.LoadAB "$object" "$out/a.jar" "$out/b.jar" "$batches"
