package io.stylegan2.cli;

import io.stylegan2.converter.TorchWriter;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.metrics.FrechetDistance;
import io.stylegan2.metrics.InceptionV3Features;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code metrics A B --fid}: the folders' Frechet distance with Inception weights given as a torch
 * {@code .pth} state dict (converted on the fly) equals the library's on the same images, over every
 * image of each folder (paired or not, grid.png left out). Formula weights: no ImageNet weights here.
 */
class MetricsFidTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void fidOfTwoFoldersMatchesTheLibraryAndNeedsFolders() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 5);
        Path a = Files.createDirectories(dir.resolve("a")), b = Files.createDirectories(dir.resolve("b"));
        NativeModel m = ModelOption.read(model);
        INDArray imgs;
        try (Generator g = Generator.create(m.generatorConfig(), m.generator())) {
            imgs = g.synthesis(g.mapping(Seeds.z(new long[]{1, 2, 3, 4, 5, 6}, g.config().zDim()), 0.8), NoiseMode.CONST, 0);
        }
        for (int i = 0; i < 6; i++) if (i != 2 && i != 3) Images.writePng(imgs.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()),
                (i < 3 ? a : b).resolve("img" + i + ".png"));
        Images.writePng(imgs.get(NDArrayIndex.interval(3, 4), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()), b.resolve("img3.png"));
        Images.writePng(imgs.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()), b.resolve("grid.png"));
        Images.writePng(imgs.get(NDArrayIndex.interval(2, 3), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()), a.resolve("img3.png"));  // pairs with b's img3
        Path pth = dir.resolve("pt_inception.pth");
        TorchWriter.writeZip(pth, weights());

        assertThat(cli.run("metrics", a.toString(), b.toString(), "--fid", pth.toString(), "--fid-batch", "2")).as(cli.err()).isZero();
        java.util.regex.Matcher fd = java.util.regex.Pattern.compile("FID (\\d+\\.\\d{4}) \\(all images: 3 in A, 3 in B; below 2048 images").matcher(cli.out());
        assertThat(fd.find()).as(cli.out()).isTrue();   // img3, img4, img5 in B: grid.png left out

        Path st = dir.resolve("inception.safetensors");
        io.stylegan2.converter.InceptionConverter.convert(pth, st);
        INDArray inA = stack(a, "img0", "img1", "img3"), inB = stack(b, "img3", "img4", "img5");
        double expected = new FrechetDistance(InceptionV3Features.load(st), 3).compute(inA, inB).value();
        assertThat(expected).isGreaterThan(0);
        assertThat(Double.parseDouble(fd.group(1))).isCloseTo(expected, within(5.001e-5 + 1e-6 * expected));
        assertThat(cli.run("metrics", a.resolve("img0.png").toString(), b.resolve("img3.png").toString(), "--fid", st.toString())).isEqualTo(2);
        assertThat(cli.err()).contains("--fid compares two folders");
    }

    private static INDArray stack(Path dir, String... names) throws java.io.IOException {
        INDArray[] x = new INDArray[names.length];
        for (int i = 0; i < names.length; i++) x[i] = Images.read(dir.resolve(names[i] + ".png"), 3);
        return Nd4j.concat(0, x);
    }

    /** A pytorch-fid-shaped state dict (fc with 1008 rows) with small deterministic weights. */
    private static Map<String, Object> weights() {
        Map<String, Object> sd = new LinkedHashMap<>();
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (Map.Entry<String, long[]> e : InceptionV3Features.parameterShapes().entrySet()) {
            long[] shape = e.getValue();
            long n = 1;
            for (long s : shape) n *= s;
            float[] v = new float[(int) n];
            String name = e.getKey();
            double fanIn = shape.length == 4 ? (double) n / shape[0] : 1;
            for (int i = 0; i < n; i++) {
                double u = r.nextDouble() - 0.5;
                v[i] = (float) (name.endsWith("conv.weight") ? u * Math.sqrt(24.0 / fanIn) : name.endsWith("running_var") || name.endsWith("bn.weight") ? 1 + 0.1 * u : 0.05 * u);
            }
            sd.put(name, Nd4j.create(v, shape, 'c'));
        }
        sd.put("fc.weight", Nd4j.zeros(DataType.FLOAT, 1008, 2048));
        sd.put("fc.bias", Nd4j.zeros(DataType.FLOAT, 1008));
        return sd;
    }
}
