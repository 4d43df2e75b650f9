package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.FixtureModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SegmentationTest {

    @Test
    void labelsAreCompactInOrderOfFirstAppearance() {
        Segmentation s = Segmentation.of(2, 3, new int[]{7, 7, 3, 9, 3, 3});
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.labels()).containsExactly(0, 0, 1, 2, 1, 1);
        assertThat(s.sizes()).containsExactly(2, 3, 1);
        assertThat(s.segmentMeans(new float[]{1, 3, 10, 5, 20, 30})).containsExactly(2.0, 20.0, 5.0);
        assertThat(Segmentation.fromArray(s.toArray()).labels()).containsExactly(s.labels());
        assertThatThrownBy(() -> Segmentation.of(2, 2, new int[3])).hasMessageContaining("3 labels for a 2x2 image");
    }

    @Test
    void labelPngsAreReadByColourAndResizedByNearestNeighbour(@TempDir Path dir) throws Exception {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++) img.setRGB(x, y, x < 2 ? 0xFF0000 : (y < 2 ? 0x00FF00 : 0x0000FF));
        Path folder = Files.createDirectories(dir.resolve("maps"));
        ImageIO.write(img, "png", folder.resolve("shirt.png").toFile());
        INDArray image = FixtureModel.garment(0).reshape(1, 3, 32, 32);
        Segmentation s = new LabelMapSegmenter(folder).segment("shirt", image);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.height()).isEqualTo(32);
        assertThat(s.sizes()).containsExactly(512, 256, 256);
        assertThat(s.label(31, 0)).isEqualTo(0);
        assertThat(s.label(0, 31)).isEqualTo(1);
        assertThat(s.label(31, 31)).isEqualTo(2);
        assertThat(new LabelMapSegmenter(folder.resolve("shirt.png")).segment("any", image).labels()).containsExactly(s.labels());
        assertThatThrownBy(() -> new LabelMapSegmenter(folder).segment("dress", image)).hasMessageContaining("no label map for 'dress'").hasMessageContaining("dress.png");
        assertThatThrownBy(() -> new LabelMapSegmenter(dir.resolve("missing"))).hasMessageContaining("does not exist");
        Files.writeString(folder.resolve("broken.png"), "not a png");
        assertThatThrownBy(() -> new LabelMapSegmenter(folder).segment("broken", image)).hasMessageContaining("broken.png");
    }

    @Test
    void superpixelsCoverARealGarmentWithSeveralSegments() {
        INDArray image = FixtureModel.garment(3);
        for (SuperpixelSegmenter seg : new SuperpixelSegmenter[]{SuperpixelSegmenter.slic(16), SuperpixelSegmenter.fh04(300, 20)}) {
            Segmentation s = seg.segment("g", image);
            assertThat(s.height()).isEqualTo(32);
            assertThat(s.count()).as(seg.describe()).isBetween(2, 40);
            assertThat(Arrays.stream(s.sizes()).sum()).isEqualTo(32 * 32);
            assertThat(seg.segment("g", image).labels()).as("deterministic").containsExactly(s.labels());
        }
        assertThat(SuperpixelSegmenter.slic(4).segment("g", image).count()).isLessThan(SuperpixelSegmenter.slic(32).segment("g", image).count());
        assertThatThrownBy(() -> new SuperpixelSegmenter(SuperpixelSegmenter.Algorithm.SLIC, 0, 200, 20)).hasMessageContaining("regions");
    }
}
