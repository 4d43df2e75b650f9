package io.stylegan2.inversion;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.inversion.editing.GanSpace;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.PretrainedModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Javadoc examples of {@code Generator}, {@link Methods} and {@link Edits}, run as written (only
 * the file names are resolved in a temporary folder) on the embedded Fashion-MNIST model and a real
 * test garment: if one stops compiling or working, this fails. Keep the two in step.
 */
class JavadocExamplesTest {
    @TempDir Path dir;

    private Path file(String name) {
        return dir.resolve(name);
    }

    @Test
    void theGeneratorInversionAndEditExamplesRunAsWritten() throws Exception {
        PretrainedModels.fashionMnist32().write(file("model.safetensors"));
        Images.writePng(io.stylegan2.core.testing.FashionMnistSamples.padded(3, 3), file("photo.png"));

        // Generator
        try (Generator g = Generator.load(file("model.safetensors"))) {
            INDArray z = Seeds.z(new long[]{1, 2, 3}, g.config().zDim());
            INDArray ws = g.mapping(z, 0.7);
            INDArray images = g.synthesis(ws, NoiseMode.CONST, 0);
            Images.writeGridPng(images, 3, file("grid.png"));
            assertThat(images.shape()).containsExactly(3, 3, 32, 32);
        }
        assertThat(file("grid.png")).isRegularFile();

        // Methods: an inversion
        double psnr;
        try (Generator g = Generator.load(file("model.safetensors"))) {
            Target target = new Target("photo", ImagePreparation.load(file("photo.png"),
                    g.config().imgResolution(), g.config().imgChannels()));
            Inverter inverter = Methods.builtIn().create("wplus", MethodContext.of(g).withSteps(300));
            InversionResult result = inverter.invert(target);
            psnr = result.metrics().psnr();
            InversionResults.save(result, file("result.safetensors"));
        }
        assertThat(psnr).as("a real garment, 300 W+ steps").isGreaterThan(20);

        // Edits: a GANSpace direction on the saved result
        INDArray strip;
        InversionResult saved;
        try (Generator g = Generator.load(file("model.safetensors"))) {
            saved = InversionResults.load(file("result.safetensors"));
            Direction pc0 = GanSpace.compute(g, 10, 10_000, 0, LayerRange.all(g.config().numWs()))
                    .directions().get(0);
            strip = Edits.strip(g, saved.reconstruction(), pc0, new double[]{-2, 0, 2});
            Images.writeGridPng(strip, 3, file("strip.png"));
        }
        assertThat(strip.get(NDArrayIndex.interval(1, 2), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())).isEqualTo(saved.image());
        assertThat(strip.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all())).isNotEqualTo(saved.image());
    }
}
