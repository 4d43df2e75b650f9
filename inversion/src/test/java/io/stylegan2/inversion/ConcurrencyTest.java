package io.stylegan2.inversion;

import io.stylegan2.core.Seeds;
import io.stylegan2.inversion.wplus.WPlusConfig;
import io.stylegan2.inversion.wplus.WPlusProjector;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One {@link Generator} used from two threads (mapping and synthesis), and two inversions on it at once,
 * give what sequential runs give (issue "Reliability and security"). The generator serialises its
 * calls; each inversion builds its own graph.
 */
class ConcurrencyTest {

    private static double maxAbsDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void oneGeneratorFromTwoThreadsEqualsSequentialCalls() throws Exception {
        Generator g = FixtureModel.generator();
        long[][] seeds = {{1, 2}, {3, 4}};
        List<INDArray> sequential = new ArrayList<>();
        for (long[] s : seeds) sequential.add(g.synthesis(g.mapping(Seeds.z(s, g.config().zDim()), 0.7), NoiseMode.CONST, 0));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<INDArray>> f = new ArrayList<>();
                for (long[] s : seeds)
                    f.add(pool.submit(() -> g.synthesis(g.mapping(Seeds.z(s, g.config().zDim()), 0.7), NoiseMode.CONST, 0)));
                for (int i = 0; i < seeds.length; i++) assertThat(maxAbsDiff(f.get(i).get(), sequential.get(i))).as("round %d, batch %d", round, i).isEqualTo(0.0);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoInversionsAtOnceEqualSequentialRuns() throws Exception {
        Generator g = FixtureModel.generator();
        Target[] targets = {FixtureModel.target("a", 5, 0.7), FixtureModel.target("b", 6, 0.7)};
        WPlusConfig c = WPlusConfig.defaults().withSteps(8);
        List<InversionResult> sequential = new ArrayList<>();
        for (Target t : targets) sequential.add(new WPlusProjector(g, c).invert(t));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<InversionResult>> f = new ArrayList<>();
            for (Target t : targets) f.add(pool.submit(() -> new WPlusProjector(g, c).invert(t)));
            for (int i = 0; i < targets.length; i++) {
                InversionResult r = f.get(i).get();
                assertThat(maxAbsDiff(r.ws(), sequential.get(i).ws())).as(targets[i].name()).isLessThan(1e-5);
                assertThat(maxAbsDiff(r.image(), sequential.get(i).image())).as(targets[i].name()).isLessThan(1e-4);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
