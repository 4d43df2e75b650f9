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

    /** A {@code --real-images} argument: a folder, or an IDX image file ({@code *idx3-ubyte[.gz]}); else a usage error. */
    static void requireRealImages(CommandSpec spec, Path p) {
        if (!Files.isDirectory(p) && !(Files.isRegularFile(p) && p.getFileName().toString().contains("idx3-ubyte")))
            throw usage(spec, "--real-images: not a folder or an IDX image file (*idx3-ubyte[.gz]): " + p);
    }

    /**
     * A {@code --direction} argument: {@code FILE}, or {@code FILE:NAME} / {@code FILE:INDEX} selecting one
     * direction of the file (default: its first); a missing file or unknown direction is a usage error.
     */
    static io.stylegan2.inversion.editing.Direction direction(CommandSpec spec, String arg) {
        Path file = Path.of(arg);
        String select = "0";
        if (!Files.isRegularFile(file) && arg.lastIndexOf(':') > 0) {
            int c = arg.lastIndexOf(':');
            file = Path.of(arg.substring(0, c));
            select = arg.substring(c + 1);
        }
        requireReadableFile(spec, file, "--direction");
        try {
            return io.stylegan2.inversion.editing.DirectionSet.load(file).select(select);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw usage(spec, "--direction: " + e.getMessage());
        }
    }

    /** An inversion result given as its file or as the {@code invert} folder holding {@code result.safetensors}. */
    static Path resultFile(Path fileOrFolder) {
        return Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve("result.safetensors") : fileOrFolder;
    }

    /** Loads an inversion result ({@link #resultFile}) and checks it fits the model; errors are usage errors naming the argument. */
    static io.stylegan2.inversion.InversionResult loadResult(CommandSpec spec, Path fileOrFolder, String what, io.stylegan2.stylegan.Generator g) throws java.io.IOException {
        Path file = resultFile(fileOrFolder);
        requireReadableFile(spec, file, what);
        io.stylegan2.inversion.InversionResult r = io.stylegan2.inversion.InversionResults.load(file);
        try {
            r.reconstruction().requireFits(g);
        } catch (IllegalArgumentException e) {
            throw usage(spec, what + " " + file + ": " + e.getMessage());
        }
        return r;
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
