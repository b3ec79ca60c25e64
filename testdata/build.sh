#!/bin/sh
# Rebuilds the BPF test objects in testdata/bpf reproducibly.
#   testdata/build.sh          rebuild testdata/bpf/*.o in place
#   testdata/build.sh --check  rebuild into a temp dir; fail if any committed object differs
set -eu
CLANG=${CLANG:-clang-19}
here=$(cd "$(dirname "$0")" && pwd)
src="$here/bpf"
out="$src"
check=0
if [ "${1:-}" = "--check" ]; then
	check=1
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi

# Fixed flags; relative source paths and prefix maps keep build paths out of the objects.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
flags="-O2 -g -Wall -Werror -fno-ident -I/usr/include/$multiarch -fdebug-prefix-map=$src=. -ffile-prefix-map=$src=."

build() { # source target output
	(cd "$src" && "$CLANG" $flags -target "$2" -c "$1" -o "$3")
}

for c in "$src"/*.c; do
	name=$(basename "$c" .c)
	build "$name.c" bpfel "$out/$name.o"
done
# One big-endian object for the byte-order tests.
build socket_xdp.c bpfeb "$out/socket_xdp.bpfeb.o"

# The objects depend on the compiler and on the headers from libbpf-dev and linux-libc-dev: the
# versions they were built with are recorded, and --check compares bytes only under the same ones.
toolchain() {
	echo "clang: $("$CLANG" --version | head -1)"
	for p in libbpf-dev linux-libc-dev; do
		echo "$p: $(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo unknown)"
	done
}

if [ $check = 1 ]; then
	if [ "$(toolchain)" != "$(cat "$here/TOOLCHAIN" 2>/dev/null)" ]; then
		echo "note: the sources compile, but this toolchain differs from testdata/TOOLCHAIN, so the" >&2
		echo "      committed objects are not compared byte for byte:" >&2
		toolchain | diff "$here/TOOLCHAIN" - >&2 || true
		exit 0
	fi
	status=0
	for o in "$out"/*.o; do
		name=$(basename "$o")
		if ! cmp -s "$o" "$src/$name"; then
			echo "differs: testdata/bpf/$name" >&2
			status=1
		fi
	done
	for o in "$src"/*.o; do
		[ -e "$out/$(basename "$o")" ] || { echo "stale: testdata/bpf/$(basename "$o")" >&2; status=1; }
	done
	[ $status = 0 ] && echo "all objects match"
	exit $status
fi

toolchain > "$here/TOOLCHAIN"
