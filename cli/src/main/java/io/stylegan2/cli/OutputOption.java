package io.stylegan2.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared {@code --out DIR} option (a picocli mixin): the output folder, created if missing. */
final class OutputOption {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created if missing)")
    Path dir;

    /** A usage error (exit 2) when the path exists and is not a folder; returns the folder. */
    Path check() {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw Cli.usage(spec, "--out: not a folder: " + dir);
        return dir;
    }

    /** Checks, then creates the folder (and its parents); returns it. */
    Path create() throws IOException {
        return Files.createDirectories(check());
    }
}
