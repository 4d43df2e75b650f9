package io.stylegan2.inversion.sam;

import io.stylegan2.core.Progress;
import io.stylegan2.inversion.FixtureModel;
import io.stylegan2.inversion.engine.RealImages;
import io.stylegan2.losses.GaussianPrior;
import io.stylegan2.stylegan.Generator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The long SAM runs behind inversion/SAM.md (opt-in: -Dstylegan2.experiments=true -Dstage=...).
 * Output under -Dout (default /work/sam).
 */
@EnabledIfSystemProperty(named = "stylegan2.experiments", matches = "true")
class SamExperiments {
    static final Path OUT = Path.of(System.getProperty("out", "/work/sam"));

    static Progress printer(String what) {
        return new Progress() {
            long last;
            long total;

            @Override
            public void start(String task, long t) {
                total = t;
            }

            @Override
            public void update(long done, Map<String, Double> values) {
                if (System.nanoTime() - last > 30e9) {
                    last = System.nanoTime();
                    System.out.printf("%s %d/%d %s%n", what, done, total, values);
                }
            }

            @Override
            public void end() {}
        };
    }

    @Test
    @EnabledIfSystemProperty(named = "stage", matches = "data")
    void data() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        int count = Integer.getInteger("count", 128), steps = Integer.getInteger("steps", 100);
        RealImages train = RealImages.open(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), 3, 32);
        Files.createDirectories(OUT);
        long t0 = System.nanoTime();
        InvertibilityData d = InvertibilityData.generate(g, train.range(0, count), Optional.empty(), GaussianPrior.fit(g, 5000, 0),
                JointInversion.Settings.sam(steps), Integer.getInteger("chunk", 32), OUT.resolve("data.safetensors"), printer("data"), null);
        System.out.printf("data: %d images, %.0f s, mean errors %s%n", d.size(), (System.nanoTime() - t0) / 1e9, Arrays.toString(d.meanErrors()));
    }

    @Test
    @EnabledIfSystemProperty(named = "stage", matches = "train")
    void train() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        InvertibilityData d = InvertibilityData.load(OUT.resolve(System.getProperty("data", "data.safetensors")));
        int held = Integer.getInteger("held", 16), steps = Integer.getInteger("steps", 3000), hidden = Integer.getInteger("hidden", 32);
        double lr = Double.parseDouble(System.getProperty("lr", "1e-3"));
        InvertibilityData train = d.slice(0, d.size() - held), test = d.slice(d.size() - held, d.size());
        double mean = Arrays.stream(train.meanErrors()).average().orElse(0.1);
        long seed = Long.getLong("seed", 0);
        InvertibilityNetwork init = InvertibilityNetwork.create(new InvertibilityNetwork.Config(d.spaces(), 3, 32, hidden, d.errorMap()), seed, mean);
        InvertibilityTrainer t = InvertibilityTrainer.start(init, train, new InvertibilityTrainer.Options(steps, 16, lr, seed));
        InvertibilityTrainer.Result r = t.train(printer("train"), null, 0, null);
        InvertibilityNetwork net = t.network();
        double[] means = train.meanErrors();
        INDArray constant = org.nd4j.linalg.factory.Nd4j.zeros(test.targets().shape());
        for (int k = 0; k < means.length; k++) constant.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(k)).assign(means[k]);
        INDArray cd = constant.sub(test.targets());
        System.out.printf("train: %d steps %.0f s; loss first %.5f last %.5f; train MSE %.5f, held-out MSE %.5f (constant per-space mean %.5f); correlation train %s held-out %s%n",
                r.steps(), r.seconds(), r.history().get(0).get("mse"), r.history().get(r.history().size() - 1).get("mse"),
                InvertibilityTrainer.mse(net, train), InvertibilityTrainer.mse(net, test), cd.muli(cd).meanNumber().doubleValue(),
                Arrays.toString(InvertibilityTrainer.correlation(net, train)), Arrays.toString(InvertibilityTrainer.correlation(net, test)));
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put(InvertibilityNetwork.META_GENERATOR, InvertibilityNetwork.fingerprint(g));
        meta.put(InvertibilityNetwork.META_DEFAULT_TAU, Double.toString(InvertibilityNetwork.defaultTauFor(train)));
        meta.put("training_images", "Fashion-MNIST train-images-idx3-ubyte.gz [0, " + train.size() + ")");
        meta.put("inversion_steps", Integer.toString(d.steps()));
        meta.put("regression", io.stylegan2.stylegan.NativeModel.toJson(t.options()));
        meta.put("held_out_correlation", Arrays.toString(InvertibilityTrainer.correlation(net, test)));
        net.save(OUT.resolve(seed == 0 ? "invertibility.safetensors" : "invertibility-seed" + seed + ".safetensors"), meta);
    }

    /** One configuration of the evaluation: a name and the selection of every garment. */
    record Config(String name, double tau, java.util.List<SpaceSelection> selections) {}

    @Test
    @EnabledIfSystemProperty(named = "stage", matches = "eval")
    void eval() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        int first = Integer.getInteger("first", 160), n = Integer.getInteger("n", 16), init = Integer.getInteger("init", 100), joint = Integer.getInteger("joint", 200);
        double strength = Double.parseDouble(System.getProperty("strength", "3"));
        Path netFile = Path.of(System.getProperty("net", OUT.resolve("invertibility.safetensors").toString()));
        InvertibilityNetwork net = InvertibilityNetwork.load(netFile);
        CandidateSpaces spaces = CandidateSpaces.of(g.config());
        GaussianPrior prior = GaussianPrior.fit(g, GaussianPrior.SAM_SAMPLES, 0);
        INDArray x = org.nd4j.linalg.factory.Nd4j.concat(0, java.util.stream.IntStream.range(first, first + n).mapToObj(FixtureModel::garment).toArray(INDArray[]::new));
        Segmenter seg = SuperpixelSegmenter.slic(SuperpixelSegmenter.DEFAULT_REGIONS);
        java.util.List<Segmentation> segs = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) segs.add(seg.segment("g" + (first + i), x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1))));
        INDArray pred = net.predict(x);
        java.util.List<Config> configs = new java.util.ArrayList<>();
        for (int k = 0; k < spaces.count(); k++) {
            int kk = k;
            configs.add(new Config("only " + spaces.name(k), Double.NaN, segs.stream().map(sg -> SpaceSelection.forced(spaces, sg, kk)).toList()));
        }
        double[] taus = Arrays.stream(System.getProperty("taus", "0.05,0.075,0.1,0.107,0.125,0.15,0.2,0.225,0.3").split(",")).mapToDouble(Double::parseDouble).toArray();
        for (double tau : taus) {
            java.util.List<SpaceSelection> sel = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) sel.add(SpaceSelection.select(spaces, pred.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup(), segs.get(i), tau));
            configs.add(new Config("SAM tau " + tau, tau, sel));
        }
        INDArray w0 = org.nd4j.linalg.factory.Nd4j.concat(0, java.util.Collections.nCopies(n, io.stylegan2.stylegan.WPlus.one(g.wAvg(), g.config(), "w")).toArray(new INDArray[0]));
        JointInversion.Run start = JointInversion.run(g, x, w0, Map.of(), Optional.empty(), prior, JointInversion.Settings.sam(init), "init", printer("init"), null);
        io.stylegan2.inversion.editing.Direction dir = io.stylegan2.inversion.editing.GanSpace.compute(g, 1, 10_000, 0,
                io.stylegan2.inversion.editing.LayerRange.all(g.config().numWs())).directions().get(0);
        java.util.List<io.stylegan2.inversion.Reconstruction> wplus = new java.util.ArrayList<>();
        StringBuilder json = new StringBuilder("[\n");
        java.util.List<double[]> sweep = new java.util.ArrayList<>();
        try (io.stylegan2.losses.lpips.Lpips alex = FixtureModel.lpipsAlex()) {
            for (Config c : configs) {
                JointInversion.Run run = JointInversion.run(g, x, start.ws(), SpaceSelection.batchMasks(c.selections()), Optional.empty(), prior,
                        JointInversion.Settings.sam(joint), c.name(), printer(c.name()), null);
                double[][] v = new double[n][6];
                double[] frac = new double[spaces.count()];
                for (int i = 0; i < n; i++) {
                    SpaceSelection sel = c.selections().get(i);
                    io.stylegan2.inversion.Reconstruction rec = SamInverter.reconstruction(g, sel, run.image(i), null);
                    if (c.name().equals("only W+")) wplus.add(rec);
                    INDArray target = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(i, i + 1)).dup();
                    try (SamRenderer r = new SamRenderer(g, rec); SamRenderer rw = new SamRenderer(g, wplus.get(i))) {
                        INDArray img = r.render();
                        io.stylegan2.inversion.ReconstructionMetrics m = io.stylegan2.inversion.ReconstructionMetrics.compute(target, img, alex);
                        io.stylegan2.inversion.editing.EditConsistency e = io.stylegan2.inversion.editing.EditConsistency.compare(r, rec.latent().ws(), rw, wplus.get(i).latent().ws(), dir, strength);
                        v[i] = new double[]{m.mse(), m.psnr(), m.ssim(), m.perceptual(), e.meanCorrelation(), e.meanNormRatio()};
                        if (c.name().startsWith("only ") && i < 4) saveFigureRow(g, c, i, target, segs.get(i), sel, r, rec, dir, strength);
                        if (c.name().equals("SAM tau " + net.defaultTau()) && i < 4) saveFigureRow(g, c, i, target, segs.get(i), sel, r, rec, dir, strength);
                    }
                    double[] f = sel.fractions();
                    for (int k = 0; k < f.length; k++) frac[k] += f[k] / n;
                }
                double[] mean = new double[6], sd = new double[6];
                for (int j = 0; j < 6; j++) {
                    for (int i = 0; i < n; i++) mean[j] += v[i][j] / n;
                    for (int i = 0; i < n; i++) sd[j] += Math.pow(v[i][j] - mean[j], 2) / (n - 1);
                    sd[j] = Math.sqrt(sd[j]);
                }
                System.out.printf(java.util.Locale.ROOT, "EVAL %-14s | MSE %7.1f ± %6.1f | PSNR %5.2f ± %4.2f | SSIM %.3f ± %.3f | LPIPS* %.4f ± %.4f | edit corr %.3f ± %.3f | edit kept %.3f ± %.3f | spaces %s%n",
                        c.name(), mean[0], sd[0], mean[1], sd[1], mean[2], sd[2], mean[3], sd[3], mean[4], sd[4], mean[5], sd[5], Arrays.toString(frac));
                json.append(String.format(java.util.Locale.ROOT, "{\"config\": \"%s\", \"tau\": %s, \"mean\": %s, \"sd\": %s, \"fractions\": %s, \"per_image\": %s},%n",
                        c.name(), Double.isNaN(c.tau()) ? "null" : Double.toString(c.tau()), Arrays.toString(mean), Arrays.toString(sd), Arrays.toString(frac), Arrays.deepToString(v)));
                sweep.add(new double[]{Double.isNaN(c.tau()) ? -1 : c.tau(), mean[0], mean[5], sd[0], sd[5]});
            }
        }
        // invertibility network: predicted vs measured maps on these held-out garments (single-space runs above)
        Files.writeString(OUT.resolve(System.getProperty("tag", "eval") + ".json"), json.append("{}]\n").toString());
        if (taus.length > 2) plotSweep(sweep, configs);
        Path rows = OUT.resolve("figure");
        String sam = "SAM_tau_" + net.defaultTau();
        stack(java.util.stream.IntStream.range(0, Math.min(4, n)).mapToObj(i -> rows.resolve(sam + "_" + i + ".png")).toList(), OUT.resolve("sam-figure.png"));
        stack(java.util.List.of(rows.resolve("only_W+_1.png"), rows.resolve("only_b8_1.png"), rows.resolve("only_b16_1.png"), rows.resolve(sam + "_1.png")),
                OUT.resolve("sam-spaces.png"));
    }

    /** Predicted against measured error maps on held-out garments. */
    @Test
    @EnabledIfSystemProperty(named = "stage", matches = "predict")
    void predict() throws Exception {
        Generator g = FixtureModel.trainedGenerator();
        int first = Integer.getInteger("first", 160), n = Integer.getInteger("n", 16), steps = Integer.getInteger("steps", 100);
        InvertibilityNetwork net = InvertibilityNetwork.load(Path.of(System.getProperty("net", OUT.resolve("invertibility.safetensors").toString())));
        INDArray x = org.nd4j.linalg.factory.Nd4j.concat(0, java.util.stream.IntStream.range(first, first + n).mapToObj(FixtureModel::garment).toArray(INDArray[]::new));
        InvertibilityData held = InvertibilityData.generate(g, x, Optional.empty(), GaussianPrior.fit(g, 5000, 0), JointInversion.Settings.sam(steps), n,
                OUT.resolve("heldout-" + first + "-" + n + "-" + steps + ".safetensors"), printer("held-out"), null);
        double[] means = held.meanErrors();
        System.out.printf("PREDICT held-out garments %d..%d: measured mean per space %s; predicted mean %s; prediction MSE %.5f; correlation per space %s%n",
                first, first + n - 1, Arrays.toString(means), Arrays.toString(mean(net.predict(x))), InvertibilityTrainer.mse(net, held),
                Arrays.toString(InvertibilityTrainer.correlation(net, held)));
    }

    private static double[] mean(INDArray p) {
        double[] m = new double[(int) p.size(1)];
        for (int k = 0; k < m.length; k++) m[k] = p.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(k)).meanNumber().doubleValue();
        return m;
    }

    private static void saveFigureRow(Generator g, Config c, int i, INDArray target, Segmentation seg, SpaceSelection sel, SamRenderer r,
                                      io.stylegan2.inversion.Reconstruction rec, io.stylegan2.inversion.editing.Direction dir, double strength) throws Exception {
        java.util.List<INDArray> imgs = java.util.List.of(target, io.stylegan2.core.io.Images.fromBufferedImage(seg.toColourImage(), 3),
                SpaceSelection.colourChoice(sel.choiceMap()), r.render(), r.render(dir.apply(rec.latent().ws(), -strength)), r.render(dir.apply(rec.latent().ws(), strength)));
        Path rows = Files.createDirectories(OUT.resolve("figure"));
        io.stylegan2.core.io.Figures.writeLabelledRow(imgs, java.util.List.of("target", "segments", "space", "reconstruction",
                "edit -" + strength, "edit +" + strength), c.name() + " (space: " + SpaceSelection.legend(sel.spaces()) + "; edit: GANSpace pc0)", 96, rows.resolve(c.name().replace(' ', '_') + "_" + i + ".png"));
    }

    /** Stacks labelled rows vertically (white background). */
    private static void stack(java.util.List<Path> files, Path out) throws Exception {
        java.util.List<java.awt.image.BufferedImage> imgs = new java.util.ArrayList<>();
        for (Path f : files) imgs.add(javax.imageio.ImageIO.read(f.toFile()));
        int w = imgs.stream().mapToInt(java.awt.image.BufferedImage::getWidth).max().orElse(1), h = imgs.stream().mapToInt(java.awt.image.BufferedImage::getHeight).sum();
        java.awt.image.BufferedImage all = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D gr = all.createGraphics();
        gr.setColor(java.awt.Color.WHITE);
        gr.fillRect(0, 0, w, h);
        int y = 0;
        for (java.awt.image.BufferedImage i : imgs) {
            gr.drawImage(i, 0, y, null);
            y += i.getHeight();
        }
        gr.dispose();
        javax.imageio.ImageIO.write(all, "png", out.toFile());
    }

    private static void plotSweep(java.util.List<double[]> rows, java.util.List<Config> configs) throws Exception {
        org.knowm.xchart.XYChart chart = new org.knowm.xchart.XYChartBuilder().width(720).height(480)
                .title("SAM on held-out Fashion-MNIST garments: reconstruction against editability")
                .xAxisTitle("share of the W+ edit kept (|edit| / |W+ edit|)").yAxisTitle("MSE (byte scale)").build();
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        java.util.List<Double> sx = new java.util.ArrayList<>(), sy = new java.util.ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            double[] r = rows.get(i);
            if (configs.get(i).name().startsWith("only ")) chart.addSeries(configs.get(i).name(), new double[]{r[2]}, new double[]{r[1]});
            else {
                sx.add(r[2]);
                sy.add(r[1]);
            }
        }
        org.knowm.xchart.XYSeries s = chart.addSeries("SAM, tau sweep", sx, sy);
        s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Line);
        org.knowm.xchart.BitmapEncoder.saveBitmap(chart, OUT.resolve("tau-sweep").toString(), org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
    }
}
