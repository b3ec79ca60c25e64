# Sourced by the benchmark scripts (after they cd to this directory): the repository root, JAVA_HOME,
# and the CPUs to measure on.
#   CPU (default 1): where the measured thread runs (the whole JVM, for run.sh and run-btf.sh).
#   JVMCPU: where run-load.sh and ab-load.sh start the JVM, whose measuring thread then moves itself to
#   CPU (Affinity.java) so that the JIT and GC threads do not share its CPU; by default another CPU than
#   CPU, where there is one.
root=$(cd .. && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
CPU=${CPU:-1}
if [ -z "${JVMCPU:-}" ]; then
  JVMCPU=$CPU
  if [ "$(nproc)" -gt 1 ]; then JVMCPU=$((CPU == 0 ? 1 : 0)); fi
fi
