// Programs whose section names a BTF attach target in the kernel: the loader finds the target's
// id in vmlinux BTF (attach_btf_id). tp_btf and iter load on the dev machine; fentry, fexit,
// fmod_ret and lsm are refused there with EPERM (the loader must say why).
#include "../core/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

__u64 switches;
__u64 entries;

/* typedef btf_trace_sched_switch: counts context switches. */
SEC("tp_btf/sched_switch")
int BPF_PROG(count_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	__sync_fetch_and_add(&switches, 1);
	return 0;
}

/* FUNC bpf_iter_bpf_map: one line per map, "id <id>". */
SEC("iter/bpf_map")
int dump_map(struct bpf_iter__bpf_map *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct bpf_map *map = ctx->map;

	if (!map)
		return 0;
	BPF_SEQ_PRINTF(seq, "id %u\n", map->id);
	return 0;
}

/* FUNC bpf_fentry_test1, a function the kernel keeps for testing fentry programs. */
SEC("fentry/bpf_fentry_test1")
int BPF_PROG(on_entry, int a)
{
	__sync_fetch_and_add(&entries, 1);
	return 0;
}

SEC("fexit/bpf_fentry_test1")
int BPF_PROG(on_exit, int a, int ret)
{
	return 0;
}

/* FUNC bpf_lsm_file_open. */
SEC("lsm/file_open")
int BPF_PROG(on_file_open, struct file *file)
{
	return 0;
}
