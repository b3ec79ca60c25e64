/* Loads a BPF object with libbpf and prints each program's final instructions (after libbpf's
 * CO-RE relocation) as hex, one program per line: "name hex8 hex8 ...". For parity tests. */
#include <bpf/libbpf.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;

	if (argc != 2)
		return 2;
	obj = bpf_object__open(argv[1]);
	if (!obj || libbpf_get_error(obj))
		return 3;
	if (bpf_object__load(obj)) {
		fprintf(stderr, "libbpf could not load %s\n", argv[1]);
		return 4;
	}
	bpf_object__for_each_program(prog, obj) {
		const unsigned char *b = (const void *)bpf_program__insns(prog);
		size_t n = bpf_program__insn_cnt(prog) * 8;

		printf("%s", bpf_program__name(prog));
		for (size_t i = 0; i < n; i++)
			printf(i % 8 ? "%02x" : " %02x", b[i]);
		printf("\n");
	}
	bpf_object__close(obj);
	return 0;
}
