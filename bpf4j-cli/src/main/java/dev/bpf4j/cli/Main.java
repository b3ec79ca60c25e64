package dev.bpf4j.cli;

import dev.bpf4j.BpfException;
import dev.bpf4j.VerifierException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The bpf4j command: a few calls into bpf4j-core per subcommand. */
@Command(name = "bpf4j", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Load, inspect and run eBPF programs and maps from Java.",
        subcommands = {VersionCommand.class, DemoCommand.class, ProgCommand.class, MapCommand.class, LinkCommand.class,
                BtfCommand.class, ObjectCommand.class, DisasmCommand.class, TypesCommand.class,
                FeatureCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command with the given streams; returns the exit code (0 ok, 1 failure, 2 usage). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("bpf4j: " + oneLine(e));
            verifierLog(e).ifPresent(log -> err.println("The verifier's log:\n" + log.stripTrailing()));
            err.flush();
            return 1;
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            err.println("bpf4j: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            err.flush();
            return 2;
        });
        return cli.execute(args);
    }

    /** After the one-line error, a verifier rejection also shows its whole log: that is where the why is. */
    static java.util.Optional<String> verifierLog(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VerifierException v && !v.log().isBlank()) {
                return java.util.Optional.of(v.log());
            }
        }
        return java.util.Optional.empty();
    }

    /** The message a user sees: ours as written, anything else with its type (it is a bug). */
    static String oneLine(Throwable e) {
        if (e instanceof BpfException) {
            return e.getMessage();
        }
        if (e instanceof java.io.IOException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        return e.toString();
    }
}
