// An unguarded read of a field this kernel lacks: CO-RE poisons the instruction and the
// verifier rejects the program; the error must name the type and field.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___old {
	int old_field;
} __attribute__((preserve_access_index));

struct out {
	__u64 v[2];
};

SEC("syscall")
int core_unguarded(struct out *o)
{
	struct task_struct___old *t = (void *)bpf_get_current_task();

	o->v[0] = BPF_CORE_READ(t, old_field);
	return 0;
}
