package dev.bpf4j.testing;

import dev.bpf4j.MapType;
import dev.bpf4j.internal.sys.BpfAttr;
import dev.bpf4j.internal.sys.BpfCommand;
import dev.bpf4j.internal.sys.Bpf;
import dev.bpf4j.internal.sys.Sys;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Decides once per JVM whether bpf() works here; see {@link KernelTest}. */
public final class KernelCondition implements ExecutionCondition {
    private static volatile String unavailable;
    private static volatile boolean probed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String why = whyUnavailable();
        if (why == null) {
            return ConditionEvaluationResult.enabled("bpf() works");
        }
        if (required()) {
            throw new AssertionError("BPF4J_REQUIRE_KERNEL=1 but the kernel cannot be used: " + why);
        }
        return ConditionEvaluationResult.disabled("kernel not available: " + why);
    }

    static boolean required() {
        return "1".equals(System.getenv("BPF4J_REQUIRE_KERNEL"));
    }

    /** Null when a small array map can be created; otherwise the reason. */
    public static synchronized String whyUnavailable() {
        if (!probed) {
            unavailable = probe();
            probed = true;
        }
        return unavailable;
    }

    private static String probe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = Bpf.attr(arena, BpfAttr.MapCreate.SIZE);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAP_TYPE, MapType.ARRAY.value());
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.KEY_SIZE, 4);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.VALUE_SIZE, 4);
            attr.set(ValueLayout.JAVA_INT, BpfAttr.MapCreate.MAX_ENTRIES, 1);
            Sys.close(Bpf.call(BpfCommand.BPF_MAP_CREATE, attr, BpfAttr.MapCreate.SIZE));
            return null;
        } catch (RuntimeException | LinkageError e) {
            return e.toString();
        }
    }
}
