package io.stylegan2.cli;

import io.stylegan2.core.Progress;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** In-memory backend: an 8x8 RGB "generator" whose image depends deterministically on w. */
final class FakeBackend implements ModelBackend {
    static final GeneratorConfig CONFIG = new GeneratorConfig(4, 4, 2, 0.01, 8, 3, Map.of(4, 2, 8, 2), null, null, "skip");
    static final DiscriminatorConfig D_CONFIG = DiscriminatorConfig.nvlabs(8, 3, 16, 2);

    final List<String> calls = new ArrayList<>();
    final Map<Path, INDArray> npyFiles = new HashMap<>();
    final Map<Path, INDArray> written = new HashMap<>();
    double converterNoise = 0; // offset of the source model's renders, to make --verify fail

    final class Model implements GeneratorModel {
        final double offset;
        Model(double offset) { this.offset = offset; }
        @Override public GeneratorConfig config() { return CONFIG; }
        @Override public Optional<DiscriminatorConfig> discriminatorConfig() { return Optional.of(D_CONFIG); }
        @Override public INDArray mapping(INDArray z, double psi, int cutoff) {
            calls.add("mapping " + z.size(0) + " psi=" + psi + " cutoff=" + cutoff);
            INDArray ws = Nd4j.create(DataType.FLOAT, z.size(0), CONFIG.numWs(), CONFIG.wDim());
            for (int j = 0; j < CONFIG.numWs(); j++) ws.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(j), org.nd4j.linalg.indexing.NDArrayIndex.all()).assign(z.mul(psi));
            return ws;
        }
        @Override public INDArray synthesis(INDArray ws, Noise noise, long noiseSeed) {
            calls.add("synthesis " + ws.size(0) + " " + noise + " " + noiseSeed);
            long n = ws.size(0);
            INDArray mean = ws.reshape(n, -1).mean(1).reshape(n, 1, 1, 1);
            INDArray pattern = Nd4j.linspace(-1, 1, 3 * 8 * 8, DataType.FLOAT).reshape(1, 3, 8, 8);
            return Transforms.tanh(pattern.add(mean.castTo(DataType.FLOAT)).add(offset).broadcast(n, 3, 8, 8).dup());
        }
        @Override public long parameterCount() { return ParameterCounts.of(CONFIG).total(); }
        @Override public void close() { calls.add("close"); }
    }

    @Override public GeneratorModel load(Path file) throws IOException {
        calls.add("load " + file.getFileName());
        return new Model(0);
    }
    @Override public GeneratorModel loadSource(Path in, ConvertSettings settings) {
        calls.add("loadSource " + in.getFileName());
        return new Model(converterNoise);
    }
    @Override public GeneratorModel load(InputStream in) { calls.add("load stream"); return new Model(0); }
    @Override public void convert(Path in, Path out, ConvertSettings settings, Progress progress) throws IOException {
        calls.add("convert " + in.getFileName() + " " + settings.generator() + " " + settings.lrMlp());
        Files.writeString(out, "model");
    }
    @Override public INDArray readNpy(Path file) throws IOException {
        INDArray a = npyFiles.get(file);
        if (a == null) throw new IOException("no such npy " + file);
        return a;
    }
    @Override public void writeNpy(Path file, INDArray array) throws IOException {
        written.put(file.getFileName(), array.dup());
        Files.writeString(file, "npy");
    }
}
