package io.stylegan2.cli;

import io.stylegan2.core.Progress;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Placeholder {@link ModelBackend} used until the stylegan, converter and npy modules land: every
 * call fails with a clear message. Replace the bodies with
 * {@code Generator.load(...)}, {@code Converter.convert(...)}, {@code Npy.read/write(...)}.
 */
final class UnwiredBackend implements ModelBackend {
    private static UnsupportedOperationException missing(String what) {
        return new UnsupportedOperationException(what + " is not available in this build yet (model backend not wired)");
    }

    @Override public GeneratorModel load(Path nativeModelFile) { throw missing("loading model " + nativeModelFile); }
    @Override public GeneratorModel load(InputStream in) { throw missing("loading the embedded default model"); }
    @Override public void convert(Path in, Path out, ConvertSettings settings, Progress progress) { throw missing("converting " + in); }
    @Override public INDArray readNpy(Path file) throws IOException { throw missing("reading " + file); }
    @Override public void writeNpy(Path file, INDArray array) throws IOException { throw missing("writing " + file); }
}
