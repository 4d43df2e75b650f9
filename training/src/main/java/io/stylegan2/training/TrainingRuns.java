package io.stylegan2.training;

import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finding things in run folders: the training state to resume from, the newest network snapshot.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread. {@link Header}
 * is immutable (records of config values).
 */
public final class TrainingRuns {
    private TrainingRuns() {}

    /** The configs of a training-state file, read from its header only. */
    public record Header(GeneratorConfig generator, DiscriminatorConfig discriminator, TrainingOptions options) {}

    /**
     * The training state {@code path} stands for: the newest state of a run folder, the file itself
     * if it is a training-state file; empty for anything else (e.g. a model to fine-tune).
     */
    public static Optional<Path> stateOf(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Optional<Path> s = RunFolder.latestState(path);
            if (s.isEmpty()) throw new IOException(path + ": no " + RunFolder.STATE_PREFIX + "*.safetensors in this run folder");
            return s;
        }
        if (!Files.isRegularFile(path)) throw new IOException("no such file or folder: " + path);
        try {
            return TrainingState.FORMAT.equals(Safetensors.readHeader(path).metadata().get("format")) ? Optional.of(path) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();   // not a safetensors file: a checkpoint for the converter
        }
    }

    /** The configs and options stored in a training-state file. */
    public static Header header(Path state) throws IOException {
        var m = Safetensors.readHeader(state).metadata();
        if (!TrainingState.FORMAT.equals(m.get("format"))) throw new IOException(state + ": not a training state");
        return new Header(NativeModel.fromJson(m.get("generator_config"), GeneratorConfig.class),
                NativeModel.fromJson(m.get("discriminator_config"), DiscriminatorConfig.class),
                NativeModel.fromJson(m.get("options"), TrainingOptions.class));
    }

    /** The newest {@code network-snapshot-*.safetensors} of a run folder. */
    public static Optional<Path> latestNetwork(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(RunFolder.NETWORK_PREFIX)).max(java.util.Comparator.comparing(p -> p.getFileName().toString()));
        }
    }
}
