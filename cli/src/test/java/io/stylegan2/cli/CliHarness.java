package io.stylegan2.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process with captured stdout/stderr (tests); each run starts with empty buffers. */
final class CliHarness {
    StringWriter out = new StringWriter(), err = new StringWriter();

    int run(String... args) {
        out = new StringWriter();
        err = new StringWriter();
        CommandLine cl = StyleGan2Cli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    /** The embedded default model's generator (the shipped Fashion-MNIST model); the caller closes it. */
    static io.stylegan2.stylegan.Generator defaultGenerator() throws java.io.IOException {
        try (java.io.InputStream in = StyleGan2Cli.class.getResourceAsStream(StyleGan2Cli.DEFAULT_MODEL_RESOURCE)) {
            return io.stylegan2.stylegan.Generator.load(in, "default");
        }
    }
}
