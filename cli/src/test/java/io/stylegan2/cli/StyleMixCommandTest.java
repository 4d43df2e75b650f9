package io.stylegan2.cli;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code style-mix} on the embedded model, and {@link WPlus#mix}. */
class StyleMixCommandTest {
    @TempDir Path dir;

    @Test
    void mixReplacesOnlyTheGivenRows() {
        INDArray a = org.nd4j.linalg.factory.Nd4j.zeros(2, 4, 3), b = org.nd4j.linalg.factory.Nd4j.ones(2, 4, 3);
        INDArray m = WPlus.mix(a, b, 1, 3);
        assertThat(m.getDouble(0, 0, 0)).isEqualTo(0.0);
        assertThat(m.getDouble(1, 1, 2)).isEqualTo(1.0);
        assertThat(m.getDouble(1, 2, 0)).isEqualTo(1.0);
        assertThat(m.getDouble(1, 3, 0)).isEqualTo(0.0);
        assertThat(a.sumNumber().doubleValue()).isEqualTo(0.0);                 // inputs unchanged
        assertThatThrownBy(() -> WPlus.mix(a, b, 2, 5)).hasMessageContaining("outside");
    }

    @Test
    void gridOfRowAndColumnSeedsWithTheColumnsStyles() throws Exception {
        CliHarness cli = new CliHarness();
        Path o = dir.resolve("mix");
        assertThat(cli.run("style-mix", "--rows", "1,2", "--cols", "3", "--styles", "0-3", "--out", o.toString())).as(cli.err()).isZero();
        assertThat(cli.out()).contains("W+ rows 0-3").contains("wrote 2 images");
        assertThat(Files.exists(o.resolve("1-3.png"))).isTrue();
        BufferedImage grid = javax.imageio.ImageIO.read(o.resolve("grid.png").toFile());
        try (Generator g = CliHarness.defaultGenerator()) {
            int r = g.config().imgResolution();
            assertThat(grid.getWidth()).isEqualTo(2 * r + 2);        // corner + one column, a 2-pixel gutter
            assertThat(grid.getHeight()).isEqualTo(3 * r + 4);       // the column seed's row + two row seeds
            INDArray row = g.mapping(Seeds.z(new long[]{2}, g.config().zDim()), 1.0), col = g.mapping(Seeds.z(new long[]{3}, g.config().zDim()), 1.0);
            INDArray want = g.synthesis(WPlus.mix(row, col, 0, 4), NoiseMode.CONST, 0);
            Path p = dir.resolve("want.png");
            Images.writePng(want, p);
            assertThat(Images.read(o.resolve("2-3.png"), 3)).isEqualTo(Images.read(p, 3));
        }
        // all styles from the column: the column seed's own image
        Path all = dir.resolve("all");
        assertThat(cli.run("style-mix", "--rows", "1", "--cols", "3", "--styles", "all", "--out", all.toString())).as(cli.err()).isZero();
        Path three = dir.resolve("three");
        assertThat(cli.run("generate", "--seeds", "3", "--out", three.toString())).as(cli.err()).isZero();
        assertThat(Images.read(all.resolve("1-3.png"), 3)).isEqualTo(Images.read(three.resolve("seed0003.png"), 3));
        assertThat(cli.run("style-mix", "--rows", "1", "--cols", "3", "--styles", "5-40", "--out", dir.resolve("bad").toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--styles");
    }
}
