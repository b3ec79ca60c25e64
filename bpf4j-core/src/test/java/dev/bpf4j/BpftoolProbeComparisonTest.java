package dev.bpf4j;

import dev.bpf4j.testing.Tools;
import dev.bpf4j.asm.Assembler;
import dev.bpf4j.asm.Helper;
import dev.bpf4j.asm.Register;
import dev.bpf4j.features.Probes;
import dev.bpf4j.testing.KernelTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Compares bpf4j's probe with {@code bpftool feature probe kernel -j}: program types, map types,
 * and the helpers of three program types. bpftool loads thousands of programs for its probe, so
 * it runs once and its output is kept in {@code target/} for later runs. Where bpf4j deliberately
 * answers differently, {@link #PROGRAM_DIFFERENCES}, {@link #MAP_DIFFERENCES} and
 * {@link #HELPER_DIFFERENCES} say which and why; anything else must agree.
 */
@KernelTest
class BpftoolProbeComparisonTest {
    private static final Path CACHE = Path.of("target/bpftool-feature-probe-"
            + dev.bpf4j.KernelConfig.kernelRelease() + ".json");
    private static final List<ProgramType> HELPER_TYPES =
            List.of(ProgramType.SOCKET_FILTER, ProgramType.XDP, ProgramType.KPROBE);

    /** Program types where bpf4j and bpftool (7.1, libbpf 1.1) disagree on purpose. */
    private static final Map<ProgramType, String> PROGRAM_DIFFERENCES = Map.of(
            ProgramType.TRACING, "bpftool loads a tracing program without an attach target, which the kernel "
                    + "always refuses; bpf4j loads a tp_btf program on a real tracepoint from the kernel BTF",
            ProgramType.NETFILTER, "libbpf 1.1 predates NETFILTER (kernel 6.4): bpftool does not probe it");

    /** Map types bpftool 7.1 does not probe (its libbpf predates them). */
    private static final Map<MapType, String> MAP_DIFFERENCES = Map.of(
            MapType.CGRP_STORAGE, "added in kernel 6.2, after libbpf 1.1: bpftool does not probe it",
            MapType.ARENA, "added in kernel 6.9, after libbpf 1.1: bpftool does not probe it");

    /** Helpers bpf4j answers differently for, and why. */
    private static final Map<String, String> HELPER_DIFFERENCES = Map.of(
            "refused for the type", "libbpf 1.1 counts a helper unavailable only on 'invalid func' or "
                    + "'unknown func'; this kernel says 'program of this type cannot use helper', which bpftool "
                    + "takes for success, so it lists every helper it knows for every type. bpf4j reads that "
                    + "message too (checked below on the verifier's own log)",
            "unknown to libbpf 1.1", "bpf_cgrp_storage_get/delete (kernel 6.2) are past libbpf 1.1's helper table",
            "skipped by both", "trace_printk, probe_write_user, trace_vprintk write kernel-log warnings: bpftool "
                    + "probes them only in 'full' mode, bpf4j never");

    private static String bpftool;

    @BeforeAll
    static void runBpftoolOnce() throws Exception {
        if (Files.isReadable(CACHE) && Files.size(CACHE) > 0) {
            bpftool = Files.readString(CACHE);
            return;
        }
        Process p = new ProcessBuilder(Tools.require("bpftool").toString(), "feature", "probe", "kernel", "-j")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS), "bpftool feature probe took over 5 minutes");
        assertEquals(0, p.exitValue(), "bpftool feature probe failed");
        Files.createDirectories(CACHE.getParent());
        Files.writeString(CACHE, out);
        bpftool = out;
    }

    @Test
    void programTypes() {
        Map<String, Boolean> theirs = flags("have_(\\w+)_prog_type");
        assertFalse(theirs.isEmpty(), "no program types in bpftool's output");
        for (ProgramType t : Features.programTypes()) {
            Boolean their = theirs.get(t.name().toLowerCase(Locale.ROOT));
            boolean ours = Features.kernel().supports(t);
            if (PROGRAM_DIFFERENCES.containsKey(t)) {
                assertTrue(their == null || their != ours, t + " is listed as a difference but agrees");
                continue;
            }
            assertEquals(their, (Boolean) ours, t + ": bpftool " + their + ", bpf4j "
                    + Features.kernel().probe(t).describe());
        }
    }

    @Test
    void mapTypes() {
        Map<String, Boolean> theirs = flags("have_(\\w+)_map_type");
        assertFalse(theirs.isEmpty(), "no map types in bpftool's output");
        for (MapType t : Features.mapTypes()) {
            Boolean their = theirs.get(t.name().toLowerCase(Locale.ROOT));
            if (MAP_DIFFERENCES.containsKey(t)) {
                assertEquals(null, their, t + " is listed as not probed by bpftool");
                continue;
            }
            assertEquals(their, (Boolean) Features.kernel().supports(t), t + ": " + Features.kernel().probe(t).describe());
        }
    }

    @Test
    void helpersOfThreeTypes() {
        Set<String> skipped = Probes.NOT_PROBED.stream().map(Helper::kernelName).collect(Collectors.toSet());
        Set<String> newerThanLibbpf = Set.of("bpf_cgrp_storage_get", "bpf_cgrp_storage_delete");
        for (ProgramType type : HELPER_TYPES) {
            Set<String> theirs = helperList(type.name().toLowerCase(Locale.ROOT) + "_available_helpers");
            Set<String> ours = Features.kernel().helpers(type).stream().map(Helper::kernelName)
                    .collect(Collectors.toCollection(TreeSet::new));
            assertFalse(ours.isEmpty(), type + " has helpers");
            for (String h : skipped) {
                assertFalse(theirs.contains(h) || ours.contains(h), h + " is skipped by both");
            }
            Set<String> onlyOurs = new TreeSet<>(ours);
            onlyOurs.removeAll(theirs);
            onlyOurs.removeAll(newerThanLibbpf);
            assertEquals(Set.of(), onlyOurs, type + ": available by bpf4j's probe, not by bpftool's");

            // Everything bpftool lists and bpf4j does not must be a refusal for the type; check the verifier's
            // own words on a few of them (each check is one program load).
            Set<String> onlyTheirs = new TreeSet<>(theirs);
            onlyTheirs.removeAll(ours);
            onlyTheirs.stream().limit(4).forEach(name -> assertRefused(type, Helper.ofName(name)));
        }
    }

    private static void assertRefused(ProgramType type, Helper helper) {
        var insns = new Assembler().call(helper).mov64(Register.R0, 0).exit().build();
        try (Program p = Program.load(ProgramSpec.builder(type, insns).build())) {
            fail(type + " loaded a call to " + helper.kernelName() + ", which bpf4j's probe said it cannot use");
        } catch (VerifierException e) {
            assertTrue(e.log().contains("program of this type cannot use helper " + helper.kernelName()),
                    type + "/" + helper.kernelName() + ": " + e.log());
        }
    }

    private static Map<String, Boolean> flags(String keyPattern) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\"" + keyPattern + "\"\\s*:\\s*(true|false)").matcher(bpftool);
        while (m.find()) {
            out.put(m.group(1), Boolean.parseBoolean(m.group(2)));
        }
        return out;
    }

    private static Set<String> helperList(String key) {
        Matcher m = Pattern.compile("\"" + key + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(bpftool);
        assertTrue(m.find(), "no " + key + " in bpftool's output");
        Set<String> out = new TreeSet<>();
        Matcher name = Pattern.compile("\"(\\w+)\"").matcher(m.group(1));
        while (name.find()) {
            out.add(name.group(1));
        }
        return out;
    }
}
