package io.stylegan2.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process with captured stdout/stderr (tests). */
final class CliHarness {
    final StringWriter out = new StringWriter(), err = new StringWriter();
    private final ModelBackend backend;

    CliHarness(ModelBackend backend) {
        this.backend = backend;
    }

    /** The real backend. */
    static CliHarness real() {
        return new CliHarness(new LibraryBackend());
    }

    int run(String... args) {
        CommandLine cl = StyleGan2Cli.commandLine(backend);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }
}
