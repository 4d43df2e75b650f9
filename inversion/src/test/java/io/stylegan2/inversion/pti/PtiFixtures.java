package io.stylegan2.inversion.pti;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Real fixtures for the PTI tests: the nv_s32_c64 generator, the LPIPS fixture photos, the fixture LPIPS-alex. */
final class PtiFixtures {
    private PtiFixtures() {}

    static Generator generator() throws IOException {
        NativeModel m = Converter.load(List.of(Fixtures.path("nvlabs/nv_s32_c64")), ConvertOptions.defaults());
        return Generator.create(m.generatorConfig(), m.generator());
    }

    /** Fixture photo {@code i} of lpips_img0.npy (64x64, [-1, 1]) area-downsampled to {@code res}: {@code [1, 3, res, res]}. */
    static INDArray photo(int i, int res) throws IOException {
        return io.stylegan2.inversion.FixtureModel.photo(i, res);
    }

    /** LPIPS-alex of the fixtures: the seeded AlexNet trunk with the official lin heads (alex.pth). */
    static Lpips lpipsAlex() throws IOException {
        return io.stylegan2.inversion.FixtureModel.lpipsAlex();
    }

    static double mse(INDArray a, INDArray b) {
        INDArray d = a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE));
        return d.mul(d).meanNumber().doubleValue();
    }

    /** A quick W+ pivot: the {@code wplus} method (mse + perceptual, const noise) for {@code steps} steps at {@code lr}. */
    static INDArray wPlusPivot(Generator g, INDArray target, PerceptualLoss perceptual, int steps, double lr) {
        return new WPlusProjector(g, perceptual, WPlusConfig.defaults().withSteps(steps).withLearningRate(lr)).invert(new Target("pivot", target)).ws();
    }

    /** W+ of w_avg, {@code [1, num_ws, w_dim]}. */
    static INDArray wAvgPlus(Generator g) {
        return WPlus.one(g.wAvg(), g.config(), "w_avg");
    }

    static INDArray zerosLike(INDArray a) {
        return Nd4j.zeros(a.dataType(), a.shape());
    }
}
