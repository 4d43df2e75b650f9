package io.stylegan2.cli;

import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A tiny random model (16x16 RGB (SSIM's smallest size), 2 channels, z_dim = w_dim = 8, num_ws 6) written as a native file, so CLI tests run the
 * real library fast. Noise strengths are 0.5 (not the initial 0), so noise maps change the image.
 * (w_dim 8, not 4: with w_dim 4 the W+ optimisation graph fails in ND4J's strided_slice_bp, "Op validation failed".)
 */
final class TinyModel {
    static final GeneratorConfig CONFIG = new GeneratorConfig(8, 8, 2, 0.01, 16, 3, Map.of(4, 2, 8, 2, 16, 2), null, null, "skip");
    static final DiscriminatorConfig D_CONFIG = DiscriminatorConfig.nvlabs(16, 3, 32, 2);

    private TinyModel() {}

    /** Writes generator and discriminator with NVlabs-style random weights of {@code seed}. */
    static Path write(Path file, long seed) throws IOException {
        Map<String, INDArray> g = Generator.randomParams(CONFIG, seed);
        g.replaceAll((name, v) -> name.endsWith("noise_strength") ? v.add(0.5) : v);
        new NativeModel(CONFIG, D_CONFIG, g, Discriminator.randomParams(D_CONFIG, seed), Map.of("source", "TinyModel seed " + seed)).write(file);
        return file;
    }
}
