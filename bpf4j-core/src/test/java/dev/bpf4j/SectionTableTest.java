package dev.bpf4j;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SectionTableTest {

    /** section, type, attach type ("-" for none), flags (s sleepable, f frags, b BTF target, l legacy), target. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            socket                          | SOCKET_FILTER    | -                        | ''  | ''
            sk_reuseport                    | SK_REUSEPORT     | SK_REUSEPORT_SELECT      | ''  | ''
            sk_reuseport/migrate            | SK_REUSEPORT     | SK_REUSEPORT_SELECT_OR_MIGRATE | '' | ''
            kprobe/tcp_retransmit_skb       | KPROBE           | -                        | ''  | tcp_retransmit_skb
            kprobe                          | KPROBE           | -                        | ''  | ''
            kretprobe/do_exit               | KPROBE           | -                        | ''  | do_exit
            uprobe//bin/bash:readline       | KPROBE           | -                        | ''  | /bin/bash:readline
            uprobe.s//usr/lib/libc.so.6:malloc | KPROBE        | -                        | s   | /usr/lib/libc.so.6:malloc
            uretprobe.s/libc.so.6:free      | KPROBE           | -                        | s   | libc.so.6:free
            kprobe.multi/tcp_*              | KPROBE           | TRACE_KPROBE_MULTI       | ''  | tcp_*
            kretprobe.multi/vfs_*           | KPROBE           | TRACE_KPROBE_MULTI       | ''  | vfs_*
            kprobe.session/do_sys_open      | KPROBE           | TRACE_KPROBE_SESSION     | ''  | do_sys_open
            uprobe.multi/bin:func*          | KPROBE           | TRACE_UPROBE_MULTI       | ''  | bin:func*
            uprobe.multi.s/bin:f            | KPROBE           | TRACE_UPROBE_MULTI       | s   | bin:f
            uprobe.session/bin:f            | KPROBE           | TRACE_UPROBE_SESSION     | ''  | bin:f
            ksyscall/openat                 | KPROBE           | -                        | ''  | openat
            usdt/libc.so.6:libc:setjmp      | KPROBE           | -                        | ''  | libc.so.6:libc:setjmp
            usdt.s/app:prov:probe           | KPROBE           | -                        | s   | app:prov:probe
            tc                              | SCHED_CLS        | -                        | ''  | ''
            tc/ingress                      | SCHED_CLS        | TCX_INGRESS              | ''  | ''
            tcx/ingress                     | SCHED_CLS        | TCX_INGRESS              | ''  | ''
            tcx/egress                      | SCHED_CLS        | TCX_EGRESS               | ''  | ''
            netkit/primary                  | SCHED_CLS        | NETKIT_PRIMARY           | ''  | ''
            netkit/peer                     | SCHED_CLS        | NETKIT_PEER              | ''  | ''
            classifier                      | SCHED_CLS        | -                        | ''  | ''
            action                          | SCHED_ACT        | -                        | ''  | ''
            tracepoint/syscalls/sys_enter_getpid | TRACEPOINT  | -                        | ''  | syscalls/sys_enter_getpid
            tp/syscalls/sys_enter           | TRACEPOINT       | -                        | ''  | syscalls/sys_enter
            tp.s/syscalls/sys_enter_openat  | TRACEPOINT       | -                        | s   | syscalls/sys_enter_openat
            raw_tp/sys_enter                | RAW_TRACEPOINT   | -                        | ''  | sys_enter
            raw_tracepoint/sched_switch     | RAW_TRACEPOINT   | -                        | ''  | sched_switch
            raw_tp.s/sys_enter              | RAW_TRACEPOINT   | -                        | s   | sys_enter
            raw_tp.w/bpf_test_finish        | RAW_TRACEPOINT_WRITABLE | -                 | ''  | bpf_test_finish
            tp_btf/sched_switch             | TRACING          | TRACE_RAW_TP             | b   | sched_switch
            tp_btf.s/sched_switch           | TRACING          | TRACE_RAW_TP             | sb  | sched_switch
            fentry/do_unlinkat              | TRACING          | TRACE_FENTRY             | b   | do_unlinkat
            fentry.s/do_unlinkat            | TRACING          | TRACE_FENTRY             | sb  | do_unlinkat
            fexit/do_unlinkat               | TRACING          | TRACE_FEXIT              | b   | do_unlinkat
            fmod_ret/bpf_modify_return_test | TRACING          | MODIFY_RETURN            | b   | bpf_modify_return_test
            fmod_ret.s/x                    | TRACING          | MODIFY_RETURN            | sb  | x
            freplace/handler                | EXT              | -                        | b   | handler
            lsm/file_open                   | LSM              | LSM_MAC                  | b   | file_open
            lsm.s/bprm_committed_creds      | LSM              | LSM_MAC                  | sb  | bprm_committed_creds
            lsm_cgroup/socket_bind          | LSM              | LSM_CGROUP               | b   | socket_bind
            iter/task                       | TRACING          | TRACE_ITER               | b   | task
            iter.s/task_file                | TRACING          | TRACE_ITER               | sb  | task_file
            syscall                         | SYSCALL          | -                        | s   | ''
            xdp                             | XDP              | XDP                      | ''  | ''
            xdp.frags                       | XDP              | XDP                      | f   | ''
            xdp/devmap                      | XDP              | XDP_DEVMAP               | ''  | ''
            xdp.frags/devmap                | XDP              | XDP_DEVMAP               | f   | ''
            xdp/cpumap                      | XDP              | XDP_CPUMAP               | ''  | ''
            xdp.frags/cpumap                | XDP              | XDP_CPUMAP               | f   | ''
            perf_event                      | PERF_EVENT       | -                        | ''  | ''
            lwt_in                          | LWT_IN           | -                        | ''  | ''
            lwt_out                         | LWT_OUT          | -                        | ''  | ''
            lwt_xmit                        | LWT_XMIT         | -                        | ''  | ''
            lwt_seg6local                   | LWT_SEG6LOCAL    | -                        | ''  | ''
            sockops                         | SOCK_OPS         | CGROUP_SOCK_OPS          | ''  | ''
            sk_skb                          | SK_SKB           | -                        | ''  | ''
            sk_skb/stream_parser            | SK_SKB           | SK_SKB_STREAM_PARSER     | ''  | ''
            sk_skb/stream_verdict           | SK_SKB           | SK_SKB_STREAM_VERDICT    | ''  | ''
            sk_skb/verdict                  | SK_SKB           | SK_SKB_VERDICT           | ''  | ''
            sk_msg                          | SK_MSG           | SK_MSG_VERDICT           | ''  | ''
            lirc_mode2                      | LIRC_MODE2       | LIRC_MODE2               | ''  | ''
            flow_dissector                  | FLOW_DISSECTOR   | FLOW_DISSECTOR           | ''  | ''
            cgroup_skb/ingress              | CGROUP_SKB       | CGROUP_INET_INGRESS      | ''  | ''
            cgroup_skb/egress               | CGROUP_SKB       | CGROUP_INET_EGRESS       | ''  | ''
            cgroup/skb                      | CGROUP_SKB       | -                        | ''  | ''
            cgroup/sock                     | CGROUP_SOCK      | CGROUP_INET_SOCK_CREATE  | ''  | ''
            cgroup/sock_create              | CGROUP_SOCK      | CGROUP_INET_SOCK_CREATE  | ''  | ''
            cgroup/sock_release             | CGROUP_SOCK      | CGROUP_INET_SOCK_RELEASE | ''  | ''
            cgroup/post_bind4               | CGROUP_SOCK      | CGROUP_INET4_POST_BIND   | ''  | ''
            cgroup/bind6                    | CGROUP_SOCK_ADDR | CGROUP_INET6_BIND        | ''  | ''
            cgroup/connect4                 | CGROUP_SOCK_ADDR | CGROUP_INET4_CONNECT     | ''  | ''
            cgroup/connect_unix             | CGROUP_SOCK_ADDR | CGROUP_UNIX_CONNECT      | ''  | ''
            cgroup/sendmsg6                 | CGROUP_SOCK_ADDR | CGROUP_UDP6_SENDMSG      | ''  | ''
            cgroup/recvmsg_unix             | CGROUP_SOCK_ADDR | CGROUP_UNIX_RECVMSG      | ''  | ''
            cgroup/getpeername4             | CGROUP_SOCK_ADDR | CGROUP_INET4_GETPEERNAME | ''  | ''
            cgroup/getsockname_unix         | CGROUP_SOCK_ADDR | CGROUP_UNIX_GETSOCKNAME  | ''  | ''
            cgroup/sysctl                   | CGROUP_SYSCTL    | CGROUP_SYSCTL            | ''  | ''
            cgroup/getsockopt               | CGROUP_SOCKOPT   | CGROUP_GETSOCKOPT        | ''  | ''
            cgroup/setsockopt               | CGROUP_SOCKOPT   | CGROUP_SETSOCKOPT        | ''  | ''
            cgroup/dev                      | CGROUP_DEVICE    | CGROUP_DEVICE            | ''  | ''
            struct_ops                      | STRUCT_OPS       | -                        | ''  | ''
            struct_ops/tcp_init             | STRUCT_OPS       | -                        | ''  | tcp_init
            struct_ops.s/x                  | STRUCT_OPS       | -                        | s   | x
            sk_lookup                       | SK_LOOKUP        | SK_LOOKUP                | ''  | ''
            netfilter                       | NETFILTER        | NETFILTER                | ''  | ''
            socket1                         | SOCKET_FILTER    | -                        | l   | 1
            socket/filter                   | SOCKET_FILTER    | -                        | l   | filter
            xdp_prog                        | XDP              | XDP                      | l   | _prog
            xdp_devmap/redirect             | XDP              | XDP_DEVMAP               | l   | redirect
            xdp_cpumap/x                    | XDP              | XDP_CPUMAP               | l   | x
            classifier/ingress              | SCHED_CLS        | -                        | l   | ingress
            action/drop                     | SCHED_ACT        | -                        | l   | drop
            cgroup/skb_egress               | CGROUP_SKB       | -                        | l   | _egress
            sockops_prog                    | SOCK_OPS         | CGROUP_SOCK_OPS          | l   | _prog
            sk_skb/parser_x                 | SK_SKB           | -                        | l   | parser_x
            sk_msg/redir                    | SK_MSG           | SK_MSG_VERDICT           | l   | redir
            lwt_in/route                    | LWT_IN           | -                        | l   | route
            lwt_seg6local/end               | LWT_SEG6LOCAL    | -                        | l   | end
            perf_event/cycles               | PERF_EVENT       | -                        | l   | cycles
            cgroup/connect4_prog            | CGROUP_SOCK_ADDR | CGROUP_INET4_CONNECT     | l   | _prog
            """)
    void matches(String section, String type, String attach, String flags, String target) {
        SectionMatch m = SectionTable.match(section).orElseThrow(() -> new AssertionError("no match: " + section));
        assertEquals(ProgramType.valueOf(type), m.type(), section);
        assertEquals(attach.equals("-") ? null : AttachType.valueOf(attach), m.attachType(), section);
        assertEquals(flags.contains("s"), m.sleepable(), section + " sleepable");
        assertEquals(flags.contains("f"), m.xdpFrags(), section + " frags");
        assertEquals(flags.contains("b"), m.attachBtf(), section + " BTF target");
        assertEquals(flags.contains("l"), m.legacy(), section + " legacy");
        assertEquals(target, m.target(), section + " target");
        assertEquals(section, m.sectionName());
    }

    @ParameterizedTest
    @CsvSource({"'.text'", "license", "'.maps'", "'.data'", "maps", "kprobeX", "tcx", "tcx/other", "fentryx/foo",
            "tc/other", "netkit", "''", "unknown/section", "cgroup/other", "struct_opsx"})
    void unknownNamesDoNotMatch(String section) {
        assertTrue(SectionTable.match(section).isEmpty(), section + " matched " + SectionTable.match(section));
    }

    @Test
    void attachTypesNewerThanTheEnumKeepTheirNumber() {
        SectionMatch m = SectionTable.match("fsession/do_unlinkat").orElseThrow();
        assertEquals(ProgramType.TRACING, m.type());
        assertEquals(58, m.attachTypeValue());
        assertNull(m.attachType());
        assertTrue(m.attachBtf());
        SectionMatch multi = SectionTable.match("fentry.multi.s/bpf_fentry_test*").orElseThrow();
        assertEquals(59, multi.attachTypeValue());
        assertTrue(multi.sleepable());
        assertFalse(multi.attachBtf());
        assertEquals("bpf_fentry_test*", multi.target());
        assertEquals(-1, SectionTable.match("socket").orElseThrow().attachTypeValue());
    }

    @Test
    void everyRuleIsReachableAndPatternsAreUniquePerKind() {
        Set<String> seen = new HashSet<>();
        for (SectionTable.Rule r : SectionTable.rules()) {
            assertTrue(seen.add(r.pattern() + "/" + r.legacy()), "duplicate rule " + r.pattern());
            // the rule's own name (with a target where one is required) selects this very rule
            String name = r.pattern().endsWith("/") ? r.pattern() + "x" : r.prefix();
            SectionMatch m = SectionTable.match(name).orElseThrow();
            if (!r.legacy()) {
                assertEquals(r, m.rule(), name);
            }
        }
        assertTrue(SectionTable.rules().size() > 150);
    }

    @Test
    void everyProgramTypeButUnspecHasASectionName() {
        Set<ProgramType> covered = new HashSet<>();
        SectionTable.rules().forEach(r -> covered.add(r.type()));
        for (ProgramType t : ProgramType.values()) {
            if (t != ProgramType.UNSPEC) {
                assertTrue(covered.contains(t), t + " has no section rule");
            }
        }
    }
}
