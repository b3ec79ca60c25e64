// The founding document's object shape: SEC("maps") with struct bpf_map_def, a version
// section, and the older section names (socket, classifier, kprobe/).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* libbpf 1.x removed this struct; the legacy ELF format still uses it. */
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x00060000;

struct bpf_map_def SEC("maps") legacy_counts = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 2,
	.map_flags = 0,
};

struct bpf_map_def SEC("maps") legacy_hash = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 8,
	.map_flags = 0,
};

/* Increments legacy_counts[0]; returns 0 (drop the packet for the socket). */
SEC("socket")
int legacy_sock(struct __sk_buff *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&legacy_counts, &key);

	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

/* Stores skb->len in legacy_hash[1]; returns 0 (TC_ACT_OK). */
SEC("classifier")
int legacy_cls(struct __sk_buff *skb)
{
	__u32 key = 1, len = skb->len;

	bpf_map_update_elem(&legacy_hash, &key, &len, BPF_ANY);
	return 0;
}

/* The founding document's kprobe example; returns 0. Not loadable here (no kprobes). */
SEC("kprobe/tcp_retransmit_skb")
int legacy_kprobe(void *ctx)
{
	return 0;
}
