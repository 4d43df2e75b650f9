package io.stylegan2.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stylegan2.converter.TorchFiles;
import io.stylegan2.core.Seeds;
import io.stylegan2.core.io.Images;
import io.stylegan2.core.io.Npy;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.DirectionSet;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code invert} end to end on the embedded default model or a tiny random model, and images they generated. */
class InvertCommandTest {
    @TempDir Path dir;
    final CliHarness cli = new CliHarness();

    private int run(String... args) {
        return cli.run(args);
    }

    private String out() {
        return cli.out();
    }

    private String err() {
        return cli.err();
    }

    @Test
    void invertsAGeneratedImageAndWritesEveryFile() throws Exception {
        Path img = generatedImage(null, 5, "seed5.png");
        Path broken = dir.resolve("broken.png");
        Files.writeString(broken, "not an image");
        Path o = dir.resolve("out");

        int rc = run("invert", "--method", "wplus", "--steps", "5", img.toString(), broken.toString(), "--out", o.toString());
        assertThat(rc).as(out() + "\n" + err()).isEqualTo(1);                // the broken file fails, the other is done
        assertThat(err()).contains("error: broken");
        assertThat(out()).contains("seed5: wplus 5 steps").contains("inverted 1 of 2 images");

        Path d = o.resolve("seed5");
        for (String f : new String[]{"reconstruction.png", "comparison.png", "result.safetensors", "projected_w.npz", "latent.npy", "projected_rosinality.pt", "metrics.json", "loss.png"})
            assertThat(d.resolve(f)).as(f).isRegularFile();
        InversionResult r = InversionResults.load(d.resolve("result.safetensors"));
        assertThat(r.method()).isEqualTo("wplus");
        assertThat(r.space()).isEqualTo(LatentSpace.W_PLUS);
        assertThat(r.history()).hasSize(5);
        assertThat(r.finalLoss("mse")).isLessThan(r.history().get(0).get("mse"));
        INDArray w = InversionResults.readNpz(d.resolve("projected_w.npz")).get("w");
        assertThat(w.shape()).containsExactly(r.ws().shape());
        assertThat(Npy.read(d.resolve("latent.npy")).shape()).containsExactly(r.ws().size(1), r.ws().size(2));
        java.util.Map<?, ?> pt = (java.util.Map<?, ?>) TorchFiles.load(d.resolve("projected_rosinality.pt"));
        assertThat(pt.keySet().stream().map(String::valueOf).toList()).containsExactly("seed5");
        java.util.Map<?, ?> e = (java.util.Map<?, ?>) pt.get("seed5");
        assertThat(((INDArray) e.get("latent")).equals(r.latentRows())).isTrue();
        INDArray recon = r.image();
        assertThat(((INDArray) e.get("img")).equals(recon.reshape(recon.size(1), recon.size(2), recon.size(3)))).isTrue();
        assertThat(Images.read(d.resolve("reconstruction.png"), 3)).isEqualTo(pngOf(recon));
        assertThat((java.util.List<?>) e.get("noise")).isEmpty();                // wplus keeps no noise maps
        JsonNode m = new ObjectMapper().readTree(d.resolve("metrics.json").toFile());
        assertThat(m.get("mse").asDouble()).isEqualTo(r.metrics().mse());
        assertThat(m.get("psnr").asDouble()).isPositive();
        assertThat(m.has("ssim")).isTrue();
        assertThat(m.has("lpips")).isFalse();
        assertThat(m.get("steps").asInt()).isEqualTo(5);
        BufferedImage cmp = ImageIO.read(d.resolve("comparison.png").toFile());
        assertThat(cmp.getWidth()).isEqualTo(io.stylegan2.core.io.Figures.GUTTER + 3 * (256 + io.stylegan2.core.io.Figures.GUTTER));   // 32 px panels upscaled 8x
        assertThat(cmp.getHeight()).isGreaterThan(256);
        assertThat(ImageIO.read(d.resolve("loss.png").toFile()).getWidth()).isEqualTo(640);
    }

    /** Batch semantics: per-image failures go on, folders are written whole, reruns resume without mixing settings, one run per --out. */
    @Test
    void rerunsResumeAndNeverMixSettingsAndOneImagesFailureLetsTheOthersGoOn() throws Exception {
        Path a = generatedImage(null, 1, "a.png"), b = generatedImage(null, 2, "b.png");
        Path o = dir.resolve("batch");
        Files.createDirectories(o);
        Files.writeString(o.resolve("b"), "a file where b's folder should go");                     // b cannot be written
        Files.createDirectories(o.resolve(".a.part-123"));                                        // left by a killed run
        Files.writeString(o.resolve(".a.part-123").resolve("reconstruction.png"), "half");
        assertThat(run("invert", "--method", "wplus", "--steps", "2", a.toString(), b.toString(), "--out", o.toString())).isEqualTo(1);
        assertThat(out()).contains("a: wplus 2 steps", "inverted 1 of 2 images");
        assertThat(err()).contains("error: b: " + o.resolve("b") + " exists and is not a folder", "--force");
        assertThat(o.resolve("a").resolve(ResultFolders.SETTINGS)).isRegularFile();
        assertThat(o.resolve(".a.part-123")).doesNotExist();
        assertThat(o.resolve(ResultFolders.LOCK)).doesNotExist();

        Files.delete(o.resolve("b"));
        long aTime = Files.getLastModifiedTime(o.resolve("a").resolve("result.safetensors")).toMillis();
        assertThat(run("invert", "--method", "wplus", "--steps", "2", a.toString(), b.toString(), "--out", o.toString())).as(err()).isZero();
        assertThat(out()).contains("a: finished earlier with the same settings, skipped", "b: wplus 2 steps", "(1 skipped: finished earlier)");
        assertThat(Files.getLastModifiedTime(o.resolve("a").resolve("result.safetensors")).toMillis()).isEqualTo(aTime);

        // other settings: refused per image, nothing replaced; --force redoes them
        assertThat(run("invert", "--method", "wplus", "--steps", "3", a.toString(), "--out", o.toString())).isEqualTo(1);
        assertThat(err()).contains("error: a: " + o.resolve("a") + " holds a result made with other settings");
        assertThat(InversionResults.load(o.resolve("a").resolve("result.safetensors")).history()).hasSize(2);
        assertThat(run("invert", "--method", "wplus", "--steps", "3", "--force", a.toString(), "--out", o.toString())).as(err()).isZero();
        assertThat(InversionResults.load(o.resolve("a").resolve("result.safetensors")).history()).hasSize(3);

        // a second run into the same --out while one holds it
        try (ResultFolders held = ResultFolders.open(o, "invert")) {
            assertThat(run("invert", "--method", "wplus", "--steps", "2", "--force", a.toString(), "--out", o.toString())).isNotZero();
            assertThat(err()).contains("another invert is writing to " + o);
        }
    }

    @Test
    void nearPerfectStartsFromASavedRunAndWritesTheDriftReport() throws Exception {
        Path img = generatedImage(null, 9, "seed9.png");
        Path first = dir.resolve("wplus"), o = dir.resolve("np");
        assertThat(run("invert", "--method", "wplus", "--steps", "4", img.toString(), "--out", first.toString())).as(out() + "\n" + err()).isZero();
        int rc = run("invert", "--method", "near-perfect", "--steps", "3", "--option", "init=" + first, "--option", "samples=2",
                "--option", "report-samples=8", img.toString(), "--out", o.toString());
        assertThat(rc).as(out() + "\n" + err()).isZero();
        assertThat(out()).contains("seed9: near-perfect 3 steps").contains("initial latent (wplus)").contains("drift report on 8 latents");

        Path d = o.resolve("seed9");
        for (String f : new String[]{"reconstruction.png", "comparison.png", "result.safetensors", "projected_w.npz", "latent.npy", "metrics.json", "loss.png", "drift.json"})
            assertThat(d.resolve(f)).as(f).isRegularFile();
        InversionResult r = InversionResults.load(d.resolve("result.safetensors"));
        InversionResult start = InversionResults.load(first.resolve("seed9").resolve("result.safetensors"));
        assertThat(r.method()).isEqualTo("near-perfect");
        assertThat(r.ws().equals(start.ws())).isTrue();                                   // the latent stays fixed
        assertThat(r.reconstruction().weightOffsets().keySet()).anyMatch(k -> k.startsWith("synthesis."));
        assertThat(r.history()).hasSize(4);
        assertThat(r.history().get(0)).containsKeys("laplacian", "mse", "adv_local", "global", "d_loss", "r1");
        JsonNode drift = new ObjectMapper().readTree(d.resolve("drift.json").toFile());
        for (String k : new String[]{"drift_mse", "fd_discriminator", "d_logit_reconstruction", "d_logit_target", "d_logit_samples_original", "d_logit_samples_tuned"})
            assertThat(drift.has(k)).as(k).isTrue();
        assertThat(drift.get("drift_mse").asDouble()).isPositive();
        JsonNode m = new ObjectMapper().readTree(d.resolve("metrics.json").toFile());
        assertThat(m.get("drift_report").get("fd_discriminator").asDouble()).isEqualTo(drift.get("fd_discriminator").asDouble());

        // an unknown key is a usage error naming the method and listing its keys
        assertThat(run("invert", "--method", "near-perfect", "--option", "lamda=1", img.toString(), "--out", o.toString())).isEqualTo(2);
        assertThat(err()).contains("--option: near-perfect: unknown option 'lamda' (known: ", "init-steps", "report-samples");
    }

    /**
     * The reconstruction of every method is what {@code edit} redraws at strength 0: the w method's
     * optimised noise maps and the W+ latent reach the renderer through the result file (PNG pixels
     * equal); {@code --noise-mode const} replaces the w method's maps and changes the image. On a tiny
     * random model whose noise strengths are not 0.
     */
    @Test
    void editAtStrengthZeroRedrawsTheReconstructionOfEachMethod() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 3);
        Path img = generatedImage(model, 2, "t.png");
        Path dirs = dir.resolve("d.safetensors");
        INDArray v = Nd4j.zeros(DataType.DOUBLE, TinyModel.CONFIG.wDim());
        v.putScalar(1, 1.0);
        new DirectionSet(List.of(new Direction("e0", LatentSpace.W, v, 0, 6, 1.0, null))).save(dirs);
        for (String method : List.of("w", "wplus")) {
            Path o = dir.resolve(method);
            assertThat(run("invert", "--model", model.toString(), "--method", method, "--steps", "3", img.toString(), "--out", o.toString()))
                    .as(out() + "\n" + err()).isZero();
            Path d = o.resolve("t");
            InversionResult r = InversionResults.load(d.resolve("result.safetensors"));
            Path e = dir.resolve("edit-" + method);
            assertThat(run("edit", "--model", model.toString(), d.resolve("result.safetensors").toString(), "--direction", dirs.toString(),
                    "--strength=-1,0,1", "--out", e.toString())).as(err()).isZero();
            INDArray recon = Images.read(d.resolve("reconstruction.png"), 3);
            assertThat(Images.read(e.resolve("edit_01.png"), 3)).as(method).isEqualTo(recon);
            assertThat(Images.read(e.resolve("edit_00.png"), 3)).as(method + ": strength -1 edits").isNotEqualTo(recon);
            if (method.equals("w")) {
                Map<String, INDArray> maps = r.reconstruction().hooks().noise();
                assertThat(maps.keySet()).containsExactlyInAnyOrder("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1");
                assertThat(out()).contains("noise: the result's own (5 maps");
                // the rosinality export lists the same maps in synthesis layer order
                Map<?, ?> pt = (Map<?, ?>) ((Map<?, ?>) TorchFiles.load(d.resolve("projected_rosinality.pt"))).get("t");
                List<?> noise = (List<?>) pt.get("noise");
                List<String> order = List.of("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0", "b16.conv1");
                assertThat(noise).hasSize(5);
                for (int i = 0; i < 5; i++) assertThat(noise.get(i)).as(order.get(i)).isEqualTo(maps.get(order.get(i)));
                // an explicit --noise-mode replaces the optimised maps of every layer
                Path c = dir.resolve("edit-w-const");
                assertThat(run("edit", "--model", model.toString(), d.resolve("result.safetensors").toString(), "--direction", dirs.toString(),
                        "--strength", "0", "--noise-mode", "const", "--out", c.toString())).as(err()).isZero();
                assertThat(out()).contains("noise: const for every layer");
                assertThat(Images.read(c.resolve("edit_00.png"), 3)).isNotEqualTo(recon);
            } else {
                assertThat(r.reconstruction().hooks().noise()).isEmpty();
            }
        }
    }

    /** --option values reach the method's options record through MethodContext (recorded in the result's config). */
    @Test
    void optionsReachTheMethod() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 4);
        Path img = generatedImage(model, 1, "x.png");
        Path o = dir.resolve("o");
        assertThat(run("invert", "--model", model.toString(), "--method", "wplus", "--steps", "2", "--option", "learning-rate=0.05",
                "--linear-loss-plot", img.toString(), "--out", o.toString())).as(out() + "\n" + err()).isZero();
        InversionResult r = InversionResults.load(o.resolve("x").resolve("result.safetensors"));
        assertThat(((Number) r.config().get("learningRate")).doubleValue()).isEqualTo(0.05);
        assertThat(r.history()).hasSize(2);
        assertThat(run("invert", "--model", model.toString(), "--method", "wplus", "--option", "learning-rate=fast", img.toString(),
                "--out", o.toString())).isEqualTo(2);
        assertThat(err()).contains("wplus option learning-rate=fast: not a number");
    }

    /** --list-methods needs neither images nor --out; it lists every provider with its description and options. */
    @Test
    void listMethodsPrintsProvidersAndOptions() {
        assertThat(run("invert", "--list-methods")).as(err()).isZero();
        Methods methods = Methods.builtIn();
        assertThat(methods.names()).contains("w", "wplus", "pti", "gani", "encoder", "near-perfect");
        for (String name : methods.names()) {
            assertThat(out()).contains(name + ": " + methods.get(name).description());
            for (MethodOptions.Option opt : methods.options(name))
                assertThat(out()).containsPattern("--option " + java.util.regex.Pattern.quote(opt.key()) + " +" + java.util.regex.Pattern.quote(opt.type())
                        + " +default " + java.util.regex.Pattern.quote(opt.defaultValue()));
        }
        assertThat(run("invert", "--help")).isZero();
        assertThat(out().replaceAll("\\s+", " ")).contains("inversion method: " + String.join(", ", methods.names()) + " (default: wplus)");
    }

    /**
     * {@code --save-video} records target | reconstruction every k steps plus the final frame as GIF
     * and MP4; {@code --direction} writes a strength strip per image; {@code report.html} holds every
     * image inline with its metrics (from metrics.json), and a rerun that skips finished images still
     * reports them.
     */
    @Test
    void saveVideoDirectionsAndTheReport() throws Exception {
        Path model = TinyModel.write(dir.resolve("tiny.safetensors"), 3);
        Path a = generatedImage(model, 2, "a.png"), b = generatedImage(model, 3, "b.png");
        Path dirs = dir.resolve("d.safetensors");
        INDArray v = Nd4j.zeros(DataType.DOUBLE, TinyModel.CONFIG.wDim());
        v.putScalar(1, 1.0);
        new DirectionSet(List.of(new Direction("smile/x", LatentSpace.W, v, 0, 6, 1.0, null))).save(dirs);
        Path o = dir.resolve("out");
        String[] args = {"invert", "--model", model.toString(), "--method", "wplus", "--steps", "5", "--save-video", "--video-every", "2",
                "--direction", dirs.toString(), "--strength=-2,0,2", a.toString(), b.toString(), "--out", o.toString()};
        assertThat(run(args)).as(out() + "\n" + err()).isZero();
        assertThat(out()).contains("report: " + o.resolve("report.html"));
        for (String name : List.of("a", "b")) {
            Path d = o.resolve(name);
            // steps 0, 2, 4 of the loop, then the final reconstruction
            assertThat(InterpolateCommandTest.gifFrames(d.resolve("projection.gif"))).isEqualTo(4);
            assertThat(InterpolateCommandTest.mp4Frames(d.resolve("projection.mp4"))).isEqualTo(4);
            BufferedImage strip = ImageIO.read(d.resolve("edit_0_smile_x.png").toFile());
            assertThat(strip.getWidth()).isGreaterThan(3 * 128);
        }
        try (java.util.stream.Stream<Path> s = Files.list(o)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp"))).as("no temporary video left").isEmpty();
        }
        String html = Files.readString(o.resolve("report.html"));
        JsonNode ma = new ObjectMapper().readTree(o.resolve("a/metrics.json").toFile());
        assertThat(html).contains(String.format(java.util.Locale.ROOT, "<td class=\"psnr\">%.2f</td>", ma.get("psnr").asDouble()))
                .contains("<h3>smile/x</h3>").contains("data:image/gif;base64,").doesNotContain("src=\"a/");
        assertThat(html.split("data:image/png;base64,", -1)).hasSize(1 + 2 * 3);   // comparison, loss, one strip per image
        // a rerun skips both and still reports them
        Files.delete(o.resolve("report.html"));
        assertThat(run(args)).isZero();
        assertThat(out()).contains("2 skipped");
        assertThat(Files.readString(o.resolve("report.html"))).contains("data-image=\"a\"").contains("data-image=\"b\"");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(run("invert", "--method", "nope", "x.png", "--out", dir.toString())).isEqualTo(2);
        assertThat(err()).contains("--method must be one of w, wplus");
        assertThat(run("invert", "x.png")).isEqualTo(2);
        assertThat(err()).contains("--out");
        assertThat(run("invert", "--steps", "0", "x.png", "--out", dir.toString())).isEqualTo(2);
        assertThat(run("invert", "--lpips-weights", dir.resolve("none.safetensors").toString(), "x.png", "--out", dir.toString())).isEqualTo(2);
    }

    /** The image of {@code seed} (psi 0.7, const noise) of a model file (null: the embedded model), written as {@code name}. */
    private Path generatedImage(Path model, long seed, String name) throws java.io.IOException {
        NativeModel m = ModelOption.read(model);
        Path img = dir.resolve(name);
        try (Generator g = Generator.create(m.generatorConfig(), m.generator())) {
            Images.writePng(g.synthesis(g.mapping(Seeds.z(new long[]{seed}, g.config().zDim()), 0.7), NoiseMode.CONST, 0), img);
        }
        return img;
    }

    /** The pixels of an image as its PNG stores them. */
    private INDArray pngOf(INDArray img) throws java.io.IOException {
        Path p = Files.createTempFile(dir, "img", ".png");
        Images.writePng(ReconstructionMetrics.clamp(img), p);
        return Images.read(p, 3);
    }
}
