// CO-RE relocations (field size/existence, type existence, field offsets) for .BTF.ext tests.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

/* A local, partial view of the kernel's task_struct: CO-RE fixes the offsets at load. */
struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

/* Returns sizeof(__sk_buff.len) 4 + 10 (task_struct exists) + 100 (pid exists) = 114. */
SEC("socket")
int core_sizes(struct __sk_buff *skb)
{
	int r = bpf_core_field_size(struct __sk_buff, len);

	if (bpf_core_type_exists(struct task_struct))
		r += 10;
	if (bpf_core_field_exists(struct task_struct, pid))
		r += 100;
	return r;
}

/* Reads current->tgid through a CO-RE field offset; returns 0 when it is non-zero. */
SEC("raw_tp/sys_enter")
int core_tgid(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();

	return BPF_CORE_READ(t, tgid) ? 0 : 1;
}
