package io.stylegan2.converter;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.NativeModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzz tests of every reader of untrusted bytes: the unpickler, the torch zip and legacy readers, the
 * NVIDIA pickle path of the converter, the safetensors reader, the native-model config reader, image
 * decoding. The property: any input either reads or fails with an {@link IOException} or an
 * {@link IllegalArgumentException} naming the problem; anything else (a {@code StackOverflowError},
 * {@code OutOfMemoryError}, {@code NullPointerException}, an index or cast error) or a hang is a finding.
 * <p>
 * In a normal build each target runs once per input of its committed corpus
 * ({@code src/test/resources/io/stylegan2/converter/ReaderFuzzTestInputs/<target>/}: seeds made from
 * small checkpoints of each kind and the crafted files of {@link HostileFilesTest}, plus any crash
 * found). To fuzz one target: {@code JAZZER_FUZZ=1 mvn -pl weights-converter test -Dtest=ReaderFuzzTest#pickle
 * -Djazzer.max_duration=10m} (see the README's "Safety and limits").
 */
class ReaderFuzzTest {
    private static Path dir;

    private static synchronized Path file(byte[] data, String name) throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("reader-fuzz");
            dir.toFile().deleteOnExit();
        }
        Path f = dir.resolve(name);
        Files.write(f, data);
        return f;
    }

    @FunctionalInterface
    private interface Read {
        void read(Path f) throws Exception;
    }

    private static void expectCleanFailure(byte[] data, String name, Read r) throws Exception {
        Path f = file(data, name);
        try {
            r.read(f);
        } catch (IOException | IllegalArgumentException expected) {
            // a named, clean failure
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @FuzzTest(maxDuration = "10m")
    void pickle(byte[] data) throws Exception {
        expectCleanFailure(data, "in.pkl", TorchFiles::load);
    }

    @FuzzTest(maxDuration = "10m")
    void torchZip(byte[] data) throws Exception {
        expectCleanFailure(data, "in.pt", TorchFiles::load);
    }

    @FuzzTest(maxDuration = "10m")
    void legacy(byte[] data) throws Exception {
        expectCleanFailure(data, "in.pth", TorchFiles::load);
    }

    @FuzzTest(maxDuration = "10m")
    void nvidiaPickle(byte[] data) throws Exception {
        expectCleanFailure(data, "network-snapshot.pkl", f -> Converter.load(List.of(f), ConvertOptions.defaults()));
    }

    @FuzzTest(maxDuration = "10m")
    void safetensors(byte[] data) throws Exception {
        expectCleanFailure(data, "in.safetensors", Safetensors::read);
    }

    @FuzzTest(maxDuration = "10m")
    void nativeModel(byte[] data) throws Exception {
        expectCleanFailure(data, "model.safetensors", NativeModel::read);
    }

    @FuzzTest(maxDuration = "10m")
    void image(byte[] data) throws Exception {
        expectCleanFailure(data, "in.img", f -> Images.read(f, 3));
    }
}
