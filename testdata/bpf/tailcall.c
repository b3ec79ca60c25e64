// A tail call through a prog array with an initialiser, and map-in-map with a values initialiser.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

int tail_target(struct __sk_buff *skb);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (struct __sk_buff *));
} jump_table SEC(".maps") = {
	.values = { [1] = (void *)&tail_target },
};

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

/* Tail-calls jump_table[1] (tail_target, returns 42); returns 1 if the tail call fails. */
SEC("tc")
int tail_entry(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jump_table, 1);
	return 1;
}

/* Returns 42. */
SEC("tc")
int tail_target(struct __sk_buff *skb)
{
	return 42;
}

/* Returns 100 + inner_b[0] (100 on a fresh object), or 1 if outer[1] or the element is missing. */
SEC("socket")
int lookup_outer(struct __sk_buff *skb)
{
	__u32 key = 1, zero = 0, *v;
	void *inner = bpf_map_lookup_elem(&outer, &key);

	if (!inner)
		return 1;
	v = bpf_map_lookup_elem(inner, &zero);
	if (!v)
		return 1;
	return 100 + *v;
}
