// .kconfig and .ksyms externs: values the loader fills in from the running kernel.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool LINUX_HAS_BPF_COOKIE __kconfig;
extern bool LINUX_HAS_SYSCALL_WRAPPER __kconfig __weak;
extern enum libbpf_tristate CONFIG_BPF_SYSCALL __kconfig;
extern bool CONFIG_BPF_JIT __kconfig;
extern int CONFIG_HZ __kconfig;
extern unsigned long CONFIG_ILLEGAL_POINTER_VALUE __kconfig;
extern char CONFIG_DEFAULT_HOSTNAME[8] __kconfig;
extern char CONFIG_MODULES __kconfig __weak;
extern unsigned long CONFIG_BPF4J_NOT_THERE __kconfig __weak;

extern const void bpf_prog_put __ksym;                   /* untyped: an address */
extern const int bpf_prog_active __ksym;                 /* typed: a per-CPU variable by BTF id */
extern const int bpf4j_no_such_var __ksym __weak;        /* weak: may be missing */
extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;  /* kfunc */
extern void bpf_task_release(struct task_struct *p) __ksym;

struct out {
	__u64 v[16];
};

SEC("syscall")
int externs(struct out *o)
{
	struct task_struct *t;

	o->v[0] = LINUX_KERNEL_VERSION;
	o->v[1] = LINUX_HAS_BPF_COOKIE;
	o->v[2] = LINUX_HAS_SYSCALL_WRAPPER;
	o->v[3] = CONFIG_BPF_SYSCALL;
	o->v[4] = CONFIG_BPF_JIT;
	o->v[5] = CONFIG_HZ;
	o->v[6] = CONFIG_ILLEGAL_POINTER_VALUE;
	o->v[7] = CONFIG_DEFAULT_HOSTNAME[1];
	o->v[8] = CONFIG_MODULES;
	o->v[9] = CONFIG_BPF4J_NOT_THERE;
	o->v[10] = (__u64)&bpf_prog_put;
	o->v[12] = &bpf4j_no_such_var == 0;
	t = bpf_task_from_pid(o->v[15]);
	if (t) {
		o->v[13] = t->tgid;
		bpf_task_release(t);
	}
	return 0;
}

/* A typed ksym: resolved by BTF id, but the kernel then looks its address up in kallsyms, which
 * lists per-CPU variables only with CONFIG_KALLSYMS_ALL (off on the dev machine): not loaded there. */
SEC("syscall")
int typed_ksym(struct out *o)
{
	o->v[11] = bpf_this_cpu_ptr(&bpf_prog_active) != 0;
	return 0;
}
