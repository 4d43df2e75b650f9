package io.stylegan2.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The loss-curve chart. */
class LossCurvesTest {
    @TempDir Path dir;

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

    @Test
    void theLegendListsOnlyTermsThatAreDrawn() {
        List<Map<String, Double>> h = List.of(
                Map.of("mse", 0.5, "adv", 0.0, "lpips", Double.NaN, "lr", 0.01),
                Map.of("mse", 0.25, "adv", 0.0, "lpips", Double.NaN, "lr", 0.01));
        assertThat(LossCurves.drawnTerms(h, true)).containsExactly("mse");
        assertThat(LossCurves.drawnTerms(h, false)).containsExactlyInAnyOrder("mse", "adv");
    }
}
