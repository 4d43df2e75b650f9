package io.stylegan2.metrics;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.*;

/** MS-SSIM against a naive implementation (direct 2-d window sums, per-pixel pooling) and its properties. */
class MsSsimTest {

    /** Smooth random-ish image: sum of sinusoids plus noise, in [-1,1]. */
    static INDArray image(int c, int h, int w, long seed, double noise) {
        java.util.Random r = new java.util.Random(seed);
        double[] d = new double[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            double fx = 0.05 + 0.1 * r.nextDouble(), fy = 0.05 + 0.1 * r.nextDouble(), ph = r.nextDouble() * 6;
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    d[(ch * h + i) * w + j] = Math.max(-1, Math.min(1, 0.7 * Math.sin(fx * i + fy * j + ph) + noise * r.nextGaussian()));
        }
        return Nd4j.create(d, new long[]{c, h, w}, DataType.DOUBLE);
    }

    static double[][] naiveStats(double[][][] x, double[][][] y, double range) {
        int c = x.length, h = x[0].length, w = x[0][0].length;
        double[] g1 = Ssim.gaussian(11, 1.5);
        double c1 = Math.pow(0.01 * range, 2), c2 = Math.pow(0.03 * range, 2);
        double[] ssim = new double[c], cs = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double ss = 0, cc = 0;
            int cnt = 0;
            for (int i = 0; i + 11 <= h; i++)
                for (int j = 0; j + 11 <= w; j++) {
                    double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                    for (int a = 0; a < 11; a++)
                        for (int b = 0; b < 11; b++) {
                            double g = g1[a] * g1[b], u = x[ch][i + a][j + b], v = y[ch][i + a][j + b];
                            mx += g * u; my += g * v; xx += g * u * u; yy += g * v * v; xy += g * u * v;
                        }
                    double vx = xx - mx * mx, vy = yy - my * my, vxy = xy - mx * my;
                    double l = (2 * mx * my + c1) / (mx * mx + my * my + c1), s = (2 * vxy + c2) / (vx + vy + c2);
                    ss += l * s; cc += s; cnt++;
                }
            ssim[ch] = ss / cnt; cs[ch] = cc / cnt;
        }
        return new double[][]{ssim, cs};
    }

    static double[][][] pool(double[][][] x) {
        int c = x.length, h = x[0].length, w = x[0][0].length, ph = h % 2, pw = w % 2;
        int oh = (h + 2 * ph - 2) / 2 + 1, ow = (w + 2 * pw - 2) / 2 + 1;
        double[][][] o = new double[c][oh][ow];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double s = 0;
                    for (int a = 0; a < 2; a++)
                        for (int b = 0; b < 2; b++) {
                            int r = 2 * i + a - ph, q = 2 * j + b - pw;
                            if (r >= 0 && r < h && q >= 0 && q < w) s += x[ch][r][q];
                        }
                    o[ch][i][j] = s / 4;
                }
        return o;
    }

    static double naiveMsSsim(INDArray a, INDArray b, double range) {
        double[][][] x = to3(a), y = to3(b);
        double[] w = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
        double[] prod = new double[x.length];
        java.util.Arrays.fill(prod, 1);
        for (int l = 0; l < 5; l++) {
            double[][] st = naiveStats(x, y, range);
            for (int ch = 0; ch < x.length; ch++) prod[ch] *= Math.pow(Math.max(0, l < 4 ? st[1][ch] : st[0][ch]), w[l]);
            x = pool(x); y = pool(y);
        }
        double s = 0;
        for (double p : prod) s += p;
        return s / prod.length;
    }

    static double[][][] to3(INDArray a) {
        int c = (int) a.size(0), h = (int) a.size(1), w = (int) a.size(2);
        double[][][] o = new double[c][h][w];
        for (int ch = 0; ch < c; ch++) for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) o[ch][i][j] = a.getDouble(ch, i, j);
        return o;
    }

    @Test
    void matchesNaiveImplementationOddSizes() {
        INDArray a = image(2, 167, 173, 1, 0.1), b = a.add(image(2, 167, 173, 2, 0.3).muli(0.3));
        double fast = MsSsim.image(a, b, 2.0), naive = naiveMsSsim(a, b, 2.0);
        System.out.printf("MS-SSIM %.12f naive %.12f |d| %.2e%n", fast, naive, Math.abs(fast - naive));
        assertEquals(naive, fast, 1e-12);
        assertTrue(fast > 0 && fast < 1);
        // SSIM of the same pair against the naive direct window sums
        double[][] st = naiveStats(to3(a), to3(b), 2.0);
        assertEquals((st[0][0] + st[0][1]) / 2, Ssim.image(a, b, 2.0), 1e-12);
    }

    @Test
    void identicalImagesGiveOneAndSmallImagesAreRejected() {
        INDArray a = image(3, 161, 161, 3, 0.2);
        assertEquals(1.0, MsSsim.image(a, a.dup(), PixelRange.SIGNED_UNIT), 1e-12);
        INDArray small = image(1, 160, 200, 4, 0.1);
        assertThrows(IllegalArgumentException.class, () -> MsSsim.image(small, small, 2.0));
    }

    @Test
    void moreNoiseLowersTheScore() {
        INDArray a = image(1, 170, 170, 5, 0.0);
        INDArray n = image(1, 170, 170, 6, 0.5);
        double s1 = MsSsim.image(a, a.add(n.mul(0.05)), 2.0), s2 = MsSsim.image(a, a.add(n.mul(0.3)), 2.0);
        assertTrue(s1 > s2, s1 + " > " + s2);
        assertEquals(MsSsim.image(a, a.add(n.mul(0.3)), 2.0), MsSsim.image(a.add(n.mul(0.3)), a, 2.0), 1e-12, "symmetric");
    }
}
