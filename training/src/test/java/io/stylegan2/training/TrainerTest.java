package io.stylegan2.training;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.Images;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.training.data.ImageDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CancellationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A tiny run end to end: folder data, ticks, snapshots, an exact resume, cancellation. */
class TrainerTest {
    static final Map<Integer, Integer> CH = Map.of(4, 8, 8, 8, 16, 4);
    static final GeneratorConfig G = new GeneratorConfig(8, 8, 2, 0.01, 16, 3, CH, null, null, "skip");
    static final DiscriminatorConfig D = new DiscriminatorConfig(16, 3, CH, 4, 1, null, null, "resnet");

    /** 3 iterations per tick of batch 4; R1 and path length every 2 iterations; style mixing on; random noise. */
    static TrainingOptions options(double kimg) {
        return new TrainingOptions(4, 0.002, 0.002, 0, 0.99, 1e-8, 1.0, 2, 2, 2, 0.01, 2, 0.9, 0.01, 0.05, true,
                NoiseMode.RANDOM, 0.995, kimg, 0.012, 1, 0, 5);
    }

    /** 12 small random images as PNG files, plus one that does not decode. */
    static Path folder(Path dir) throws Exception {
        Path f = Files.createDirectories(dir.resolve("images"));
        Nd4j.getRandom().setSeed(3);
        for (int i = 0; i < 12; i++) Images.writePng(Nd4j.rand(DataType.FLOAT, 1, 3, 20, 20).muli(2).subi(1), f.resolve(String.format("img%02d.png", i)));
        Files.writeString(f.resolve("broken.png"), "not a png");
        return f;
    }

    private static void assertSameTensors(Map<String, INDArray> a, Map<String, INDArray> b, String what) {
        assertThat(b.keySet()).as(what).containsExactlyElementsOf(a.keySet());
        a.forEach((k, v) -> assertThat(Arrays.equals(v.dup('c').data().asFloat(), b.get(k).dup('c').data().asFloat())).as(what + " " + k).isTrue());
    }

    @Test
    void aResumedRunIsBitIdenticalToAnUninterruptedOne(@TempDir Path dir) throws Exception {
        ImageDataset data = ImageDataset.load(folder(dir), 16, 3, ImageDataset.Fit.RESIZE, 0);
        assertThat(data.size()).isEqualTo(12);
        assertThat(data.skipped()).singleElement().asString().endsWith("broken.png");

        Path straightDir = dir.resolve("straight"), splitDir = dir.resolve("split");
        try (Trainer t = Trainer.create(G, D, options(0.024), data, straightDir)) {
            t.train(null, null);
            assertThat(t.iteration()).isEqualTo(6);
            assertThat(t.imagesShown()).isEqualTo(24);
        }
        try (Trainer t = Trainer.create(G, D, options(0.012), data, splitDir)) {
            t.train(null, null);
            assertThat(t.iteration()).isEqualTo(3);
            TrainingState.Loaded back = TrainingState.read(RunFolder.latestState(splitDir).orElseThrow());
            Networks live = t.networksForTest();
            assertSameTensors(live.g, back.networks().g, "G restore");
            assertSameTensors(live.d, back.networks().d, "D restore");
        }
        Path state = RunFolder.latestState(splitDir).orElseThrow();
        assertThat(state.getFileName().toString()).isEqualTo("training-state-000000.safetensors");
        try (Trainer t = Trainer.resume(state, options(0.024), data, splitDir)) {
            assertThat(t.iteration()).isEqualTo(3);
            t.train(null, null);
            assertThat(t.iteration()).isEqualTo(6);
        }
        TrainingState.Loaded a = TrainingState.read(RunFolder.latestState(straightDir).orElseThrow());
        TrainingState.Loaded b = TrainingState.read(RunFolder.latestState(splitDir).orElseThrow());
        assertThat(b.state().curNimg).isEqualTo(24);
        // the running mean of the path lengths moved (Greg at iterations 0, 2, 4: the last one after the resume) and resumed exactly
        assertThat(a.state().plMean).isGreaterThan(0f).isEqualTo(b.state().plMean);
        assertSameTensors(a.networks().g, b.networks().g, "G");
        assertSameTensors(a.networks().d, b.networks().d, "D");
        assertSameTensors(a.networks().gEma, b.networks().gEma, "G_ema");
        // training moved the weights, and the tracked w_avg
        TrainingState.Loaded fresh = new TrainingState.Loaded(Networks.random(G, D, 5), TrainingState.fresh(), options(0.024));
        INDArray w0 = fresh.networks().g.get("synthesis.b16.conv1.weight"), w1 = a.networks().g.get("synthesis.b16.conv1.weight");
        assertThat(w1.sub(w0).amaxNumber().doubleValue()).isGreaterThan(1e-3);
        assertThat(a.networks().g.get("mapping.w_avg").amaxNumber().doubleValue()).isGreaterThan(0);

        // the run folder
        assertThat(straightDir.resolve("metrics.jsonl")).exists();
        assertThat(Files.readAllLines(straightDir.resolve("metrics.jsonl"))).hasSize(2)
                .allMatch(l -> l.contains("\"G_loss\"") && l.contains("\"D_loss\"") && l.contains("\"pl_penalty\"") && l.contains("\"pl_mean\"")
                        && l.contains("\"kimg_per_sec\""));
        assertThat(Files.readAllLines(splitDir.resolve("metrics.jsonl"))).hasSize(2);
        for (String f : new String[]{"losses.png", "reals.png", "fakes_init.png", "network-snapshot-000000.safetensors"})
            assertThat(straightDir.resolve(f)).as(f).exists();
        NativeModel m = NativeModel.read(straightDir.resolve("network-snapshot-000000.safetensors"));
        assertThat(m.hasDiscriminator()).isTrue();
        assertThat(m.metadata()).containsKey("training_options");
    }

    /** Phases that drop their sessions after each run (the path from 128 px up) train exactly as phases that recycle their arrays. */
    @Test
    void releasingPhaseSessionsTrainsTheSame(@TempDir Path dir) throws Exception {
        ImageDataset data = ImageDataset.load(folder(dir), 16, 3, ImageDataset.Fit.RESIZE, 0);
        int saved = PhaseGraphs.RELEASE_FROM_RESOLUTION;
        try (Trainer t = Trainer.create(G, D, options(0.024), data, dir.resolve("recycled"))) {
            t.train(null, null);
        }
        PhaseGraphs.RELEASE_FROM_RESOLUTION = 0;
        try (Trainer t = Trainer.create(G, D, options(0.024), data, dir.resolve("released"))) {
            t.train(null, null);
        } finally {
            PhaseGraphs.RELEASE_FROM_RESOLUTION = saved;
        }
        TrainingState.Loaded a = TrainingState.read(RunFolder.latestState(dir.resolve("recycled")).orElseThrow());
        TrainingState.Loaded b = TrainingState.read(RunFolder.latestState(dir.resolve("released")).orElseThrow());
        assertThat(b.state().plMean).isGreaterThan(0f).isEqualTo(a.state().plMean);
        assertSameTensors(a.networks().g, b.networks().g, "G");
        assertSameTensors(a.networks().d, b.networks().d, "D");
        assertSameTensors(a.networks().gEma, b.networks().gEma, "G_ema");
    }

    @Test
    void cancellationSnapshotsAndClearErrors(@TempDir Path dir) throws Exception {
        ImageDataset data = ImageDataset.load(folder(dir), 16, 3, ImageDataset.Fit.PAD, 0);
        CancellationToken cancel = new CancellationToken();
        Progress cancelAfterTwo = new Progress() {
            @Override public void start(String task, long total) {}
            @Override public void update(long done, Map<String, Double> values) { if (done >= 2) cancel.cancel(); }
            @Override public void end() {}
        };
        try (Trainer t = Trainer.create(G, D, options(0.1), data, dir.resolve("run"))) {
            assertThatThrownBy(() -> t.train(cancelAfterTwo, cancel)).isInstanceOf(CancellationException.class);
            assertThat(t.iteration()).isEqualTo(2);
        }
        assertThat(TrainingState.read(RunFolder.latestState(dir.resolve("run")).orElseThrow()).state().iteration).isEqualTo(2);

        assertThatThrownBy(() -> new TrainingOptions(4, 0.002, 0.002, 0, 0.99, 1e-8, 1.0, 2, 2, 4, 0.01, 8, 0.9, 0.01, 0.05, true,
                NoiseMode.RANDOM, 0.995, 0.1, 0.012, 1, 0, 5)).hasMessageContaining("pl-batch-shrink");
        ImageDataset small = ImageDataset.load(folder(dir.resolve("x")), 8, 3, ImageDataset.Fit.RESIZE, 0);
        assertThatThrownBy(() -> Trainer.create(G, D, options(0.1), small, dir.resolve("y"))).hasMessageContaining("3x8");
        assertThatThrownBy(() -> ImageDataset.load(dir.resolve("nope"), 16, 3, ImageDataset.Fit.RESIZE, 0)).hasMessageContaining("nope");
        assertThatThrownBy(() -> TrainingState.read(dir.resolve("run").resolve("network-snapshot-000000.safetensors")))
                .hasMessageContaining("not a training state");
    }
}
