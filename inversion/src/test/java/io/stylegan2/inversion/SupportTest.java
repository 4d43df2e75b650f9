package io.stylegan2.inversion;

import io.stylegan2.core.io.Images;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Image preparation and the loss-curve chart. */
class SupportTest {
    @TempDir Path dir;

    @Test
    void preparesCroppedResizedTargets() throws Exception {
        // 64x48 image: left half black, right half white; the centre 48x48 crop resized to 16
        INDArray img = Nd4j.create(DataType.FLOAT, 1, 3, 48, 64).assign(-1);
        img.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(32, 64)).assign(1);
        Path png = dir.resolve("a.png"), jpg = dir.resolve("a.jpg");
        Images.writePng(img, png);
        ImageIO.write(Images.toBufferedImage(img), "jpg", jpg.toFile());
        List<Target> ts = ImagePreparation.targets(List.of(png, jpg), 16, 3);
        assertThat(ts).extracting(Target::name).containsExactly("a", "a_2");
        INDArray t = ts.get(0).image();
        assertThat(t.shape()).containsExactly(1, 3, 16, 16);
        assertThat(t.getDouble(0, 0, 5, 0)).isCloseTo(-1, org.assertj.core.api.Assertions.within(0.01));
        assertThat(t.getDouble(0, 0, 5, 15)).isCloseTo(1, org.assertj.core.api.Assertions.within(0.01));
        assertThat(ImagePreparation.load(png, 8, 1).shape()).containsExactly(1, 1, 8, 8);
        assertThatThrownBy(() -> ImagePreparation.load(dir.resolve("missing.png"), 8, 3)).hasMessageContaining("missing.png");
    }

    @Test
    void drawsLossCurves() throws Exception {
        List<Map<String, Double>> h = new ArrayList<>();
        for (int i = 0; i < 50; i++) h.add(Map.of("mse", 1.0 / (i + 1), "perceptual", 0.5 * Math.exp(-i / 10.0), "total", 2.0 / (i + 1), "lr", 0.1));
        Path f = dir.resolve("curve.png");
        LossCurves.writePng(h, "wplus img", true, f);
        BufferedImage img = ImageIO.read(f.toFile());
        assertThat(img.getWidth()).isEqualTo(640);
        assertThat(LossCurves.terms(h)).containsExactlyInAnyOrder("mse", "perceptual", "total");
        // some non-white, non-gray pixels (the coloured lines)
        int coloured = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) {
            int rgb = img.getRGB(x, y), r = (rgb >> 16) & 255, g = (rgb >> 8) & 255, b = rgb & 255;
            if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) coloured++;
        }
        assertThat(coloured).isGreaterThan(300);
        LossCurves.render(List.of(), "empty", false, 200, 100);   // no data: axes only, no exception
        LossCurves.render(List.of(Map.of("x", 0.0)), "flat", true, 200, 100);
    }
}
