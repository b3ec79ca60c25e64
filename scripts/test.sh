#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks the committed BPF objects are current
# (when clang-19 is here), then builds and runs every module's tests against the real kernel.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export PATH="$JAVA_HOME/bin:$PATH"

bash scripts/setup.sh

if command -v clang-19 >/dev/null; then
  scripts/build-bpf.sh --check
fi

mvn -B -ntp verify "$@"
