// The C side of the kernel BTF benchmark: libbpf's btf__load_vmlinux_btf(), as KernelBtfBench
// does it in bpf4j. Usage: btf_bench ROUNDS -> per round "load <ms>" and "loadAndFind <ms>"
// (load plus btf__find_by_name_kind("task_struct", STRUCT)), each the mean of 20 calls.
#include <bpf/btf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double run(int find)
{
	const int calls = 20;
	double start = now_ms();

	for (int i = 0; i < calls; i++) {
		struct btf *btf = btf__load_vmlinux_btf();

		if (!btf) {
			perror("btf__load_vmlinux_btf");
			exit(1);
		}
		if (find && btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT) <= 0) {
			fprintf(stderr, "task_struct not found\n");
			exit(1);
		}
		btf__free(btf);
	}
	return (now_ms() - start) / calls;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 5;

	run(0); /* warm the page cache and allocator */
	for (int r = 0; r < rounds; r++) {
		printf("load %.3f\n", run(0));
		printf("loadAndFind %.3f\n", run(1));
	}
	return 0;
}
