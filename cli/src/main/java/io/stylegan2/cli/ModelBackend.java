package io.stylegan2.cli;

import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the commands need from the model, converter and npy modules, behind one seam so the
 * CLI compiles and is testable before those land (and with a fake in tests).
 *
 * <p>Implemented by {@link LibraryBackend}: {@link #load(Path)} / {@link #load(InputStream)}
 * &rarr; {@code io.stylegan2.stylegan.Generator.load}; {@link #convert} &rarr;
 * {@code io.stylegan2.converter.Converter.convert(in, out, ConvertOptions)}; {@link #readNpy} /
 * {@link #writeNpy} &rarr; {@code io.stylegan2.core.io.Npy.read / write}.
 */
public interface ModelBackend {

    /** Noise inputs of the synthesis network; mirrors {@code io.stylegan2.stylegan.NoiseMode}. */
    enum Noise { CONST, RANDOM, NONE }

    /** Which network of an NVlabs pickle to convert. */
    enum GeneratorKey { g_ema, g }

    /**
     * Converter options.
     *
     * @param generator which generator to take from the pickle
     * @param lrMlp     learning-rate multiplier of the mapping network the pickle was trained with
     */
    record ConvertSettings(GeneratorKey generator, double lrMlp) {}

    /** A loaded generator (plus, if the file has one, its discriminator's config). */
    interface GeneratorModel extends AutoCloseable {
        GeneratorConfig config();

        /** Config of the discriminator stored in the same file, if any. */
        Optional<DiscriminatorConfig> discriminatorConfig();

        /**
         * Mapping network with truncation.
         *
         * @param z                {@code [N, zDim]} float32
         * @param truncationPsi    {@code 1} for none
         * @param truncationCutoff number of leading ws to truncate, {@code -1} for all
         * @return {@code [N, numWs, wDim]}
         */
        INDArray mapping(INDArray z, double truncationPsi, int truncationCutoff);

        /**
         * Synthesis network.
         *
         * @param ws {@code [N, numWs, wDim]}
         * @return {@code [N, C, H, W]} in the raw (nominally {@code [-1, 1]}) range
         */
        INDArray synthesis(INDArray ws, Noise noise, long noiseSeed);

        /** Parameter count as the implementation reports it (all generator parameters). */
        long parameterCount();

        @Override
        void close();
    }

    /** Loads a native model file. */
    GeneratorModel load(Path nativeModelFile) throws IOException;

    /** Loads a native model from a stream (the embedded default model). */
    GeneratorModel load(InputStream in) throws IOException;

    /** Loads a source checkpoint directly (converted in memory, nothing written), for {@code --verify}. */
    GeneratorModel loadSource(Path in, ConvertSettings settings) throws IOException;

    /** Converts a checkpoint (file or state-dict folder) to a native model file (written atomically). */
    void convert(Path in, Path out, ConvertSettings settings, Progress progress) throws IOException;

    /** Reads a {@code .npy} file as float32. */
    INDArray readNpy(Path file) throws IOException;

    /** Writes a {@code .npy} file atomically. */
    void writeNpy(Path file, INDArray array) throws IOException;
}
