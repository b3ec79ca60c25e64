// A CO-RE relocation inside a subprogram that the program calls before more of its own code: the
// linker appends the subprogram after the whole program, and what the relocation resolved to must
// name the subprogram's instruction, by index and by slot, in the linked program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

/* A local flavour with the two fields used: matched to the kernel's task_struct by its essential name
 * (and the object stays small, as vmlinux.h's task_struct would bring its whole DWARF along). */
struct task_struct___local {
	int tgid;
	int pid;
} __attribute__((preserve_access_index));

struct out {
	__u64 v[2];
};

/* Not inlined, and with an argument, so that the call and the relocation stay where they are. */
static __noinline __u64 pid_offset_plus(__u64 bias)
{
	return bpf_core_field_offset(struct task_struct___local, pid) + bias;
}

SEC("syscall")
int core_subprog(struct out *o)
{
	o->v[0] = pid_offset_plus(1000);
	o->v[1] = bpf_core_field_size(struct task_struct___local, tgid);
	return 0;
}
