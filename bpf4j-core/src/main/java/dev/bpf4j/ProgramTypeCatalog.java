package dev.bpf4j;

import dev.bpf4j.btf.Btf;
import dev.bpf4j.btf.BtfKind;
import dev.bpf4j.btf.BtfType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import static dev.bpf4j.AttachType.*;

/**
 * The founding document's three questions, answered as data for every {@link ProgramType}: what
 * does it do and when does it run; how is it loaded and attached (the mechanism and the
 * syscalls); what context does it receive. Section names come from {@link SectionTable} (their
 * one source); whether bpf4j itself can attach a type is the {@link #ATTACHERS} table, which the
 * attach code extends as it grows.
 */
public final class ProgramTypeCatalog {

    /** The founding document's groups (socket, TC, XDP, tracing, cgroup, tunnelling) and the newer ones. */
    public enum Category {
        SOCKET("socket"), TC("traffic control"), XDP("XDP"), TRACING("tracing"), CGROUP("cgroup"),
        TUNNELLING("tunnelling"), NETNS("network namespace"), BTF_HOOK("BTF-typed kernel hook"),
        DEVICE("device"), SYSCALL("syscall"), NETFILTER("netfilter");

        private final String label;

        Category(String label) {
            this.label = label;
        }

        /** A short name for people. */
        public String label() {
            return label;
        }
    }

    /**
     * One program type's answers.
     *
     * @param runsWhen      what it does and when it runs
     * @param attachedBy    how it is attached, in a sentence
     * @param syscalls      the system calls of loading and attaching, in order
     * @param context       the context argument as C spells it ({@code struct __sk_buff *})
     * @param contextStruct the struct to look up in the kernel's BTF for its layout, or empty
     * @param attachTypes   the attach types the kernel accepts with this program type
     * @param config        the kernel option the type needs beyond CONFIG_BPF_SYSCALL, or empty
     */
    public record Entry(ProgramType type, Category category, String runsWhen, String attachedBy,
            List<String> syscalls, String context, String contextStruct, Set<AttachType> attachTypes,
            String config) {
        public Entry {
            syscalls = List.copyOf(syscalls);
            attachTypes = attachTypes.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(attachTypes));
        }

        /** Section names that select this type ({@code SEC("...")}), in SectionTable's matching order. */
        public List<String> sections() {
            return SectionTable.rules().stream().filter(r -> r.type() == type && !r.legacy())
                    .map(SectionTable.Rule::pattern).toList();
        }

        /** Older names that still select it (prefix-only names, deprecated spellings). */
        public List<String> legacySections() {
            return SectionTable.rules().stream().filter(r -> r.type() == type && r.legacy())
                    .map(SectionTable.Rule::pattern).distinct().toList();
        }

        /** True when bpf4j can attach programs of this type itself. */
        public boolean bpf4jAttaches() {
            return ATTACHERS.containsKey(type);
        }

        /** How bpf4j attaches this type, or "not yet". */
        public String bpf4jAttach() {
            return ATTACHERS.getOrDefault(type, "not yet");
        }
    }

    /** The program types bpf4j can attach, and with what. The attach work adds rows here. */
    public static final Map<ProgramType, String> ATTACHERS = Collections.unmodifiableMap(new EnumMap<>(Map.of(
            ProgramType.SOCKET_FILTER, "dev.bpf4j.attach.SocketFilter (setsockopt SO_ATTACH_BPF)")));

    private static final String LOAD = "bpf(BPF_PROG_LOAD)";
    private static final String LINK = "bpf(BPF_LINK_CREATE)";
    private static final String PROG_ATTACH = "bpf(BPF_PROG_ATTACH)";
    private static final String SKB = "struct __sk_buff *";

    private static final Map<ProgramType, Entry> ENTRIES = new EnumMap<>(ProgramType.class);

    static {
        add(ProgramType.SOCKET_FILTER, Category.SOCKET, "a packet reaches the socket it is attached to; "
                        + "returns how many bytes to keep (0 drops it)", "setsockopt SO_ATTACH_BPF on the socket",
                List.of(LOAD, "setsockopt(SOL_SOCKET, SO_ATTACH_BPF)"), SKB, "__sk_buff", Set.of(), "");
        add(ProgramType.KPROBE, Category.TRACING, "a kernel function (kprobe) or user function (uprobe) is "
                        + "entered or returns", "a probe in tracefs kprobe_events/uprobe_events (or the kprobe/uprobe "
                        + "PMU) opened with perf_event_open, then PERF_EVENT_IOC_SET_BPF; or a kprobe-multi link",
                List.of(LOAD, "write(tracefs kprobe_events or uprobe_events)", "perf_event_open",
                        "ioctl(PERF_EVENT_IOC_SET_BPF) or " + LINK),
                "struct pt_regs *", "pt_regs", Set.of(PERF_EVENT, TRACE_KPROBE_MULTI, TRACE_UPROBE_MULTI,
                        TRACE_KPROBE_SESSION, TRACE_UPROBE_SESSION), "CONFIG_KPROBE_EVENTS");
        add(ProgramType.SCHED_CLS, Category.TC, "a packet passes tc ingress or egress of a device; returns a tc "
                        + "verdict", "a tcx link on the device, or a netlink clsact qdisc with a cls_bpf filter",
                List.of(LOAD, LINK + " (tcx) or netlink RTM_NEWQDISC + RTM_NEWTFILTER"), SKB, "__sk_buff",
                Set.of(TCX_INGRESS, TCX_EGRESS, NETKIT_PRIMARY, NETKIT_PEER), "CONFIG_NET_CLS_BPF");
        add(ProgramType.SCHED_ACT, Category.TC, "a tc filter's action runs on a packet",
                "a netlink tc action (act_bpf)", List.of(LOAD, "netlink RTM_NEWACTION"), SKB, "__sk_buff", Set.of(),
                "CONFIG_NET_ACT_BPF");
        add(ProgramType.TRACEPOINT, Category.TRACING, "a static kernel tracepoint fires",
                "the tracepoint's id from tracefs events/<category>/<name>/id opened with perf_event_open, then "
                        + "PERF_EVENT_IOC_SET_BPF or a perf link",
                List.of(LOAD, "read(tracefs events/<category>/<name>/id)", "perf_event_open",
                        "ioctl(PERF_EVENT_IOC_SET_BPF) or " + LINK),
                "the tracepoint's record (its tracefs format file)", "", Set.of(PERF_EVENT), "CONFIG_BPF_EVENTS");
        add(ProgramType.XDP, Category.XDP, "a packet arrives at the driver, before an skb exists; returns "
                        + "XDP_PASS, XDP_DROP, XDP_TX or XDP_REDIRECT", "netlink IFLA_XDP on the device, or an XDP link",
                List.of(LOAD, LINK + " or netlink RTM_SETLINK IFLA_XDP"), "struct xdp_md *", "xdp_md",
                Set.of(AttachType.XDP, XDP_DEVMAP, XDP_CPUMAP), "");
        add(ProgramType.PERF_EVENT, Category.TRACING, "a perf counter overflows or a sample fires",
                "perf_event_open per CPU, then PERF_EVENT_IOC_SET_BPF or a perf link",
                List.of(LOAD, "perf_event_open", "ioctl(PERF_EVENT_IOC_SET_BPF) or " + LINK),
                "struct bpf_perf_event_data *", "bpf_perf_event_data", Set.of(PERF_EVENT), "CONFIG_BPF_EVENTS");
        add(ProgramType.CGROUP_SKB, Category.CGROUP, "a packet enters or leaves a socket of a task in the cgroup; "
                        + "returns 1 to allow, 0 to drop", "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), SKB, "__sk_buff",
                Set.of(CGROUP_INET_INGRESS, CGROUP_INET_EGRESS), "CONFIG_CGROUP_BPF");
        add(ProgramType.CGROUP_SOCK, Category.CGROUP, "a task in the cgroup creates, releases or binds a socket",
                "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), "struct bpf_sock *", "bpf_sock",
                Set.of(CGROUP_INET_SOCK_CREATE, CGROUP_INET_SOCK_RELEASE, CGROUP_INET4_POST_BIND,
                        CGROUP_INET6_POST_BIND), "CONFIG_CGROUP_BPF");
        for (ProgramType lwt : List.of(ProgramType.LWT_IN, ProgramType.LWT_OUT, ProgramType.LWT_XMIT)) {
            String where = switch (lwt) {
                case LWT_IN -> "enters the stack on";
                case LWT_OUT -> "is sent out on";
                default -> "is transmitted on";
            };
            add(lwt, Category.TUNNELLING, "a packet " + where + " a route with a BPF lightweight-tunnel encap",
                    "a netlink route with encap bpf", List.of(LOAD, "netlink RTM_NEWROUTE (RTA_ENCAP bpf)"), SKB,
                    "__sk_buff", Set.of(), "CONFIG_LWTUNNEL_BPF");
        }
        add(ProgramType.LWT_SEG6LOCAL, Category.TUNNELLING, "an SRv6 packet reaches an End.BPF segment",
                "a netlink seg6local route with action End.BPF",
                List.of(LOAD, "netlink RTM_NEWROUTE (seg6local End.BPF)"), SKB, "__sk_buff", Set.of(),
                "CONFIG_IPV6_SEG6_BPF");
        add(ProgramType.SOCK_OPS, Category.SOCKET, "TCP events of sockets of tasks in the cgroup (connect, "
                        + "retransmit, RTT, state changes); may set socket options", "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), "struct bpf_sock_ops *",
                "bpf_sock_ops", Set.of(CGROUP_SOCK_OPS), "CONFIG_CGROUP_BPF");
        add(ProgramType.SK_SKB, Category.SOCKET, "data arrives on a socket held in a sockmap or sockhash: parse "
                        + "messages, then choose a verdict or redirect", "attach to the sockmap/sockhash",
                List.of(LOAD, "bpf(BPF_MAP_CREATE sockmap)", PROG_ATTACH + " or " + LINK), SKB, "__sk_buff",
                Set.of(SK_SKB_STREAM_PARSER, SK_SKB_STREAM_VERDICT, SK_SKB_VERDICT), "CONFIG_BPF_STREAM_PARSER");
        add(ProgramType.CGROUP_DEVICE, Category.CGROUP, "a task in the cgroup opens or creates a device node; "
                        + "returns 1 to allow", "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), "struct bpf_cgroup_dev_ctx *",
                "bpf_cgroup_dev_ctx", Set.of(AttachType.CGROUP_DEVICE), "CONFIG_CGROUP_BPF");
        add(ProgramType.SK_MSG, Category.SOCKET, "a sendmsg/sendfile on a socket held in a sockmap or sockhash",
                "attach to the sockmap/sockhash",
                List.of(LOAD, "bpf(BPF_MAP_CREATE sockmap)", PROG_ATTACH + " or " + LINK), "struct sk_msg_md *",
                "sk_msg_md", Set.of(SK_MSG_VERDICT), "CONFIG_BPF_STREAM_PARSER");
        add(ProgramType.RAW_TRACEPOINT, Category.TRACING, "a kernel tracepoint fires; sees its raw arguments "
                        + "before any formatting", "BPF_RAW_TRACEPOINT_OPEN with the tracepoint's name, or a link",
                List.of(LOAD, "bpf(BPF_RAW_TRACEPOINT_OPEN) or " + LINK), "struct bpf_raw_tracepoint_args *",
                "bpf_raw_tracepoint_args", Set.of(TRACE_RAW_TP), "CONFIG_BPF_EVENTS");
        add(ProgramType.CGROUP_SOCK_ADDR, Category.CGROUP, "a task in the cgroup binds, connects, sends to, "
                        + "receives from or names a socket address; may rewrite it", "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), "struct bpf_sock_addr *",
                "bpf_sock_addr", Set.of(CGROUP_INET4_BIND, CGROUP_INET6_BIND, CGROUP_INET4_CONNECT,
                        CGROUP_INET6_CONNECT, CGROUP_UDP4_SENDMSG, CGROUP_UDP6_SENDMSG, CGROUP_UDP4_RECVMSG,
                        CGROUP_UDP6_RECVMSG, CGROUP_INET4_GETPEERNAME, CGROUP_INET6_GETPEERNAME,
                        CGROUP_INET4_GETSOCKNAME, CGROUP_INET6_GETSOCKNAME, CGROUP_UNIX_CONNECT,
                        CGROUP_UNIX_SENDMSG, CGROUP_UNIX_RECVMSG, CGROUP_UNIX_GETPEERNAME,
                        CGROUP_UNIX_GETSOCKNAME), "CONFIG_CGROUP_BPF");
        add(ProgramType.LIRC_MODE2, Category.DEVICE, "an infrared receiver delivers a pulse or space sample; "
                        + "decodes remote-control protocols", "attach to the lirc device fd",
                List.of(LOAD, "open(/dev/lircN)", PROG_ATTACH), "unsigned int * (one sample)", "",
                Set.of(AttachType.LIRC_MODE2), "CONFIG_BPF_LIRC_MODE2");
        add(ProgramType.SK_REUSEPORT, Category.SOCKET, "a packet or connection must pick a socket of a "
                        + "SO_REUSEPORT group", "setsockopt SO_ATTACH_REUSEPORT_EBPF on a socket of the group",
                List.of(LOAD, "setsockopt(SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF)"), "struct sk_reuseport_md *",
                "sk_reuseport_md", Set.of(SK_REUSEPORT_SELECT, SK_REUSEPORT_SELECT_OR_MIGRATE), "");
        add(ProgramType.FLOW_DISSECTOR, Category.NETNS, "the kernel dissects a packet's flow keys in the network "
                        + "namespace", "attach to a network namespace fd",
                List.of(LOAD, "open(/proc/self/ns/net)", PROG_ATTACH + " or " + LINK), SKB, "__sk_buff",
                Set.of(AttachType.FLOW_DISSECTOR), "");
        add(ProgramType.CGROUP_SYSCTL, Category.CGROUP, "a task in the cgroup reads or writes a /proc/sys file; "
                        + "may refuse or rewrite the value", "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), "struct bpf_sysctl *",
                "bpf_sysctl", Set.of(AttachType.CGROUP_SYSCTL), "CONFIG_CGROUP_BPF");
        add(ProgramType.RAW_TRACEPOINT_WRITABLE, Category.TRACING, "a writable kernel tracepoint fires (such as "
                        + "nbd's); may write its buffer argument", "BPF_RAW_TRACEPOINT_OPEN, or a link",
                List.of(LOAD, "bpf(BPF_RAW_TRACEPOINT_OPEN) or " + LINK), "struct bpf_raw_tracepoint_args *",
                "bpf_raw_tracepoint_args", Set.of(TRACE_RAW_TP), "CONFIG_BPF_EVENTS");
        add(ProgramType.CGROUP_SOCKOPT, Category.CGROUP, "a task in the cgroup calls getsockopt or setsockopt; "
                        + "may refuse or rewrite the option", "attach to a cgroup v2 directory fd",
                List.of(LOAD, "open(cgroup directory)", PROG_ATTACH + " or " + LINK), "struct bpf_sockopt *",
                "bpf_sockopt", Set.of(CGROUP_GETSOCKOPT, CGROUP_SETSOCKOPT), "CONFIG_CGROUP_BPF");
        add(ProgramType.TRACING, Category.BTF_HOOK, "a kernel function is entered (fentry) or returns (fexit, "
                        + "fmod_ret), a BTF tracepoint fires (tp_btf), or an iterator walks kernel objects (iter)",
                "loaded with the target's BTF id, then a tracing link (BPF_RAW_TRACEPOINT_OPEN or BPF_LINK_CREATE)",
                List.of("bpf(BPF_BTF_GET_FD_BY_ID) for a module target", LOAD + " with attach_btf_id",
                        LINK + " or bpf(BPF_RAW_TRACEPOINT_OPEN)"),
                "the hooked function's arguments as u64 slots", "", Set.of(TRACE_RAW_TP, TRACE_FENTRY, TRACE_FEXIT,
                        MODIFY_RETURN, TRACE_ITER), "CONFIG_DEBUG_INFO_BTF");
        add(ProgramType.STRUCT_OPS, Category.BTF_HOOK, "the kernel calls a member of an ops struct the programs "
                        + "implement (TCP congestion control, sched_ext, HID...)",
                "a struct_ops map holding the programs, updated and then attached with a link",
                List.of(LOAD + " with attach_btf_id of the struct and the member index",
                        "bpf(BPF_MAP_CREATE struct_ops)", "bpf(BPF_MAP_UPDATE_ELEM)", LINK),
                "the callback's arguments as u64 slots", "", Set.of(AttachType.STRUCT_OPS), "CONFIG_DEBUG_INFO_BTF");
        add(ProgramType.EXT, Category.BTF_HOOK, "replaces a global function of another loaded BPF program "
                        + "(freplace)", "loaded against the target program and function, then a tracing link",
                List.of(LOAD + " with attach_prog_fd and attach_btf_id", LINK), "the replaced function's arguments",
                "", Set.of(), "CONFIG_DEBUG_INFO_BTF");
        add(ProgramType.LSM, Category.BTF_HOOK, "a Linux Security Module hook is called; a non-zero return "
                        + "refuses the operation", "loaded with the hook's BTF id, then a tracing link",
                List.of(LOAD + " with attach_btf_id", LINK + " or bpf(BPF_RAW_TRACEPOINT_OPEN)"),
                "the hook's arguments as u64 slots", "", Set.of(LSM_MAC, LSM_CGROUP), "CONFIG_BPF_LSM");
        add(ProgramType.SK_LOOKUP, Category.NETNS, "the kernel looks up a listening or unconnected socket for an "
                        + "incoming packet in the network namespace; may select one", "a link on a network namespace fd",
                List.of(LOAD, "open(/proc/self/ns/net)", LINK), "struct bpf_sk_lookup *", "bpf_sk_lookup",
                Set.of(AttachType.SK_LOOKUP), "");
        add(ProgramType.SYSCALL, Category.SYSCALL, "user space runs it on demand with BPF_PROG_TEST_RUN; may itself "
                        + "call bpf() (to load other programs)", "never attached: run with BPF_PROG_TEST_RUN",
                List.of(LOAD + " (sleepable)", "bpf(BPF_PROG_TEST_RUN)"), "a user-defined struct from the caller",
                "", Set.of(), "");
        add(ProgramType.NETFILTER, Category.NETFILTER, "a packet passes a netfilter hook (prerouting, input, "
                        + "forward, output, postrouting) at a chosen priority; returns NF_ACCEPT or NF_DROP",
                "a netfilter link naming protocol family, hook and priority", List.of(LOAD, LINK),
                "struct bpf_nf_ctx *", "bpf_nf_ctx", Set.of(AttachType.NETFILTER), "CONFIG_NETFILTER_BPF_LINK");
    }

    private ProgramTypeCatalog() {
    }

    private static void add(ProgramType type, Category category, String runsWhen, String attachedBy,
            List<String> syscalls, String context, String contextStruct, Set<AttachType> attachTypes, String config) {
        ENTRIES.put(type, new Entry(type, category, runsWhen, attachedBy, syscalls, context, contextStruct,
                attachTypes, config));
    }

    /** The entry for a type; every constant but UNSPEC has one. */
    public static Entry entry(ProgramType type) {
        Entry e = ENTRIES.get(type);
        if (e == null) {
            throw new BpfException(type + " is not a program type with a catalog entry");
        }
        return e;
    }

    /** Every entry, in the kernel's numbering order. */
    public static List<Entry> entries() {
        return List.copyOf(ENTRIES.values());
    }

    /**
     * The program types a kernel knows, by number, read from {@code enum bpf_prog_type} in its
     * BTF: names without the {@code BPF_PROG_TYPE_} prefix. Types newer than {@link ProgramType}
     * show up here by name, with no catalog entry.
     */
    public static Map<Integer, String> kernelTypes(Btf btf) {
        Map<Integer, String> out = new TreeMap<>();
        btf.typeByName("bpf_prog_type", BtfKind.ENUM).ifPresent(t -> {
            for (BtfType.EnumValue v : ((BtfType.Enum) t).values()) {
                if (v.name().startsWith("BPF_PROG_TYPE_")) {
                    out.put((int) v.value(), v.name().substring("BPF_PROG_TYPE_".length()));
                }
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The entry named like {@code kprobe}, {@code KPROBE} or {@code BPF_PROG_TYPE_KPROBE}. */
    public static Optional<Entry> find(String name) {
        ProgramType t = ProgramType.ofName(name);
        return t == null || t == ProgramType.UNSPEC ? Optional.empty() : Optional.of(entry(t));
    }
}
