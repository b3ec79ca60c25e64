// An object whose second program the verifier rejects: an out-of-bounds map value read.
// Also a map pinned by name (LIBBPF_PIN_BY_NAME) and global data, so a failed load has
// maps, a pin, BTF and one loaded program to clean up.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} reject_pinned SEC(".maps");

__u32 reject_seen = 5;                        /* .data */

/* Returns reject_pinned[0] + reject_seen (5 on a fresh map). */
SEC("socket")
int good_prog(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&reject_pinned, &key);

	return (v ? *v : 0) + reject_seen;
}

/* Reads past the end of an 8-byte map value: the verifier refuses this. */
SEC("socket")
int bad_prog(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&reject_pinned, &key);

	if (!v)
		return 0;
	return *(__u32 *)((char *)v + 8);
}
