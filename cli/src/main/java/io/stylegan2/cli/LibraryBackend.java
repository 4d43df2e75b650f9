package io.stylegan2.cli;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.Npy;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/** The real {@link ModelBackend}: native model files, the converter and npy I/O of this library. */
final class LibraryBackend implements ModelBackend {

    @Override
    public GeneratorModel load(Path nativeModelFile) throws IOException {
        if (!Files.isRegularFile(nativeModelFile)) throw new IOException(nativeModelFile + ": no such model file");
        return wrap(NativeModel.read(nativeModelFile));
    }

    @Override
    public GeneratorModel load(InputStream in) throws IOException {
        Path tmp = Files.createTempFile("stylegan2-default", ".safetensors");
        try {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return wrap(NativeModel.read(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static GeneratorModel wrap(NativeModel m) {
        Generator g = Generator.create(m.generatorConfig(), m.generator());
        return new GeneratorModel() {
            @Override
            public GeneratorConfig config() {
                return g.config();
            }

            @Override
            public Optional<DiscriminatorConfig> discriminatorConfig() {
                return Optional.ofNullable(m.discriminatorConfig());
            }

            @Override
            public INDArray mapping(INDArray z, double truncationPsi, int truncationCutoff) {
                return g.mapping(z, truncationPsi, truncationCutoff);
            }

            @Override
            public INDArray synthesis(INDArray ws, Noise noise, long noiseSeed) {
                return g.synthesis(ws, NoiseMode.valueOf(noise.name()), noiseSeed);
            }

            @Override
            public long parameterCount() {
                return g.parameterCount();
            }

            @Override
            public void close() {
                g.close();
            }
        };
    }

    private static ConvertOptions options(ConvertSettings settings) {
        ConvertOptions o = ConvertOptions.defaults().withGenerator(settings.generator().name());
        return new ConvertOptions(o.generator(), o.includeDiscriminator(), settings.lrMlp(), o.mbstdGroupSize(), o.resampleFilter(), o.convClamp());
    }

    @Override
    public GeneratorModel loadSource(Path in, ConvertSettings settings) throws IOException {
        return wrap(Converter.load(List.of(in), options(settings)));
    }

    @Override
    public void convert(Path in, Path out, ConvertSettings settings, Progress progress) throws IOException {
        Progress p = Progress.orNone(progress);
        p.start("convert " + in.getFileName(), 1);
        Converter.convert(List.of(in), out, options(settings));
        p.update(1);
        p.end();
    }

    @Override
    public INDArray readNpy(Path file) throws IOException {
        return Npy.read(file).castTo(DataType.FLOAT);
    }

    @Override
    public void writeNpy(Path file, INDArray array) throws IOException {
        Npy.writeFloat32(file, array);
    }
}
