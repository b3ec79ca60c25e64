#!/usr/bin/env bash
# Installs what bpf4j's build, tests and tools need on a fresh Debian machine of this kind, then
# checks the JDK and mounts bpffs. Safe to run again: it installs only what is missing.
set -euo pipefail

JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export JAVA_HOME

# bpftool: the reference the tests compare with; libbpf-dev: BPF C headers and the libbpf
# harnesses (benchmarks, parity tests); clang-19/llvm-19: to rebuild the test BPF objects.
packages=(bpftool libbpf-dev libelf-dev zlib1g-dev gcc make clang-19 llvm-19 iproute2 util-linux)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  if ! "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" >/tmp/bpf4j-apt.log 2>&1; then
    "${sudo_cmd[@]}" apt-get update -q >>/tmp/bpf4j-apt.log 2>&1 || true
    "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}" >>/tmp/bpf4j-apt.log 2>&1 || {
      echo "setup: apt-get install failed; see /tmp/bpf4j-apt.log" >&2
      tail -20 /tmp/bpf4j-apt.log >&2
      exit 1
    }
  fi
fi

if ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  echo "setup: JDK 25 not found at $JAVA_HOME (set JAVA_HOME to a JDK 25)" >&2
  exit 1
fi
command -v mvn >/dev/null || { echo "setup: Maven (mvn) is not installed" >&2; exit 1; }

# bpffs: pinning needs it; mount it where the kernel expects it if nothing is there yet.
if [ "$(id -u)" -eq 0 ] && ! grep -q ' /sys/fs/bpf bpf ' /proc/mounts; then
  mount -t bpf bpf /sys/fs/bpf
fi
