package io.stylegan2.cli;

import io.stylegan2.core.io.Npy;
import io.stylegan2.core.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.stylegan2.core.testing.AllClose.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;

/** The CLI on the embedded default model and the reference fixtures. */
class EndToEndTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    private int run(String... args) {
        return cli.run(args);
    }

    /**
     * {@code convert} then {@code generate --model} from the fixture's z reproduces NVlabs' images of the
     * {@code nvlabs/nv_s32_c64} fixture ({@code img_psi0.7.npy}) through the whole CLI path.
     */
    @Test
    void convertedFixtureGeneratesNvlabsImages() throws Exception {
        Path model = dir.resolve("nv_s32_c64.safetensors");
        assertThat(run("convert", Fixtures.path("nvlabs/nv_s32_c64").toString(), model.toString())).as(cli.err()).isZero();
        Path o = dir.resolve("out");
        int rc = run("generate", "--model", model.toString(), "--z", Fixtures.path("nvlabs/nv_s32_c64/z.npy").toString(), "--truncation", "0.7",
                "--noise-mode", "const", "--save-npy", "--out", o.toString());
        assertThat(rc).as(cli.err()).isZero();
        INDArray expected = Npy.read(Fixtures.path("nvlabs/nv_s32_c64/img_psi0.7.npy"));
        for (int i = 0; i < 4; i++) {
            assertThat(o.resolve(String.format("img%04d.png", i))).exists();
            assertAllClose("image " + i, Npy.read(o.resolve(String.format("img%04d.npy", i))), expected.get(NDArrayIndex.point(i)), 0, 1e-4);
        }
        assertThat(o.resolve("grid.png")).exists();
        try (var s = Files.list(o)) {
            assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count()).as("no temp files left").isZero();
        }
    }

    /**
     * The README's first command: the embedded default model writes recognisable garments. The
     * shipped Fashion-MNIST classifier (trained on real images only) must be about as sure of them
     * as of real test garments (a random-init network's images would not be garments at all), and
     * const noise makes the run repeatable.
     */
    @Test
    void embeddedDefaultModelDrawsGarments() throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        int n = 32;
        for (Path o : new Path[]{a, b})
            assertThat(run("generate", "--seeds", "1-" + n, "--truncation", "1", "--noise-mode", "const", "--save-npy", "--out", o.toString())).as(cli.err()).isZero();
        io.stylegan2.training.eval.Classifier clf = io.stylegan2.training.eval.Classifier.fashionMnist();
        double generated = 0, real = 0;
        for (int i = 1; i <= n; i++) {
            INDArray img = Npy.read(a.resolve(String.format("seed%04d.npy", i)));
            assertThat(Npy.read(b.resolve(String.format("seed%04d.npy", i)))).as("seed %d repeatable", i).isEqualTo(img);
            generated += confidence(clf, img.reshape(1, img.size(0), img.size(1), img.size(2)));
            real += confidence(clf, io.stylegan2.core.testing.FashionMnistSamples.padded(i, 1));
        }
        generated /= n;
        real /= n;
        System.out.printf("classifier's mean top probability: generated %.3f, real test garments %.3f%n", generated, real);
        assertThat(generated).as("mean top-class probability of generated vs real (%.3f) garments", real).isGreaterThan(0.8 * real);
    }

    /** {@code evaluate} on the embedded model against real test garments: the metrics and per-class counts of each generated set. */
    @Test
    void evaluateReportsMetricsAndClassCounts() throws Exception {
        Path real = dir.resolve("t10k-images-idx3-ubyte.gz");
        try (var in = EndToEndTest.class.getResourceAsStream("/fashion-mnist/t10k-first256-images-idx3-ubyte.gz")) {
            assertThat(in).as("the 256 test garments on the class path").isNotNull();
            Files.copy(in, real);
        }
        assertThat(run("evaluate", "--data", real.toString(), "--num", "64", "--num-real", "256", "--seeds", "0", "--json")).as(cli.err()).isZero();
        com.fasterxml.jackson.databind.JsonNode seed = new com.fasterxml.jackson.databind.ObjectMapper().readTree(cli.out()).get("seeds").get(0);
        assertThat(seed.get("FD-fmnist").asDouble()).isPositive();
        long total = 0;
        for (com.fasterxml.jackson.databind.JsonNode c : seed.get("classes")) total += c.asLong();
        assertThat(seed.get("classes").size()).isEqualTo(10);
        assertThat(total).isEqualTo(64);
    }

    private static double confidence(io.stylegan2.training.eval.Classifier clf, INDArray x) {
        return org.nd4j.linalg.factory.Nd4j.nn().softmax(clf.logits(x), 1).maxNumber().doubleValue();
    }

    @Test
    void generateFromSeedsWithoutAModel() {
        Path o = dir.resolve("seeds");
        assertThat(run("generate", "--seeds", "1-3", "--out", o.toString())).as(cli.err()).isZero();
        assertThat(o.resolve("seed0001.png")).exists();
        assertThat(o.resolve("seed0003.png")).exists();
    }

    @Test
    void convertVerifyAndInfoOnARosinalityCheckpoint() {
        Path model = dir.resolve("s16.safetensors");
        int rc = run("convert", Fixtures.path("rosinality/ros_s16_c48/checkpoint.pt").toString(), model.toString(), "--verify");
        assertThat(rc).as(cli.err()).isZero();
        assertThat(cli.out()).contains("max |diff| = 0");
        assertThat(run("info", model.toString())).isZero();
        assertThat(cli.out()).contains("\"num_ws\" : 6").contains("\"imgResolution\" : 16");
    }

    @Test
    void corruptCheckpointFailsWithoutOutput() throws Exception {
        byte[] full = Files.readAllBytes(Fixtures.path("rosinality/ros_s16_c48/checkpoint.pt"));
        Path cut = Files.write(dir.resolve("cut.pt"), java.util.Arrays.copyOf(full, full.length / 2));
        Path model = dir.resolve("cut.safetensors");
        assertThat(run("convert", cut.toString(), model.toString())).isEqualTo(1);
        assertThat(cli.err()).contains("cut.pt");
        assertThat(model).doesNotExist();
    }
}
