package io.stylegan2.cli;

import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.editing.LayerRange;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.MappingNetwork;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code style-mix}, as NVlabs' {@code style_mixing.py}: for each row seed and column seed, the row's
 * W+ code with the W+ rows {@code --styles} taken from the column's ({@link WPlus#mix}); writes
 * {@code ROW-COL.png} per pair and {@code grid.png} with the column seeds' images along the top, the
 * row seeds' down the left and an empty corner.
 */
@Command(name = "style-mix", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Style mixing: row seeds x column seeds, the column's styles in the given W+ rows (as NVlabs style_mixing.py).")
final class StyleMixCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Option(names = "--rows", required = true, paramLabel = "LIST", converter = Cli.SeedListConverter.class, description = "row seeds, e.g. 85,100,75")
    Cli.SeedList rows;

    @Option(names = "--cols", required = true, paramLabel = "LIST", converter = Cli.SeedListConverter.class, description = "column seeds, e.g. 55,821,1789")
    Cli.SeedList cols;

    @Option(names = "--styles", defaultValue = "0-6", paramLabel = "RANGE",
            description = "W+ rows taken from the column seed: a-b (inclusive), coarse, middle, fine or all (default: ${DEFAULT-VALUE}, NVlabs' default)")
    String styles;

    @Option(names = "--truncation", defaultValue = "1", paramLabel = "PSI", description = "truncation psi (default: ${DEFAULT-VALUE})")
    double truncation;

    @Mixin NoiseOptions noise;

    @Option(names = "--grid-gutter", defaultValue = "2", paramLabel = "PX", description = "white pixels between the cells of grid.png (default: ${DEFAULT-VALUE})")
    int gridGutter;

    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        if (!Double.isFinite(truncation) || Math.abs(truncation) > MappingNetwork.MAX_ABS_PSI)
            throw Cli.usage(spec, "--truncation must be finite and within [-" + MappingNetwork.MAX_ABS_PSI + ", " + MappingNetwork.MAX_ABS_PSI + "], got " + truncation);
        if (gridGutter < 0) throw Cli.usage(spec, "--grid-gutter must be >= 0, got " + gridGutter);
        model.check();
        Path out = output.check();
        PrintWriter stdout = spec.commandLine().getOut();
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            GeneratorConfig cfg = g.config();
            LayerRange range;
            try {
                range = LayerRange.parse(styles, cfg.numWs());
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, "--styles: " + e.getMessage());
            }
            long[] rs = rows.seeds(), cs = cols.seeds();
            if ((long) rs.length * cs.length > 4096) throw Cli.usage(spec, "at most 4096 mixed images, got " + rs.length + " x " + cs.length);
            INDArray rowWs = g.mapping(Seeds.z(rs, cfg.zDim()), truncation).castTo(DataType.FLOAT);
            INDArray colWs = g.mapping(Seeds.z(cs, cfg.zDim()), truncation).castTo(DataType.FLOAT);
            java.nio.file.Files.createDirectories(out);
            INDArray rowImgs = draw(g, rowWs), colImgs = draw(g, colWs);
            INDArray blank = Nd4j.valueArrayOf(new long[]{1, cfg.imgChannels(), cfg.imgResolution(), cfg.imgResolution()}, -1f);
            List<INDArray> cells = new ArrayList<>(List.of(blank));
            for (int c = 0; c < cs.length; c++) cells.add(one(colImgs, c));
            for (int r = 0; r < rs.length; r++) {
                INDArray base = rowWs.get(NDArrayIndex.interval(r, r + 1), NDArrayIndex.all(), NDArrayIndex.all());
                INDArray mixed = WPlus.mix(Nd4j.concat(0, java.util.Collections.nCopies(cs.length, base).toArray(new INDArray[0])), colWs, range.start(), range.end());
                INDArray imgs = draw(g, mixed);
                cells.add(one(rowImgs, r));
                for (int c = 0; c < cs.length; c++) {
                    Images.writePng(one(imgs, c), out.resolve(String.format(Locale.ROOT, "%d-%d.png", rs[r], cs[c])));
                    cells.add(one(imgs, c));
                }
            }
            Images.writeGridPng(Nd4j.concat(0, cells.toArray(new INDArray[0])), cs.length + 1, gridGutter, out.resolve("grid.png"));
            stdout.printf(Locale.ROOT, "styles from the column seeds in W+ rows %d-%d of %d; wrote %d images and grid.png to %s%n",
                    range.start(), range.end() - 1, cfg.numWs(), rs.length * cs.length, out);
            stdout.flush();
        }
        return 0;
    }

    private INDArray draw(Generator g, INDArray ws) {
        return g.synthesis(ws, noise.modeOr(io.stylegan2.stylegan.NoiseMode.CONST), noise.seed).castTo(DataType.FLOAT);
    }

    private static INDArray one(INDArray batch, int i) {
        return batch.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    }
}
