// The demo's socket filter (bpf4j demo): counts the packets and bytes a socket receives, and
// how many fall into each power-of-two size class. It keeps every packet whole.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SIZE_CLASSES 16

enum { PACKETS = 0, BYTES = 1 };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

// sizes[k] counts packets whose length is in [2^k, 2^(k+1)); the last class takes the rest.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SIZE_CLASSES);
	__type(key, __u32);
	__type(value, __u64);
} sizes SEC(".maps");

static __always_inline void add(void *map, __u32 key, __u64 amount)
{
	__u64 *value = bpf_map_lookup_elem(map, &key);

	if (value)
		__sync_fetch_and_add(value, amount); // packets arrive on several CPUs at once
}

static __always_inline __u32 size_class(__u32 len)
{
	__u32 k = 0;

	for (int i = 0; i < SIZE_CLASSES - 1; i++) {
		if (len >> (k + 1))
			k++;
	}
	return k;
}

SEC("socket")
int packet_counter(struct __sk_buff *skb)
{
	__u32 len = skb->len;

	add(&counts, PACKETS, 1);
	add(&counts, BYTES, len);
	add(&sizes, size_class(len), 1);
	return len;
}

char LICENSE[] SEC("license") = "GPL";
