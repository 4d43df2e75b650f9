package io.stylegan2.cli;

import io.stylegan2.inversion.MethodContext;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The shared {@code --model FILE} option (a picocli mixin): a native model file, read once; its
 * generator is built at once and its discriminator on demand. {@link OrEmbedded} falls back to the
 * model embedded in the jar ({@value StyleGan2Cli#DEFAULT_MODEL_RESOURCE}); {@link Required} is for
 * commands that need an explicit file.
 */
abstract class ModelOption {
    @Spec(Spec.Target.MIXEE) CommandSpec spec;

    /** The given file, or null. */
    abstract Path file();

    /** A usage error (exit 2) naming {@code --model} when a given file is missing or unreadable. */
    void check() {
        if (file() != null) Cli.requireReadableFile(spec, file(), "--model");
    }

    /** Checks, then reads the model (the embedded one when no file was given). */
    Loaded load() throws IOException {
        check();
        return new Loaded(read(file()));
    }

    /** The native model of {@code file}, or the model embedded in the jar when {@code file} is null. */
    static NativeModel read(Path file) throws IOException {
        return file != null ? NativeModel.read(file) : io.stylegan2.stylegan.PretrainedModels.read(StyleGan2Cli.DEFAULT_MODEL_RESOURCE);
    }

    /** {@code --model FILE}, default: the embedded model. */
    static final class OrEmbedded extends ModelOption {
        @Option(names = "--model", paramLabel = "FILE", description = "native model file (default: the model embedded in the jar)")
        Path file;

        @Override
        Path file() {
            return file;
        }
    }

    /** {@code --model FILE}, required. */
    static final class Required extends ModelOption {
        @Option(names = "--model", required = true, paramLabel = "FILE", description = "native model file")
        Path file;

        @Override
        Path file() {
            return file;
        }
    }

    /** A model read once: the generator, and the discriminator when a method asks for it (closed with this). */
    static final class Loaded implements AutoCloseable {
        private final NativeModel model;
        private final Generator generator;
        private Discriminator discriminator;

        Loaded(NativeModel model) {
            this.model = model;
            this.generator = Generator.create(model.generatorConfig(), model.generator());
        }

        Generator generator() {
            return generator;
        }

        /** Builds the discriminator on first use; null when the file has none. */
        MethodContext.DiscriminatorSource discriminator() {
            return () -> {
                synchronized (this) {
                    if (discriminator == null && model.hasDiscriminator())
                        discriminator = Discriminator.create(model.discriminatorConfig(), model.discriminator());
                    return discriminator;
                }
            };
        }

        @Override
        public synchronized void close() {
            generator.close();
            if (discriminator != null) discriminator.close();
        }
    }
}
