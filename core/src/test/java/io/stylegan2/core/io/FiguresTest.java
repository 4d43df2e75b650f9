package io.stylegan2.core.io;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FiguresTest {
    @Test
    void panelsAreUpscaledNearestWithGuttersLabelsAndACaption() {
        INDArray a = Nd4j.zeros(DataType.FLOAT, 1, 3, 32, 32).subi(1), b = Nd4j.ones(DataType.FLOAT, 1, 3, 32, 32);
        a.putScalar(new long[]{0, 0, 5, 7}, 1f);                       // one red pixel at (x 7, y 5)
        BufferedImage f = Figures.labelledRow(List.of(a, b), List.of("target", "reconstruction"), "MSE 0.1", 256);
        int s = Figures.scale(32, 256), g = Figures.GUTTER;
        assertThat(s).isEqualTo(8);
        assertThat(f.getWidth()).isEqualTo(g + 2 * (256 + g));
        int top = f.getHeight() - 256 - g - 18 - g / 2;              // caption band below the panels
        assertThat(top).isGreaterThan(g);
        // the red pixel covers an 8x8 block of the first panel; the second panel is white; the gutter is white
        int rx = g + 7 * s + 3, ry = top + 5 * s + 3;
        assertThat(f.getRGB(rx, ry) & 0xffffff).isEqualTo(0xff0000);
        assertThat(f.getRGB(g + 256 + g + 100, top + 100) & 0xffffff).isEqualTo(0xffffff);
        assertThat(f.getRGB(g + 256 + g / 2, top + 100) & 0xffffff).isEqualTo(0xffffff);
        assertThat(f.getRGB(g + 10, top + 10) & 0xffffff).isEqualTo(0x000000);
        // text is drawn above the panels (some non-white pixels in the label band)
        boolean ink = false;
        for (int x = g; x < g + 100; x++) for (int y = 0; y < top; y++) ink |= (f.getRGB(x, y) & 0xffffff) != 0xffffff;
        assertThat(ink).isTrue();
        assertThat(Figures.scale(512, 256)).isEqualTo(1);
        assertThatThrownBy(() -> Figures.labelledRow(List.of(a), List.of(), null, 256)).hasMessageContaining("one label per image");
    }
}
