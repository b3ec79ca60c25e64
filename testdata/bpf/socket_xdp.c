// Socket filter and XDP programs: BTF-defined maps, global data, subprograms,
// a bpf_loop callback, a bounded loop, a weak symbol, two programs in one section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} settings SEC(".maps");

__u32 data_seed = 7;                          /* .data */
const volatile __u32 ro_factor = 3;           /* .rodata */
__u64 bss_counter;                            /* .bss */
__u32 custom_value SEC(".data.custom") = 11;  /* .data.custom */

/* static subprogram: a * ro_factor + b */
static __noinline __u32 mix(__u32 a, __u32 b)
{
	return a * ro_factor + b;
}

/* global subprogram with a bounded loop: 1 + 2 + ... + n (n capped at 64) */
__noinline __u32 global_sum(__u32 n)
{
	__u32 s = 0;

	for (__u32 i = 1; i <= n && i <= 64; i++)
		s += i;
	return s;
}

/* weak symbol: a strong definition elsewhere would replace it */
__weak __noinline __u32 weak_bias(void)
{
	return 1;
}

struct loop_ctx {
	__u32 acc;
};

static long add_index(__u64 index, void *ctx)
{
	struct loop_ctx *c = ctx;

	c->acc += index;
	return 0;
}

/* Counts calls in counts[0] and bss_counter; returns the packet length. */
SEC("socket")
int sock_len(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_ANY);
	bss_counter++;
	return skb->len;
}

/* Returns mix(data_seed, custom_value) = 7 * 3 + 11 = 32 (plus settings[0]). */
SEC("socket")
int sock_mix(struct __sk_buff *skb)
{
	__u32 key = 0, *extra = bpf_map_lookup_elem(&settings, &key);

	return mix(data_seed, custom_value) + (extra ? *extra : 0);
}

/* bpf_loop(5) sums 0..4 = 10, global_sum(4) = 10, weak_bias() = 1: total 21 -> XDP_PASS. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	struct loop_ctx c = { 0 };

	bpf_loop(5, add_index, &c, 0);
	if (c.acc + global_sum(4) + weak_bias() == 21)
		return XDP_PASS;
	return XDP_DROP;
}
