package io.stylegan2.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Shared argument checks; each failure is a picocli usage error (exit code 2) naming the argument. */
final class Cli {
    private Cli() {}

    static CommandLine.ParameterException usage(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static void requireReadableFile(CommandSpec spec, Path file, String what) {
        if (!Files.isRegularFile(file)) throw usage(spec, what + ": no such file: " + file);
        if (!Files.isReadable(file)) throw usage(spec, what + ": file is not readable: " + file);
    }

    /** The generator of {@code --model}, or the model embedded in the CLI jar when {@code model} is null. */
    static io.stylegan2.stylegan.Generator loadGenerator(java.nio.file.Path model) throws java.io.IOException {
        io.stylegan2.stylegan.NativeModel m = loadModel(model);
        return io.stylegan2.stylegan.Generator.create(m.generatorConfig(), m.generator());
    }

    /** The discriminator of a loaded model, or null when the file has none. */
    static io.stylegan2.stylegan.Discriminator discriminatorOf(io.stylegan2.stylegan.NativeModel m) {
        return m.hasDiscriminator() ? io.stylegan2.stylegan.Discriminator.create(m.discriminatorConfig(), m.discriminator()) : null;
    }

    /** The native model of {@code --model}, or the model embedded in the CLI jar when {@code model} is null. */
    static io.stylegan2.stylegan.NativeModel loadModel(java.nio.file.Path model) throws java.io.IOException {
        if (model != null) return io.stylegan2.stylegan.NativeModel.read(model);
        java.io.InputStream in = StyleGan2Cli.class.getResourceAsStream(StyleGan2Cli.DEFAULT_MODEL_RESOURCE);
        if (in == null)
            throw new java.io.IOException("no --model given and this build has no embedded default model (classpath resource "
                    + StyleGan2Cli.DEFAULT_MODEL_RESOURCE + ")");
        try (in) {
            return io.stylegan2.stylegan.NativeModel.read(in, StyleGan2Cli.DEFAULT_MODEL_RESOURCE);
        }
    }

    /** Converts seed lists such as {@code 1-8} or {@code 1,3,5-7}. */
    static final class SeedListConverter implements CommandLine.ITypeConverter<SeedList> {
        @Override
        public SeedList convert(String value) {
            try {
                return new SeedList(io.stylegan2.core.Seeds.parse(value));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Parsed {@code --seeds}. */
    record SeedList(long[] seeds) {}
}
