// Opens and loads a BPF object with libbpf, then prints each loaded program's name and the
// kernel's translated (xlated) instructions as hex, one line per program:
//   NAME HEX
// Programs named on the command line after the object are switched off (autoload false).
// PIN_ROOT in the environment replaces /sys/fs/bpf as the root for maps pinned by name.
// Build: gcc -O2 -o load_dump load_dump.c -lbpf
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stderr, fmt, args);
	return 0;
}

static int dump(struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd = bpf_program__fd(prog);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	__u32 size = info.xlated_prog_len;
	unsigned char *insns = calloc(1, size ? size : 1);
	if (!insns)
		return -1;
	memset(&info, 0, sizeof(info));
	info.xlated_prog_len = size;
	info.xlated_prog_insns = (__u64)(unsigned long)insns;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		free(insns);
		return -1;
	}
	printf("%s ", bpf_program__name(prog));
	for (__u32 i = 0; i < size; i++)
		printf("%02x", insns[i]);
	printf("\n");
	free(insns);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;

	if (argc < 2) {
		fprintf(stderr, "usage: %s OBJECT [PROGRAM-TO-SKIP]...\n", argv[0]);
		return 2;
	}
	libbpf_set_print(silent);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = getenv("PIN_ROOT"));
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		fprintf(stderr, "open %s failed\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		for (int i = 2; i < argc; i++)
			if (strcmp(bpf_program__name(prog), argv[i]) == 0)
				bpf_program__set_autoload(prog, false);
	}
	if (bpf_object__load(obj)) {
		fprintf(stderr, "load %s failed\n", argv[1]);
		bpf_object__close(obj);
		return 1;
	}
	bpf_object__for_each_program(prog, obj) {
		if (bpf_program__autoload(prog) && dump(prog)) {
			fprintf(stderr, "info of %s failed\n", bpf_program__name(prog));
			bpf_object__close(obj);
			return 1;
		}
	}
	bpf_object__close(obj);
	return 0;
}
