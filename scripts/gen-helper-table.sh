#!/bin/sh
# Regenerates the constants of dev/bpf4j/asm/Helper.java (between its BEGIN/END GENERATED lines)
# from a kernel's `enum bpf_func_id`, as dumped into a vmlinux.h by
# `bpftool btf dump file /sys/kernel/btf/vmlinux format c`.
# Usage: scripts/gen-helper-table.sh [/tmp/vmlinux.h]
set -eu
header=${1:-/tmp/vmlinux.h}
[ -r "$header" ] || { echo "gen-helper-table: cannot read $header" >&2; exit 1; }
java=$(dirname "$0")/../bpf4j-core/src/main/java/dev/bpf4j/asm/Helper.java
constants=$(mktemp)
trap 'rm -f "$constants" "$constants.java"' EXIT
sed -n 's/^[[:space:]]*BPF_FUNC_\([a-z0-9_]*\) = \([0-9]*\),$/\1 \2/p' "$header" \
    | grep -v '^unspec ' \
    | awk '{ printf "%s    %s(%s)", (NR > 1 ? ",\n" : ""), toupper($1), $2 } END { print ";" }' > "$constants"
count=$(grep -c '^    [A-Z0-9_]*([0-9]*)' "$constants" || true)
if [ "$count" -lt 100 ]; then
	echo "gen-helper-table: found only $count helpers in $header; is it a vmlinux.h dump?" >&2
	exit 1
fi
grep -q 'BEGIN GENERATED' "$java" && grep -q 'END GENERATED' "$java" ||
	{ echo "gen-helper-table: $java lacks its BEGIN/END GENERATED markers" >&2; exit 1; }
awk -v constants="$constants" '
    /\/\/ END GENERATED/ { skipping = 0 }
    !skipping { print }
    /\/\/ BEGIN GENERATED/ { while ((getline line < constants) > 0) print line; skipping = 1 }
' "$java" > "$constants.java"
mv "$constants.java" "$java"
