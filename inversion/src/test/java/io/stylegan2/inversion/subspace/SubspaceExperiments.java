package io.stylegan2.inversion.subspace;

import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.stylegan.Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;

/** Opt-in ({@code -Dstylegan2.experiments=true}): subspace discovery on the trained model, numbers for SUBSPACES.md. */
@EnabledIfSystemProperty(named = "stylegan2.experiments", matches = "true")
class SubspaceExperiments {
    @Test
    void discovery() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        String block = System.getProperty("block", "b8");
        int steps = Integer.getInteger("steps", 200);
        double lr = Double.parseDouble(System.getProperty("lr", "1e-4"));
        int[][] labels = new int[2][];
        for (int seed = 0; seed < 2; seed++) {
            SelfExpressiveLayer.Config c = new SelfExpressiveLayer.Config(block, 4, steps, lr, Double.parseDouble(System.getProperty("beta0", "1")), Double.parseDouble(System.getProperty("beta1", "1")), SelfExpressiveLayer.Sparsity.L1, 1e-4, seed);
            long t0 = System.nanoTime();
            SelfExpressiveLayer.Result r = SelfExpressiveLayer.train(g, c, null, null);
            double s = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> first = r.history().get(0), last = r.history().get(r.history().size() - 1);
            double learned = SelfExpressiveLayer.error(g, block, r.matrix(), 64, 1000 + seed);
            double shuffledErr = 0;
            for (int k = 0; k < 5; k++) shuffledErr += SelfExpressiveLayer.error(g, block, SelfExpressiveLayer.shuffled(r.matrix(), k), 64, 1000 + seed) / 5;
            labels[seed] = SubspaceClustering.cluster(r.matrix(), SubspaceClustering.Settings.defaults());
            int[] sizes = new int[6];
            for (int l : labels[seed]) sizes[l]++;
            INDArray m = r.matrix();
            System.out.printf("seed %d: %d steps %.1f s; first %s; last %s; held-out error learned %.4f shuffled %.4f; |M| mean %.3g max %.3g; clusters %s%n",
                    seed, steps, s, first, last, learned, shuffledErr, org.nd4j.linalg.ops.transforms.Transforms.abs(m).meanNumber().doubleValue(),
                    org.nd4j.linalg.ops.transforms.Transforms.abs(m).maxNumber().doubleValue(), Arrays.toString(sizes));
        }
        System.out.printf("ARI between seeds: %.3f%n", SubspaceClustering.adjustedRandIndex(labels[0], labels[1]));
    }
}
