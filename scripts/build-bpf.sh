#!/bin/sh
# Rebuilds every BPF object in the repository from its C source, reproducibly:
#   testdata/bpf/*.c            -> testdata/bpf/*.o (plus one big-endian object for byte-order tests)
#   testdata/core/*.c           -> testdata/core/*.o (CO-RE tests, against testdata/core/vmlinux.h)
#   bpf4j-core/src/main/bpf/*.c -> bpf4j-core/src/main/resources/dev/bpf4j/tools/*.o (bundled tools)
# Usage:
#   scripts/build-bpf.sh          rebuild the committed objects in place
#   scripts/build-bpf.sh --check  rebuild into a temp dir; fail if a committed object differs or is stale
set -eu
CLANG=${CLANG:-clang-19}
root=$(cd "$(dirname "$0")/.." && pwd)
dirs="testdata/bpf:testdata/bpf testdata/core:testdata/core bpf4j-core/src/main/bpf:bpf4j-core/src/main/resources/dev/bpf4j/tools"
toolchain_file="$root/testdata/TOOLCHAIN"

check=0
if [ "${1:-}" = "--check" ]; then
	check=1
fi

# clang-19 orders some BTF types (those of typed __ksym externs, for one) differently when the
# build directory's path has another length, so every build happens in a staging directory whose
# path always has the same length, whatever the checkout's path: the objects then depend only on
# the sources and the toolchain.
stage=$(mktemp -d /tmp/bpf4j-bpf.XXXXXXXX)
trap 'rm -rf "$stage"' EXIT
for pair in $dirs; do
	src=${pair%%:*}
	mkdir -p "$stage/$src"
	cp -R "$root/$src/." "$stage/$src/"
done
out="$stage/out"

# Fixed flags; relative source paths and prefix maps keep build paths out of the objects, and an
# empty environment keeps the caller's variables from shifting clang's memory layout as the path did.
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
case $(uname -m) in  # for bpf_tracing.h's register names
	aarch64) target_arch=arm64 ;;
	*) target_arch=x86 ;;
esac

build() { # source-dir file.c target output
	(cd "$stage/$1" && env -i PATH=/usr/bin:/bin "$CLANG" -O2 -g -Wall -Werror -fno-ident -I"/usr/include/$multiarch" \
		-D__TARGET_ARCH_$target_arch -fdebug-prefix-map="$stage/$1=." -ffile-prefix-map="$stage/$1=." \
		-target "$3" -c "$2" -o "$4")
}

for pair in $dirs; do
	src=${pair%%:*} dst=${pair#*:}
	mkdir -p "$out/$dst"
	for c in "$stage/$src"/*.c; do
		name=$(basename "$c" .c)
		build "$src" "$name.c" bpfel "$out/$dst/$name.o"
	done
done
build testdata/bpf socket_xdp.c bpfeb "$out/testdata/bpf/socket_xdp.bpfeb.o"

# The objects depend on the compiler and on the headers from libbpf-dev and linux-libc-dev: the
# versions they were built with are recorded, and --check compares bytes only under the same ones.
toolchain() {
	echo "clang: $("$CLANG" --version | head -1)"
	for p in libbpf-dev linux-libc-dev; do
		echo "$p: $(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo unknown)"
	done
	echo "testdata/core/vmlinux.h: $(sha256sum "$root/testdata/core/vmlinux.h" | cut -c1-16)"
}

if [ $check = 0 ]; then
	for pair in $dirs; do
		dst=${pair#*:}
		mkdir -p "$root/$dst"
		cp "$out/$dst"/*.o "$root/$dst/"
	done
	toolchain > "$toolchain_file"
	exit 0
fi
if [ "$(toolchain)" != "$(cat "$toolchain_file" 2>/dev/null)" ]; then
	echo "note: the sources compile, but this toolchain differs from testdata/TOOLCHAIN, so the" >&2
	echo "      committed objects are not compared byte for byte:" >&2
	toolchain | diff "$toolchain_file" - >&2 || true
	exit 0
fi
status=0
for pair in $dirs; do
	dst=${pair#*:}
	for o in "$out/$dst"/*.o; do
		cmp -s "$o" "$root/$dst/$(basename "$o")" || { echo "differs: $dst/$(basename "$o")" >&2; status=1; }
	done
	for o in "$root/$dst"/*.o; do
		[ -e "$o" ] || continue
		[ -e "$out/$dst/$(basename "$o")" ] || { echo "stale: $dst/$(basename "$o")" >&2; status=1; }
	done
done
[ $status = 0 ] && echo "all BPF objects match their sources"
exit $status
