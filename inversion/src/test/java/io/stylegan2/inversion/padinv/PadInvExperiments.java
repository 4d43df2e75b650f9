package io.stylegan2.inversion.padinv;

import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.EditConsistency;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.inversion.editing.SeFa;
import io.stylegan2.inversion.padinv.PaddingEdits.PairEdit;
import io.stylegan2.inversion.padinv.PaddingEdits.PairEditSpace;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.Mse;
import io.stylegan2.metrics.PixelRange;
import io.stylegan2.metrics.Psnr;
import io.stylegan2.metrics.Ssim;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The full-length measurements of inversion/PADINV.md (opt-in: {@code -Dpadinv.experiment=true};
 * {@code -Dpadinv.steps=N}, {@code -Dpadinv.images=a,b,...}). On the shipped trained model and
 * Fashion-MNIST test garments: W+ vs padding + W+ optimisation at the same steps (MSE in [-1, 1],
 * PSNR and SSIM in bytes, LPIPS-alex of the fixtures), how far a SeFa edit moves each
 * reconstruction, a blending figure and a pair-driven edit in each space. Figures go to
 * {@code target/padinv/}: {@code reconstructions.png} (target | W+ | padding + W+ per row),
 * {@code blend.png} (row: layout from, column: appearance from), {@code pair-edit.png} (first row:
 * original, hand-edited copy, their reconstructions; then per garment: before, the edit in padding
 * space, in W+, in both).
 */
@EnabledIfSystemProperty(named = "padinv.experiment", matches = "true")
class PadInvExperiments {
    @Test
    void measure() throws Exception {
        int steps = Integer.getInteger("padinv.steps", 300);
        String[] images = System.getProperty("padinv.images", "100,101,102,103,104,105,106,107").split(",");
        Path out = Paths.get("target/padinv");
        Files.createDirectories(out);
        Generator g = FixtureModel.trainedGenerator();
        Direction sefa = SeFa.compute(g, 1, LayerRange.all(g.config().numWs())).get(0);
        List<Reconstruction> padded = new ArrayList<>();
        List<INDArray> figure = new ArrayList<>();
        try (Lpips alex = FixtureModel.lpipsAlex()) {
            System.out.println("| garment | method | MSE [-1,1] | PSNR | SSIM | LPIPS |");
            double[][] sums = new double[2][4], sq = new double[2][4];
            double corr = 0, ratio = 0;
            for (String s : images) {
                int i = Integer.parseInt(s.trim());
                Target t = new Target("garment" + i, FixtureModel.garment(i));
                InversionResult[] r = new InversionResult[2];
                String[] names = {"wplus", "padinv-opt"};
                for (int k = 0; k < 2; k++) {
                    r[k] = Methods.builtIn().create(names[k], MethodContext.of(g).withPerceptual(alex).withSteps(steps).withOptions(Map.of())).invertOne(t, null, null);
                    double[] m = {Mse.image(t.image(), r[k].image()), Psnr.image(t.image(), r[k].image(), PixelRange.SIGNED_UNIT),
                            Ssim.image(t.image(), r[k].image(), PixelRange.SIGNED_UNIT), alex.distance(r[k].image(), t.image()).getDouble(0)};
                    for (int j = 0; j < 4; j++) {
                        sums[k][j] += m[j];
                        sq[k][j] += m[j] * m[j];
                    }
                    System.out.printf("| %d | %s | %.5f | %.2f | %.4f | %.4f |%n", i, names[k], m[0], m[1], m[2], m[3]);
                }
                EditConsistency e = EditConsistency.compare(g, r[1].reconstruction(), r[0].reconstruction(), sefa, 3.0);
                corr += e.meanCorrelation();
                ratio += e.meanNormRatio();
                System.out.printf("edit (SeFa 0, strength 3) on garment %d: correlation %.3f, |delta padded| / |delta W+| %.3f%n", i, e.meanCorrelation(), e.meanNormRatio());
                padded.add(r[1].reconstruction());
                figure.add(t.image());
                figure.add(r[0].image());
                figure.add(r[1].image());
            }
            int n = images.length;
            for (int k = 0; k < 2; k++) {
                StringBuilder sb = new StringBuilder(k == 0 ? "mean ± sd W+:" : "mean ± sd padding + W+:");
                for (int j = 0; j < 4; j++) {
                    double mean = sums[k][j] / n, sd = Math.sqrt(Math.max(0, sq[k][j] / n - mean * mean) * n / Math.max(1, n - 1));
                    sb.append(String.format(" %.5f ± %.5f", mean, sd));
                }
                System.out.println(sb);
            }
            System.out.printf("edits: mean correlation %.3f, mean norm ratio %.3f over %d garments%n", corr / n, ratio / n, n);
            Images.writeGridPng(Nd4j.concat(0, figure.toArray(new INDArray[0])), 3, out.resolve("reconstructions.png"));
        }

        // blending: layout (padding) of row garment, appearance (W+) of column garment
        List<INDArray> blend = new ArrayList<>();
        int k = Math.min(4, padded.size());
        blend.add(Nd4j.zeros(1, 3, g.config().imgResolution(), g.config().imgResolution()).subi(1));
        for (int b = 0; b < k; b++) blend.add(ReconstructionRenderer.render(g, padded.get(b)));
        for (int a = 0; a < k; a++) {
            blend.add(ReconstructionRenderer.render(g, padded.get(a)));
            for (int b = 0; b < k; b++) blend.add(ReconstructionRenderer.render(g, PaddingEdits.blend(padded.get(a), padded.get(b))));
        }
        Images.writeGridPng(Nd4j.concat(0, blend.toArray(new INDArray[0])), k + 1, out.resolve("blend.png"));

        // pair-driven edit: garment 0 and a copy with a dark band painted across rows 14-17
        INDArray original = FixtureModel.garment(Integer.parseInt(images[0].trim()));
        INDArray edited = original.dup();
        edited.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(14, 18), NDArrayIndex.all()).assign(-1);
        Reconstruction ro = padded.get(0);
        Reconstruction re = Methods.builtIn().create("padinv-opt", MethodContext.of(g).withSteps(steps).withOptions(Map.of()))
                .invertOne(new Target("edited", edited), null, null).reconstruction();
        PairEdit d = PairEdit.between(ro, re);
        List<INDArray> strip = new ArrayList<>(List.of(original, edited, ReconstructionRenderer.render(g, ro), ReconstructionRenderer.render(g, re)));
        PairEditSpace[] spaces = PairEditSpace.values();
        double[] band = new double[spaces.length], rest = new double[spaces.length];
        for (int j = 1; j < padded.size(); j++) {
            INDArray before = ReconstructionRenderer.render(g, padded.get(j));
            if (j <= 3) strip.add(before);
            for (int q = 0; q < spaces.length; q++) {
                INDArray after = ReconstructionRenderer.render(g, d.apply(padded.get(j), 1.0, spaces[q]));
                INDArray delta = after.sub(before);
                band[q] += delta.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(14, 18), NDArrayIndex.all()).meanNumber().doubleValue();
                INDArray outside = Nd4j.concat(2, delta.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 14), NDArrayIndex.all()),
                        delta.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(18, 32), NDArrayIndex.all()));
                rest[q] += Transforms.abs(outside).meanNumber().doubleValue();
                if (j <= 3) strip.add(after);
            }
        }
        int m = padded.size() - 1;
        for (int q = 0; q < spaces.length; q++)
            System.out.printf("pair edit (%s): mean change in the band %.4f, mean |change| outside %.4f, over %d garments%n", spaces[q], band[q] / m, rest[q] / m, m);
        Images.writeGridPng(Nd4j.concat(0, strip.toArray(new INDArray[0])), 4, out.resolve("pair-edit.png"));
    }
}
