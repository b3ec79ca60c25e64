#!/bin/sh
# Rebuilds the CO-RE test objects in testdata/core, compiled against this directory's vmlinux.h
# (bpftool btf dump file /sys/kernel/btf/vmlinux format c, from the kernel the tests ran on).
#   testdata/core/build.sh          rebuild testdata/core/*.o in place
#   testdata/core/build.sh --check  rebuild into a temp dir; fail if any committed object differs
set -eu
CLANG=${CLANG:-clang-19}
src=$(cd "$(dirname "$0")" && pwd)
out="$src"
check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi

# Fixed flags; relative paths and prefix maps keep build paths out of the objects.
flags="-O2 -g -Wall -Werror -fno-ident -target bpfel -D__TARGET_ARCH_x86 -fdebug-prefix-map=$src=. -ffile-prefix-map=$src=."
for c in "$src"/*.c; do
	name=$(basename "$c" .c)
	(cd "$src" && "$CLANG" $flags -c "$name.c" -o "$out/$name.o")
done

toolchain() {
	echo "clang: $("$CLANG" --version | head -1)"
	echo "libbpf-dev: $(dpkg-query -W -f '${Version}' libbpf-dev 2>/dev/null || echo unknown)"
	echo "vmlinux.h: $(sha256sum "$src/vmlinux.h" | cut -c1-16)"
}

if [ $check = 1 ]; then
	if [ "$(toolchain)" != "$(cat "$src/TOOLCHAIN" 2>/dev/null)" ]; then
		echo "note: the sources compile, but this toolchain differs from testdata/core/TOOLCHAIN, so the" >&2
		echo "      committed objects are not compared byte for byte:" >&2
		toolchain | diff "$src/TOOLCHAIN" - >&2 || true
		exit 0
	fi
	status=0
	for o in "$out"/*.o; do
		name=$(basename "$o")
		cmp -s "$o" "$src/$name" || { echo "differs: testdata/core/$name" >&2; status=1; }
	done
	for o in "$src"/*.o; do
		[ -e "$out/$(basename "$o")" ] || { echo "stale: testdata/core/$(basename "$o")" >&2; status=1; }
	done
	[ $status = 0 ] && echo "all objects match"
	exit $status
fi

toolchain > "$src/TOOLCHAIN"
