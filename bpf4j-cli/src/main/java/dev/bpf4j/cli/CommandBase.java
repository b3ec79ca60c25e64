package dev.bpf4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/** What every leaf command shares: its output stream and the --json switch. */
abstract class CommandBase implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    /** Prints {@code value} as JSON, or each key and value on its own line for people. */
    void printObject(java.util.Map<String, Object> value) {
        if (json) {
            out().println(Json.write(value));
        } else {
            value.forEach((k, v) -> out().println(k + ": " + v));
        }
        out().flush();
    }
}
