package dev.bpf4j;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that maps an ELF program section name ({@code SEC("...")}) to a program type,
 * an expected attach type and an attach target. It follows libbpf's conventions: a pattern
 * {@code "name"} must match exactly, {@code "name+"} matches {@code name} or
 * {@code name/anything}, {@code "name/"} needs something after the slash; the first matching
 * row wins. When no current rule matches, the older, looser names are tried: names that only
 * had to start with a prefix ({@code socket1}, {@code xdp_prog}, {@code classifier/ingress},
 * as the kernel samples' loader and libbpf before 1.0 accepted them) and deprecated spellings
 * ({@code xdp_devmap/}).
 */
public final class SectionTable {

    /** Properties a rule gives its programs (libbpf's {@code SEC_*} flags). */
    public enum Flag {
        /** Load without the expected attach type if the kernel does not know it. */
        EXPECTED_ATTACH_OPTIONAL,
        /** Attached through BPF_PROG_ATTACH / link with the expected attach type. */
        ATTACHABLE,
        /** The target is a BTF id (kernel function, tracepoint or another program): required to load. */
        ATTACH_BTF,
        /** Loaded with BPF_F_SLEEPABLE. */
        SLEEPABLE,
        /** XDP program that handles multi-buffer packets: loaded with BPF_F_XDP_HAS_FRAGS. */
        XDP_FRAGS,
        /** USDT probe: uses the uprobe-multi attach type when the kernel has it. */
        USDT
    }

    /**
     * One row. {@code pattern} keeps libbpf's spelling (trailing {@code +} or {@code /}).
     * {@code expectedAttachType} is the kernel number, or -1 for none; {@code legacy} rows match
     * by plain prefix and only when no current rule matched.
     */
    public record Rule(String pattern, ProgramType type, int expectedAttachType, Set<Flag> flags, boolean legacy) {
        public Rule {
            flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        }

        /** The pattern without its {@code +} marker. */
        public String prefix() {
            return pattern.endsWith("+") ? pattern.substring(0, pattern.length() - 1) : pattern;
        }

        /** The expected attach type, or null when none (or one newer than {@link AttachType}). */
        public AttachType attachType() {
            return expectedAttachType < 0 ? null : AttachType.ofValue(expectedAttachType);
        }

        /** The part of {@code section} after this rule's prefix, or null when the rule does not match. */
        String targetOf(String section) {
            if (legacy) {
                if (!section.startsWith(pattern)) {
                    return null;
                }
                String rest = section.substring(pattern.length());
                return rest.startsWith("/") ? rest.substring(1) : rest;
            }
            if (pattern.endsWith("/")) {
                return section.startsWith(pattern) ? section.substring(pattern.length()) : null;
            }
            if (pattern.endsWith("+")) {
                int n = pattern.length() - 1; // the prefix, without building it: this runs per rule and section
                if (!section.regionMatches(0, pattern, 0, n)) {
                    return null;
                }
                if (section.length() == n) {
                    return "";
                }
                return section.charAt(n) == '/' ? section.substring(n + 1) : null;
            }
            return section.equals(pattern) ? "" : null;
        }
    }

    /*
     * pattern, program type, expected attach type ("-" none, "#n" a kernel number newer than
     * AttachType), flags. Order matters: longer names come before their own prefixes.
     */
    private static final String RULES = """
            socket                     SOCKET_FILTER   -
            sk_reuseport/migrate       SK_REUSEPORT    SK_REUSEPORT_SELECT_OR_MIGRATE  ATTACHABLE
            sk_reuseport               SK_REUSEPORT    SK_REUSEPORT_SELECT             ATTACHABLE
            kprobe+                    KPROBE          -
            uprobe+                    KPROBE          -
            uprobe.s+                  KPROBE          -                               SLEEPABLE
            kretprobe+                 KPROBE          -
            uretprobe+                 KPROBE          -
            uretprobe.s+               KPROBE          -                               SLEEPABLE
            kprobe.multi+              KPROBE          TRACE_KPROBE_MULTI
            kretprobe.multi+           KPROBE          TRACE_KPROBE_MULTI
            kprobe.session+            KPROBE          TRACE_KPROBE_SESSION
            uprobe.multi+              KPROBE          TRACE_UPROBE_MULTI
            uretprobe.multi+           KPROBE          TRACE_UPROBE_MULTI
            uprobe.session+            KPROBE          TRACE_UPROBE_SESSION
            uprobe.multi.s+            KPROBE          TRACE_UPROBE_MULTI              SLEEPABLE
            uretprobe.multi.s+         KPROBE          TRACE_UPROBE_MULTI              SLEEPABLE
            uprobe.session.s+          KPROBE          TRACE_UPROBE_SESSION            SLEEPABLE
            ksyscall+                  KPROBE          -
            kretsyscall+               KPROBE          -
            usdt+                      KPROBE          -                               USDT
            usdt.s+                    KPROBE          -                               USDT SLEEPABLE
            tc/ingress                 SCHED_CLS       TCX_INGRESS
            tc/egress                  SCHED_CLS       TCX_EGRESS
            tcx/ingress                SCHED_CLS       TCX_INGRESS
            tcx/egress                 SCHED_CLS       TCX_EGRESS
            tc                         SCHED_CLS       -
            classifier                 SCHED_CLS       -
            action                     SCHED_ACT       -
            netkit/primary             SCHED_CLS       NETKIT_PRIMARY
            netkit/peer                SCHED_CLS       NETKIT_PEER
            tracepoint+                TRACEPOINT      -
            tp+                        TRACEPOINT      -
            tracepoint.s+              TRACEPOINT      -                               SLEEPABLE
            tp.s+                      TRACEPOINT      -                               SLEEPABLE
            raw_tracepoint+            RAW_TRACEPOINT  -
            raw_tp+                    RAW_TRACEPOINT  -
            raw_tracepoint.s+          RAW_TRACEPOINT  -                               SLEEPABLE
            raw_tp.s+                  RAW_TRACEPOINT  -                               SLEEPABLE
            raw_tracepoint.w+          RAW_TRACEPOINT_WRITABLE -
            raw_tp.w+                  RAW_TRACEPOINT_WRITABLE -
            tp_btf+                    TRACING         TRACE_RAW_TP                    ATTACH_BTF
            tp_btf.s+                  TRACING         TRACE_RAW_TP                    ATTACH_BTF SLEEPABLE
            fentry+                    TRACING         TRACE_FENTRY                    ATTACH_BTF
            fmod_ret+                  TRACING         MODIFY_RETURN                   ATTACH_BTF
            fexit+                     TRACING         TRACE_FEXIT                     ATTACH_BTF
            fentry.s+                  TRACING         TRACE_FENTRY                    ATTACH_BTF SLEEPABLE
            fmod_ret.s+                TRACING         MODIFY_RETURN                   ATTACH_BTF SLEEPABLE
            fexit.s+                   TRACING         TRACE_FEXIT                     ATTACH_BTF SLEEPABLE
            fsession+                  TRACING         #58                             ATTACH_BTF
            fsession.s+                TRACING         #58                             ATTACH_BTF SLEEPABLE
            fsession.multi+            TRACING         #61
            fsession.multi.s+          TRACING         #61                             SLEEPABLE
            fentry.multi+              TRACING         #59
            fexit.multi+               TRACING         #60
            fentry.multi.s+            TRACING         #59                             SLEEPABLE
            fexit.multi.s+             TRACING         #60                             SLEEPABLE
            freplace+                  EXT             -                               ATTACH_BTF
            lsm+                       LSM             LSM_MAC                         ATTACH_BTF
            lsm.s+                     LSM             LSM_MAC                         ATTACH_BTF SLEEPABLE
            lsm_cgroup+                LSM             LSM_CGROUP                      ATTACH_BTF
            iter+                      TRACING         TRACE_ITER                      ATTACH_BTF
            iter.s+                    TRACING         TRACE_ITER                      ATTACH_BTF SLEEPABLE
            syscall                    SYSCALL         -                               SLEEPABLE
            xdp.frags/devmap           XDP             XDP_DEVMAP                      XDP_FRAGS
            xdp/devmap                 XDP             XDP_DEVMAP                      ATTACHABLE
            xdp.frags/cpumap           XDP             XDP_CPUMAP                      XDP_FRAGS
            xdp/cpumap                 XDP             XDP_CPUMAP                      ATTACHABLE
            xdp.frags                  XDP             XDP                             XDP_FRAGS
            xdp                        XDP             XDP                             ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            perf_event                 PERF_EVENT      -
            lwt_in                     LWT_IN          -
            lwt_out                    LWT_OUT         -
            lwt_xmit                   LWT_XMIT        -
            lwt_seg6local              LWT_SEG6LOCAL   -
            sockops                    SOCK_OPS        CGROUP_SOCK_OPS                 ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb/stream_parser       SK_SKB          SK_SKB_STREAM_PARSER            ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb/stream_verdict      SK_SKB          SK_SKB_STREAM_VERDICT           ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb/verdict             SK_SKB          SK_SKB_VERDICT                  ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb                     SK_SKB          -
            sk_msg                     SK_MSG          SK_MSG_VERDICT                  ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            lirc_mode2                 LIRC_MODE2      LIRC_MODE2                      ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            flow_dissector             FLOW_DISSECTOR  FLOW_DISSECTOR                  ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup_skb/ingress         CGROUP_SKB      CGROUP_INET_INGRESS             ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup_skb/egress          CGROUP_SKB      CGROUP_INET_EGRESS              ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup/skb                 CGROUP_SKB      -
            cgroup/sock_create         CGROUP_SOCK     CGROUP_INET_SOCK_CREATE         ATTACHABLE
            cgroup/sock_release        CGROUP_SOCK     CGROUP_INET_SOCK_RELEASE        ATTACHABLE
            cgroup/sock                CGROUP_SOCK     CGROUP_INET_SOCK_CREATE         ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup/post_bind4          CGROUP_SOCK     CGROUP_INET4_POST_BIND          ATTACHABLE
            cgroup/post_bind6          CGROUP_SOCK     CGROUP_INET6_POST_BIND          ATTACHABLE
            cgroup/bind4               CGROUP_SOCK_ADDR CGROUP_INET4_BIND              ATTACHABLE
            cgroup/bind6               CGROUP_SOCK_ADDR CGROUP_INET6_BIND              ATTACHABLE
            cgroup/connect4            CGROUP_SOCK_ADDR CGROUP_INET4_CONNECT           ATTACHABLE
            cgroup/connect6            CGROUP_SOCK_ADDR CGROUP_INET6_CONNECT           ATTACHABLE
            cgroup/connect_unix        CGROUP_SOCK_ADDR CGROUP_UNIX_CONNECT            ATTACHABLE
            cgroup/sendmsg4            CGROUP_SOCK_ADDR CGROUP_UDP4_SENDMSG            ATTACHABLE
            cgroup/sendmsg6            CGROUP_SOCK_ADDR CGROUP_UDP6_SENDMSG            ATTACHABLE
            cgroup/sendmsg_unix        CGROUP_SOCK_ADDR CGROUP_UNIX_SENDMSG            ATTACHABLE
            cgroup/recvmsg4            CGROUP_SOCK_ADDR CGROUP_UDP4_RECVMSG            ATTACHABLE
            cgroup/recvmsg6            CGROUP_SOCK_ADDR CGROUP_UDP6_RECVMSG            ATTACHABLE
            cgroup/recvmsg_unix        CGROUP_SOCK_ADDR CGROUP_UNIX_RECVMSG            ATTACHABLE
            cgroup/getpeername4        CGROUP_SOCK_ADDR CGROUP_INET4_GETPEERNAME       ATTACHABLE
            cgroup/getpeername6        CGROUP_SOCK_ADDR CGROUP_INET6_GETPEERNAME       ATTACHABLE
            cgroup/getpeername_unix    CGROUP_SOCK_ADDR CGROUP_UNIX_GETPEERNAME        ATTACHABLE
            cgroup/getsockname4        CGROUP_SOCK_ADDR CGROUP_INET4_GETSOCKNAME       ATTACHABLE
            cgroup/getsockname6        CGROUP_SOCK_ADDR CGROUP_INET6_GETSOCKNAME       ATTACHABLE
            cgroup/getsockname_unix    CGROUP_SOCK_ADDR CGROUP_UNIX_GETSOCKNAME        ATTACHABLE
            cgroup/sysctl              CGROUP_SYSCTL   CGROUP_SYSCTL                   ATTACHABLE
            cgroup/getsockopt          CGROUP_SOCKOPT  CGROUP_GETSOCKOPT               ATTACHABLE
            cgroup/setsockopt          CGROUP_SOCKOPT  CGROUP_SETSOCKOPT               ATTACHABLE
            cgroup/dev                 CGROUP_DEVICE   CGROUP_DEVICE                   ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            struct_ops+                STRUCT_OPS      -
            struct_ops.s+              STRUCT_OPS      -                               SLEEPABLE
            sk_lookup                  SK_LOOKUP       SK_LOOKUP                       ATTACHABLE
            netfilter                  NETFILTER       NETFILTER
            """;

    /*
     * Older names, tried only when no rule above matches: the deprecated XDP map-program
     * spellings, and the names that used to match by prefix alone (kernel samples' bpf_load.c,
     * libbpf before 1.0), such as "socket1", "xdp_prog", "cgroup/skb_egress".
     */
    private static final String LEGACY_RULES = """
            xdp_devmap/                XDP             XDP_DEVMAP                      ATTACHABLE
            xdp_cpumap/                XDP             XDP_CPUMAP                      ATTACHABLE
            socket                     SOCKET_FILTER   -
            sk_reuseport/migrate       SK_REUSEPORT    SK_REUSEPORT_SELECT_OR_MIGRATE  ATTACHABLE
            sk_reuseport               SK_REUSEPORT    SK_REUSEPORT_SELECT             ATTACHABLE
            classifier                 SCHED_CLS       -
            action                     SCHED_ACT       -
            xdp                        XDP             XDP                             ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            perf_event                 PERF_EVENT      -
            lwt_in                     LWT_IN          -
            lwt_out                    LWT_OUT         -
            lwt_xmit                   LWT_XMIT        -
            lwt_seg6local              LWT_SEG6LOCAL   -
            cgroup_skb/ingress         CGROUP_SKB      CGROUP_INET_INGRESS             ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup_skb/egress          CGROUP_SKB      CGROUP_INET_EGRESS              ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup/skb                 CGROUP_SKB      -
            cgroup/sock_create         CGROUP_SOCK     CGROUP_INET_SOCK_CREATE         ATTACHABLE
            cgroup/sock_release        CGROUP_SOCK     CGROUP_INET_SOCK_RELEASE        ATTACHABLE
            cgroup/sock                CGROUP_SOCK     CGROUP_INET_SOCK_CREATE         ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup/post_bind4          CGROUP_SOCK     CGROUP_INET4_POST_BIND          ATTACHABLE
            cgroup/post_bind6          CGROUP_SOCK     CGROUP_INET6_POST_BIND          ATTACHABLE
            cgroup/dev                 CGROUP_DEVICE   CGROUP_DEVICE                   ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sockops                    SOCK_OPS        CGROUP_SOCK_OPS                 ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb/stream_parser       SK_SKB          SK_SKB_STREAM_PARSER            ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb/stream_verdict      SK_SKB          SK_SKB_STREAM_VERDICT           ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            sk_skb                     SK_SKB          -
            sk_msg                     SK_MSG          SK_MSG_VERDICT                  ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            lirc_mode2                 LIRC_MODE2      LIRC_MODE2                      ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            flow_dissector             FLOW_DISSECTOR  FLOW_DISSECTOR                  ATTACHABLE EXPECTED_ATTACH_OPTIONAL
            cgroup/bind4               CGROUP_SOCK_ADDR CGROUP_INET4_BIND              ATTACHABLE
            cgroup/bind6               CGROUP_SOCK_ADDR CGROUP_INET6_BIND              ATTACHABLE
            cgroup/connect4            CGROUP_SOCK_ADDR CGROUP_INET4_CONNECT           ATTACHABLE
            cgroup/connect6            CGROUP_SOCK_ADDR CGROUP_INET6_CONNECT           ATTACHABLE
            cgroup/sendmsg4            CGROUP_SOCK_ADDR CGROUP_UDP4_SENDMSG            ATTACHABLE
            cgroup/sendmsg6            CGROUP_SOCK_ADDR CGROUP_UDP6_SENDMSG            ATTACHABLE
            cgroup/recvmsg4            CGROUP_SOCK_ADDR CGROUP_UDP4_RECVMSG            ATTACHABLE
            cgroup/recvmsg6            CGROUP_SOCK_ADDR CGROUP_UDP6_RECVMSG            ATTACHABLE
            cgroup/getpeername4        CGROUP_SOCK_ADDR CGROUP_INET4_GETPEERNAME       ATTACHABLE
            cgroup/getpeername6        CGROUP_SOCK_ADDR CGROUP_INET6_GETPEERNAME       ATTACHABLE
            cgroup/getsockname4        CGROUP_SOCK_ADDR CGROUP_INET4_GETSOCKNAME       ATTACHABLE
            cgroup/getsockname6        CGROUP_SOCK_ADDR CGROUP_INET6_GETSOCKNAME       ATTACHABLE
            cgroup/sysctl              CGROUP_SYSCTL   CGROUP_SYSCTL                   ATTACHABLE
            cgroup/getsockopt          CGROUP_SOCKOPT  CGROUP_GETSOCKOPT               ATTACHABLE
            cgroup/setsockopt          CGROUP_SOCKOPT  CGROUP_SETSOCKOPT               ATTACHABLE
            sk_lookup                  SK_LOOKUP       SK_LOOKUP                       ATTACHABLE
            """;

    private static final List<Rule> CURRENT = parse(RULES, false);
    private static final List<Rule> LEGACY = parse(LEGACY_RULES, true);
    private static final List<Rule> ALL;
    /**
     * The rules by the first character of their pattern (ASCII), in matching order: every kind of
     * rule needs the name to start with its pattern's prefix, so a name is tried only against the
     * rules of its own first character, not all 150.
     */
    private static final Rule[][] BY_FIRST_CHAR = new Rule[128][];
    private static final Rule[] NO_RULES = {};

    static {
        List<Rule> all = new ArrayList<>(CURRENT);
        all.addAll(LEGACY);
        ALL = List.copyOf(all);
        for (char c = 0; c < BY_FIRST_CHAR.length; c++) {
            char first = c;
            BY_FIRST_CHAR[c] = ALL.stream().filter(r -> r.pattern().charAt(0) == first).toArray(Rule[]::new);
        }
    }

    private SectionTable() {
    }

    /** Every rule in matching order: current rules, then legacy ones. */
    public static List<Rule> rules() {
        return ALL;
    }

    /** The rule for a program section name, with the attach target taken from the name. */
    public static Optional<SectionMatch> match(String sectionName) {
        char first = sectionName.isEmpty() ? 0 : sectionName.charAt(0);
        for (Rule r : first < BY_FIRST_CHAR.length ? BY_FIRST_CHAR[first] : NO_RULES) {
            String target = r.targetOf(sectionName);
            if (target != null) {
                return Optional.of(new SectionMatch(sectionName, r, target));
            }
        }
        return Optional.empty();
    }

    private static List<Rule> parse(String table, boolean legacy) {
        List<Rule> rules = new ArrayList<>();
        for (String line : table.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            ProgramType type = ProgramType.valueOf(f[1]);
            int attach = f[2].equals("-") ? -1
                    : f[2].startsWith("#") ? Integer.parseInt(f[2].substring(1))
                    : AttachType.valueOf(f[2]).value();
            EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
            for (int i = 3; i < f.length; i++) {
                flags.add(Flag.valueOf(f[i].toUpperCase(Locale.ROOT)));
            }
            rules.add(new Rule(f[0], type, attach, flags, legacy));
        }
        return List.copyOf(rules);
    }
}
