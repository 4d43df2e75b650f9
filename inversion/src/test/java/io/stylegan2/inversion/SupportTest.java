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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Image preparation. */
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
}
