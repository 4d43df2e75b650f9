package io.stylegan2.inversion;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.testing.Fixtures;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.List;

/**
 * The networks of the inversion tests: the trained Fashion-MNIST model shipped in the stylegan jar
 * ({@link #trainedGenerator()}, {@link #trainedDiscriminator()}) with real test garments it never saw
 * ({@link #garment(int)}), for the methods' claims; and the random-init fixture generator (NVlabs
 * {@code nv_s32_c64}, 32 px, converted in memory) with targets it made, for plumbing and parity.
 */
public final class FixtureModel {
    private static Generator generator, trained;
    private static Discriminator discriminator, trainedD;

    private FixtureModel() {}

    public static synchronized Generator generator() throws IOException {
        if (generator == null) load();
        return generator;
    }

    /** The fixture's discriminator (NVlabs resnet D of the same checkpoint). */
    public static synchronized Discriminator discriminator() throws IOException {
        if (discriminator == null) load();
        return discriminator;
    }

    /** The shipped Fashion-MNIST G_ema ({@link io.stylegan2.stylegan.PretrainedModels#fashionMnist32()}). */
    public static synchronized Generator trainedGenerator() throws IOException {
        if (trained == null) loadTrained();
        return trained;
    }

    /** The shipped Fashion-MNIST discriminator. */
    public static synchronized Discriminator trainedDiscriminator() throws IOException {
        if (trainedD == null) loadTrained();
        return trainedD;
    }

    private static void loadTrained() throws IOException {
        NativeModel m = io.stylegan2.stylegan.PretrainedModels.fashionMnist32();
        trained = Generator.create(m.generatorConfig(), m.generator());
        trainedD = Discriminator.create(m.discriminatorConfig(), m.discriminator());
    }

    /** Fashion-MNIST test image {@code i} as the trained model draws them: {@code [1, 3, 32, 32]} in [-1, 1]. */
    public static INDArray garment(int i) {
        return io.stylegan2.core.testing.FashionMnistSamples.padded(i, 3);
    }

    private static void load() throws IOException {
        NativeModel m = Converter.load(List.of(Fixtures.path("nvlabs/nv_s32_c64")), ConvertOptions.defaults());
        generator = Generator.create(m.generatorConfig(), m.generator());
        discriminator = Discriminator.create(m.discriminatorConfig(), m.discriminator());
    }

    /** The W+ code of {@code seed} at truncation {@code psi} (so a perfect answer exists). */
    public static INDArray ws(long seed, double psi) throws IOException {
        Generator g = generator();
        return g.mapping(Seeds.z(new long[]{seed}, g.config().zDim()), psi);
    }

    /** An image the generator itself produced: {@code [1, 3, 32, 32]}, const noise, clamped to [-1, 1]. */
    public static Target target(String name, long seed, double psi) throws IOException {
        INDArray img = generator().synthesis(ws(seed, psi), NoiseMode.CONST, 0);
        return new Target(name, ReconstructionMetrics.clamp(img));
    }

    /** Fixture photo {@code i} of lpips_img0.npy (64x64 real photos, [-1, 1]) centre-cropped and area-resized to {@code res}: {@code [1, 3, res, res]}. */
    public static INDArray photo(int i, int res) throws IOException {
        INDArray all = io.stylegan2.core.io.Npy.read(Fixtures.path("lpips/lpips_img0.npy"));
        return io.stylegan2.core.io.Images.centerCropResize(all.slice(i).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c'), res);
    }

    /** LPIPS-alex of the fixtures: the seeded AlexNet trunk with the official lin heads (alex.pth). */
    public static io.stylegan2.losses.lpips.Lpips lpipsAlex() throws IOException {
        return io.stylegan2.converter.LpipsConverter.read(io.stylegan2.losses.lpips.LpipsNet.ALEX,
                Fixtures.path("lpips/backbone_alexnet_features.pt"), Fixtures.path("lpips/alex.pth"));
    }
}
