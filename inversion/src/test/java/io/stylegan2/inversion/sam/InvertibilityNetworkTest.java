package io.stylegan2.inversion.sam;

import io.stylegan2.inversion.FixtureModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class InvertibilityNetworkTest {
    static final InvertibilityNetwork.Config CONFIG = new InvertibilityNetwork.Config(List.of("W+", "b8", "b16"), 3, 32, 8, "local-rmse-r2");

    /** Real garments with a target every head can learn: each space's map a different function of the image. */
    static InvertibilityData data(int n) {
        INDArray x = Nd4j.concat(0, java.util.stream.IntStream.range(0, n).mapToObj(i -> FixtureModel.garment(40 + i)).toArray(INDArray[]::new));
        INDArray bright = x.add(1).mean(1).reshape(n, 1, 32, 32).mul(0.5);   // in [0, 1]
        INDArray y = Nd4j.concat(1, bright.mul(0.4), bright.mul(0.2), bright.mul(0.05));
        return new InvertibilityData(x, y, CONFIG.spaces(), CONFIG.errorMap(), 1);
    }

    @Test
    void predictsOneNonNegativeMapPerSpaceAtAnyEvenSize() {
        InvertibilityNetwork net = InvertibilityNetwork.create(CONFIG, 1, 0.1);
        INDArray p = net.predict(data(2).images());
        assertThat(p.shape()).containsExactly(2, 3, 32, 32);
        assertThat(p.minNumber().doubleValue()).isGreaterThanOrEqualTo(0.0);
        assertThat(net.predict(Nd4j.zeros(DataType.FLOAT, 1, 3, 16, 12)).shape()).containsExactly(1, 3, 16, 12);
        assertThatThrownBy(() -> net.predict(Nd4j.zeros(DataType.FLOAT, 1, 1, 16, 16))).hasMessageContaining("[N, 3, H, W]");
        assertThatThrownBy(() -> net.predict(Nd4j.zeros(DataType.FLOAT, 1, 3, 15, 16))).hasMessageContaining("even");
    }

    @Test
    void gradientsMatchFiniteDifferencesInFloat64() {
        InvertibilityNetwork net = InvertibilityNetwork.create(CONFIG, 2, 0.3);
        SplittableRandom r = new SplittableRandom(3);
        SameDiff sd = SameDiff.create();
        Map<String, SDVariable> p = new LinkedHashMap<>();
        net.params().forEach((n, a) -> p.put(n, sd.var(n, a.castTo(DataType.DOUBLE).dup('c'))));
        INDArray x = data(2).images().castTo(DataType.DOUBLE).get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 16), org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 16)).dup('c');
        SDVariable out = InvertibilityNetwork.build(CONFIG, sd.constant("x", x), 8, 8, p::get);
        INDArray weights = Nd4j.rand(DataType.DOUBLE, 2, 3, 8, 8);
        SDVariable loss = out.mul(sd.constant("r", weights)).sum().rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), p.keySet().toArray(new String[0]));
        int checked = 0;
        for (String name : List.of("c0.weight", "c1.bias", "c2.weight", "c3.weight", "head0.0.weight", "head2.1.weight", "head1.1.bias")) {
            INDArray v = p.get(name).getArr();
            for (int k = 0; k < 4; k++) {
                long i = r.nextLong(v.length());
                double orig = v.getDouble(i), eps = 1e-6;
                v.putScalar(i, orig + eps);
                double up = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                v.putScalar(i, orig - eps);
                double down = sd.output(Map.of(), "loss").get("loss").getDouble(0);
                v.putScalar(i, orig);
                double fd = (up - down) / (2 * eps), an = grads.get(name).getDouble(i);
                assertThat(an).as(name + "[" + i + "]").isCloseTo(fd, within(1e-5 + 1e-4 * Math.abs(fd)));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(28);
    }

    @Test
    void trainingLowersTheErrorAndResumesBitExactly(@TempDir Path dir) throws Exception {
        InvertibilityData d = data(6);
        InvertibilityNetwork init = InvertibilityNetwork.create(CONFIG, 4, 0.1);
        double before = InvertibilityTrainer.mse(init, d);
        InvertibilityTrainer.Options o = new InvertibilityTrainer.Options(60, 3, 3e-3, 5);
        InvertibilityTrainer full = InvertibilityTrainer.start(init, d, o);
        InvertibilityTrainer.Result r = full.train(null, null, 0, null);
        assertThat(r.steps()).isEqualTo(60);
        double after = InvertibilityTrainer.mse(full.network(), d);
        assertThat(after).as("MSE before %s after %s", before, after).isLessThan(before * 0.5);
        assertThat(InvertibilityTrainer.correlation(full.network(), d)[0]).isGreaterThan(0.5);

        InvertibilityTrainer first = InvertibilityTrainer.start(init, d, new InvertibilityTrainer.Options(60, 3, 3e-3, 5));
        Path ck = dir.resolve("ck");
        // stop at 25 by cancelling after step 25
        io.stylegan2.core.CancellationToken cancel = new io.stylegan2.core.CancellationToken();
        io.stylegan2.core.Progress stopAt = new io.stylegan2.core.Progress() {
            @Override public void start(String task, long total) {}
            @Override public void update(long done, Map<String, Double> values) { if (done >= 25) cancel.cancel(); }
            @Override public void end() {}
        };
        assertThatThrownBy(() -> first.train(stopAt, cancel, 10, ck)).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(Files.exists(ck.resolve("checkpoint-000010.safetensors"))).isTrue();
        Path last = ck.resolve(InvertibilityTrainer.checkpointName(first.step()));
        assertThat(Files.exists(last)).isTrue();
        InvertibilityTrainer resumed = InvertibilityTrainer.resume(last, d, null);
        assertThat(resumed.step()).isEqualTo(first.step());
        resumed.train(null, null, 0, null);
        full.network().params().forEach((n, a) -> assertThat(resumed.network().params().get(n).equals(a)).as("bit-exact " + n).isTrue());

        Path file = dir.resolve("net.safetensors");
        resumed.network().save(file, Map.of("note", "x"));
        InvertibilityNetwork back = InvertibilityNetwork.load(file);
        assertThat(back.config()).isEqualTo(CONFIG);
        assertThat(back.metadata()).containsEntry("note", "x");
        assertThat(back.predict(d.images()).equals(resumed.network().predict(d.images()))).isTrue();
        assertThatThrownBy(() -> InvertibilityNetwork.load(ck.resolve("checkpoint-000010.safetensors").resolveSibling("nope.safetensors"))).isInstanceOf(java.io.IOException.class);
        Path data = dir.resolve("data.safetensors");
        d.save(data);
        assertThatThrownBy(() -> InvertibilityNetwork.load(data)).hasMessageContaining("not an invertibility network");
    }

    @Test
    void theShippedNetworkIsForTheEmbeddedModel() throws Exception {
        InvertibilityNetwork net = InvertibilityNetwork.fashionMnist32();
        assertThat(net.trainedFor(FixtureModel.trainedGenerator())).isTrue();
        assertThat(net.trainedFor(FixtureModel.generator())).isFalse();
        assertThat(net.config().spaces()).containsExactly("W+", "b8", "b16");
    }
}
