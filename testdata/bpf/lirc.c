// A LIRC_MODE2 program (an infrared decoder, run on samples from a lirc device). Kernels built
// without CONFIG_BPF_LIRC_MODE2, like the one these tests were written on, refuse to load it:
// the loader's error then says so (ObjectFailureTest).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("lirc_mode2")
int ir_decode(unsigned int *sample)
{
	return *sample == 0;
}

char LICENSE[] SEC("license") = "GPL";
