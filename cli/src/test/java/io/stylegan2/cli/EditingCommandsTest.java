package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.ReconstructionRenderer;
import io.stylegan2.inversion.Timing;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.DirectionSet;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code directions} and {@code edit} end to end on the embedded default model (the shipped Fashion-MNIST model, 32 px). */
class EditingCommandsTest {
    @TempDir Path dir;
    StringWriter out = new StringWriter(), err = new StringWriter();
    static Generator g;

    @BeforeAll
    static void load() throws Exception {
        g = CliHarness.defaultGenerator();
    }

    @AfterAll
    static void close() {
        g.close();
    }

    private int run(String... args) {
        CliHarness cli = new CliHarness();
        int rc = cli.run(args);
        out = cli.out;
        err = cli.err;
        return rc;
    }

    @Test
    void strengthSyntax() {
        assertThat(EditCommand.parseStrengths("-3:3:7")).containsExactly(-3, -2, -1, 0, 1, 2, 3);
        assertThat(EditCommand.parseStrengths("0:1:3")).containsExactly(0, 0.5, 1);
        assertThat(EditCommand.parseStrengths("-2, 0.5,4")).containsExactly(-2, 0.5, 4);
        assertThat(EditCommand.parseStrengths("1.5")).containsExactly(1.5);
        assertThatThrownBy(() -> EditCommand.parseStrengths("1:2")).hasMessageContaining("A:B:N");
        assertThatThrownBy(() -> EditCommand.parseStrengths("a,1")).hasMessageContaining("not a number");
    }

    @Test
    void directionsThenEditFromAWFile() throws Exception {
        Path dirs = dir.resolve("dirs.safetensors");
        assertThat(run("directions", "--method", "sefa", "--num", "3", "--layers", "0-3", "--out", dirs.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("sefa0").contains("wrote 3 directions");
        assertThat(run("directions", "--method", "ganspace", "--num", "2", "--samples", "300", "--append", "--out", dirs.toString()))
                .as(err.toString()).isZero();
        DirectionSet set = DirectionSet.load(dirs);
        assertThat(set.names()).containsExactly("sefa0", "sefa1", "sefa2", "pc0", "pc1");
        assertThat(set.get("sefa1").end()).hasValue(4);

        Nd4j.getRandom().setSeed(3);
        INDArray ws = g.mapping(Nd4j.randn(DataType.FLOAT, 2, g.config().zDim()), 1.0);
        Path wFile = dir.resolve("w.npy");
        Npy.writeFloat32(wFile, ws);
        Path o = dir.resolve("edit");
        assertThat(run("edit", "--w", wFile.toString(), "--index", "1", "--direction", dirs + ":pc0", "--strength", "-2:2:3",
                "--out", o.toString())).as(err.toString()).isZero();
        for (int i = 0; i < 3; i++) assertThat(o.resolve(String.format("edit_%02d.png", i))).exists();
        assertThat(o.resolve("strip.png")).exists();
        assertThat(out.toString()).contains("strength -2").contains("strength 2");
        // the middle image (strength 0) is the unedited rendering of row 1
        INDArray plain = g.synthesis(ws.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)), NoiseMode.CONST, 0);
        INDArray png = Images.read(o.resolve("edit_01.png"), 3);
        INDArray expected = Images.read(writePng(plain), 3);
        assertThat(png).isEqualTo(expected);
        // by index, comma list
        assertThat(run("edit", "--w", wFile.toString(), "--direction", dirs + ":1", "--strength=-1,1", "--out", dir.resolve("e2").toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("sefa1");
    }

    private Path writePng(INDArray img) throws Exception {
        Path p = Files.createTempFile(dir, "plain", ".png");
        Images.writePng(img.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).dup('c'), p);
        return p;
    }

    /**
     * An inversion result with a weight offset (as PTI / near-perfect save them) renders with it: strength 0
     * redraws the saved image exactly, {@code --no-offsets} renders the plain generator; the previous
     * result format (/1) loads too.
     */
    @Test
    void editFromAResultFileWithWeightOffsets() throws Exception {
        int numWs = g.config().numWs(), wDim = g.config().wDim();
        Path dirs = dir.resolve("d.safetensors");
        INDArray v = Nd4j.zeros(DataType.DOUBLE, wDim);
        v.putScalar(0, 1.0);
        new DirectionSet(List.of(new Direction("e0", LatentSpace.W, v, 0, numWs, 1.0, null))).save(dirs);
        Nd4j.getRandom().setSeed(5);
        INDArray ws = g.mapping(Nd4j.randn(DataType.FLOAT, 1, g.config().zDim()), 1.0);
        Map<String, INDArray> offsets = Map.of("synthesis.b32.torgb.bias", Nd4j.ones(DataType.FLOAT, 3).muli(0.5));
        Reconstruction rec = new Reconstruction(Latent.of(ws, g.config()), HookState.CONST, offsets, Map.of());
        INDArray image = ReconstructionRenderer.render(g, rec);
        InversionResult saved = new InversionResult("pti", "t", rec, image, Map.of(), List.of(),
                new ReconstructionMetrics(0, 0, 0, 0, null, null), new Timing(0, 0, 0, 0), List.of());
        Path result = dir.resolve("result.safetensors");
        InversionResults.save(saved, result);
        Path a = dir.resolve("a"), b = dir.resolve("b");
        assertThat(run("edit", "--result", result.toString(), "--direction", dirs.toString(), "--strength", "0", "--out", a.toString()))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("with 1 weight offsets", "noise: the result's own (const)");
        INDArray ia = Images.read(a.resolve("edit_00.png"), 3);
        assertThat(ia).isEqualTo(Images.read(writePng(image), 3));
        assertThat(run("edit", "--result", result.toString(), "--direction", dirs.toString(), "--strength", "0", "--no-offsets",
                "--out", b.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).doesNotContain("weight offsets");
        INDArray ib = Images.read(b.resolve("edit_00.png"), 3);
        assertThat(ia.sub(ib).meanNumber().doubleValue()).as("bias +0.5 brightens").isGreaterThan(0.1);
        assertThat(ib).isEqualTo(Images.read(writePng(g.synthesis(ws, NoiseMode.CONST, 0)), 3));
        // the form: edit RESULT --direction D --strength ... (positional result) renders the same
        Path c = dir.resolve("c");
        assertThat(run("edit", result.toString(), "--direction", dirs.toString(), "--strength", "0", "--out", c.toString())).as(err.toString()).isZero();
        assertThat(Images.read(c.resolve("edit_00.png"), 3).sub(ia).amaxNumber().doubleValue()).isEqualTo(0.0);
        // a result of the previous format (ws, reconstruction, extras/delta/*) edits the same way
        Path v1 = dir.resolve("v1.safetensors"), e = dir.resolve("e");
        ObjectMapper json = new ObjectMapper();
        Safetensors.write(v1, Map.of("ws", ws, "reconstruction", image, "extras/delta/synthesis.b32.torgb.bias", offsets.get("synthesis.b32.torgb.bias")),
                Map.of("format", InversionResults.FORMAT_V1, "method", "pti", "target", "t", "latent_space", "w_plus", "config", "{}",
                        "history", "[]", "metrics", json.writeValueAsString(saved.metrics()), "timing", json.writeValueAsString(saved.timing()),
                        "notes", "[]"));
        assertThat(run("edit", v1.toString(), "--direction", dirs.toString(), "--strength", "0", "--out", e.toString())).as(err.toString()).isZero();
        assertThat(Images.read(e.resolve("edit_00.png"), 3)).isEqualTo(ia);
        // one latent source, exactly
        assertThat(run("edit", result.toString(), "--w", result.toString(), "--direction", dirs.toString(), "--out", c.toString())).isEqualTo(2);
        assertThat(run("edit", "--direction", dirs.toString(), "--out", c.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("exactly one latent source");
    }

    @Test
    void interfaceganFromLatentsAndLabels() throws Exception {
        int n = 1000;
        Nd4j.getRandom().setSeed(6);
        INDArray ws = g.mapping(Nd4j.randn(DataType.FLOAT, n, g.config().zDim()), 1.0)
                .get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        Path wFile = dir.resolve("w.npy");
        Npy.writeFloat32(wFile, ws);
        StringBuilder csv = new StringBuilder("name,score\n");
        for (int i = 0; i < n; i++) csv.append(String.format("img%04d.png,%f%n", i, ws.getDouble(i, 0) - ws.getDouble(i, 1)));
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, csv);
        Path dirs = dir.resolve("ifg.safetensors");
        assertThat(run("directions", "--method", "interfacegan", "--w", wFile.toString(), "--labels", labels.toString(), "--name", "x0",
                "--out", dirs.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("training accuracy");
        double acc = Double.parseDouble(out.toString().replaceAll("(?s).*training accuracy ([0-9.]+).*", "$1"));
        assertThat(acc).isGreaterThan(0.9);
        Direction d = DirectionSet.load(dirs).get("x0");
        double cos = (d.vector().getDouble(0) - d.vector().getDouble(1)) / Math.sqrt(2);
        // plumbing check (the fit's accuracy is tested on isotropic data in the inversion module): mapped w are strongly
        // anisotropic, so a finite-sample normal is noisier than on isotropic data
        assertThat(cos).as("cosine with the score's direction").isGreaterThan(0.7);
    }

    @Test
    void badArgumentsExitWith2() {
        assertThat(run("edit", "--w", dir.resolve("missing.npy").toString(), "--direction", "x.safetensors", "--out", dir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--w");
        assertThat(run("directions", "--method", "sefa", "--layers", "0-99", "--out", dir.resolve("x.safetensors").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--layers");
        assertThat(run("directions", "--method", "interfacegan", "--out", dir.resolve("x.safetensors").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("--labels");
    }
}
