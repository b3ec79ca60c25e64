// CO-RE relocations of every kind, resolved against the running kernel and returned through the
// context of a SYSCALL program: the test compares each value with the kernel's own BTF.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

/* Field info of type->field, spelled out (libbpf 1.1's headers lack a signed/shift macro). */
#define FIELD_INFO(type, field, kind) __builtin_preserve_field_info(((type *)0)->field, kind)

/* An older kernel's view: the field was since renamed. Matched to task_struct by its essential name. */
struct task_struct___old {
	int old_field;
	int pid;
} __attribute__((preserve_access_index));

/* A deliberately wrong local layout: every offset, size and bit position must be relocated. */
struct task_struct___shuffled {
	int tgid;
	int pid;
	char comm[8];
	unsigned int in_execve:1;
	unsigned int sched_contributes_to_load:1;
	unsigned int in_iowait:1;
} __attribute__((preserve_access_index));

/* Flat here; in the kernel tstamp sits inside an anonymous union. */
struct sk_buff___flat {
	unsigned int len;
	long long tstamp;
} __attribute__((preserve_access_index));

struct not_in_kernel___bpf4j {
	int a;
} __attribute__((preserve_access_index));

/* Enumerators renamed by flavour; the values are the compiler's guesses, relocated at load. */
enum bpf_func_id___local {
	BPF_FUNC_get_attach_cookie___local = 999,
	BPF_FUNC_not_in_kernel___local = 998,
};

/* A 64-bit enum (ENUM64 in BTF): the value is patched into a 64-bit immediate load. */
enum perf_callchain_context___local {
	PERF_CONTEXT_KERNEL___local = 0x1234567890ULL,
};

struct out {
	__u64 v[32];
};

SEC("syscall")
int core_fields(struct out *o)
{
	struct task_struct___shuffled *t = (void *)bpf_get_current_task();

	o->v[0] = bpf_core_field_offset(struct task_struct___shuffled, pid);
	o->v[1] = bpf_core_field_offset(struct task_struct___shuffled, tgid);
	o->v[2] = bpf_core_field_size(struct task_struct___shuffled, comm);
	o->v[3] = bpf_core_field_exists(struct task_struct___old, old_field);
	o->v[4] = bpf_core_field_exists(struct task_struct___old, pid);
	o->v[5] = FIELD_INFO(struct task_struct___shuffled, pid, BPF_FIELD_SIGNED);
	o->v[6] = FIELD_INFO(struct task_struct___shuffled, in_execve, BPF_FIELD_LSHIFT_U64);
	o->v[7] = FIELD_INFO(struct task_struct___shuffled, in_execve, BPF_FIELD_RSHIFT_U64);
	o->v[8] = FIELD_INFO(struct task_struct___shuffled, in_execve, BPF_FIELD_BYTE_OFFSET);
	o->v[9] = FIELD_INFO(struct task_struct___shuffled, in_execve, BPF_FIELD_BYTE_SIZE);
	o->v[10] = FIELD_INFO(struct task_struct___shuffled, in_execve, BPF_FIELD_SIGNED);
	o->v[11] = bpf_core_field_offset(struct task_struct___shuffled, comm[3]);
	o->v[12] = bpf_core_field_offset(struct sk_buff___flat, tstamp);
	o->v[13] = bpf_core_type_exists(struct task_struct);
	o->v[14] = bpf_core_type_exists(struct not_in_kernel___bpf4j);
	o->v[15] = bpf_core_type_size(struct task_struct___shuffled);
	o->v[16] = bpf_core_type_id_kernel(struct task_struct);
	o->v[17] = bpf_core_type_id_local(struct task_struct___shuffled);
	o->v[18] = bpf_core_type_matches(struct task_struct___old);
	o->v[19] = bpf_core_type_matches(struct list_head);
	o->v[20] = bpf_core_enum_value_exists(enum bpf_func_id___local, BPF_FUNC_get_attach_cookie___local);
	o->v[21] = bpf_core_enum_value(enum bpf_func_id___local, BPF_FUNC_get_attach_cookie___local);
	o->v[22] = bpf_core_enum_value_exists(enum bpf_func_id___local, BPF_FUNC_not_in_kernel___local);
	o->v[23] = bpf_core_enum_value(enum perf_callchain_context___local, PERF_CONTEXT_KERNEL___local);
	o->v[24] = BPF_CORE_READ(t, pid);
	o->v[25] = BPF_CORE_READ(t, tgid);
	/* Guarded: the read of the missing field is poisoned, and dead on this kernel. */
	if (bpf_core_field_exists(struct task_struct___old, old_field))
		o->v[26] = BPF_CORE_READ((struct task_struct___old *)t, old_field);
	else
		o->v[26] = 77;
	o->v[27] = BPF_CORE_READ_BITFIELD_PROBED(t, in_execve);
	o->v[28] = bpf_core_field_size(struct sk_buff___flat, tstamp);
	return 0;
}
