package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stylegan2.converter.TorchWriter;
import io.stylegan2.core.CancellationToken;
import io.stylegan2.core.Progress;
import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Images;
import io.stylegan2.inversion.ImagePreparation;
import io.stylegan2.inversion.InversionOutcome;
import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.Inverter;
import io.stylegan2.core.io.LossCurves;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.MethodOptions;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Target;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code invert}: GAN inversion of image files with a method of {@link Methods#builtIn()} (the
 * {@code InversionMethod} providers on the class path; {@code --list-methods} prints them with their
 * options). Per image, in {@code OUT/<name>/}: {@code reconstruction.png} ({@link InversionResult#image()}),
 * {@code comparison.png} (target | reconstruction | |difference| scaled to its maximum; labelled,
 * the metrics in the caption, each panel upscaled nearest to at least 256 px),
 * {@code result.safetensors} (native result), {@code projected_w.npz} (NVIDIA), {@code latent.npy}
 * ([num_ws, w_dim]), {@code projected_rosinality.pt} (rosinality projector layout, see
 * {@link #rosinalityResult}), {@code metrics.json}, {@code loss.png}, and for generator-tuning
 * methods (pti, gani, near-perfect) {@code drift.json}, for sam {@code sam_spaces.png} (target, segments,
 * chosen space per pixel, reconstruction), with {@code --direction} an {@code edit_<i>_<name>.png}
 * strength strip per direction, with {@code --save-video} {@code projection.gif} and {@code projection.mp4}
 * ({@link ProjectionVideo}), and {@code settings.json} (what made it); and {@code OUT/report.html}
 * ({@link InvertReport}), one self-contained page over every image of the run. A failing
 * image (unreadable, failed inversion, unwritable folder) is reported with its reason and the others go
 * on; the exit code is then 1. Each image's folder is written whole or not at all ({@link ResultFolders}):
 * a rerun skips images finished with the same settings, refuses folders made with other settings unless
 * {@code --force}, and one run at a time writes to an {@code --out}.
 */
@Command(name = "invert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Invert images into the generator's latent space (GAN inversion).",
                "Images are centre-cropped and area-resized to the model's resolution; faces must be FFHQ-aligned beforehand (no aligner is shipped)."})
final class InvertCommand implements Callable<Integer> {
    /** The methods this command offers: the providers on the class path. */
    static final Methods METHODS = Methods.builtIn();

    /** {@code --method} completion candidates (and the names in its help): the registered methods. */
    static final class MethodNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return METHODS.names().iterator();
        }
    }

    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Option(names = "--method", defaultValue = "wplus", paramLabel = "NAME", completionCandidates = MethodNames.class,
            description = "inversion method: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); --list-methods describes them and their options")
    String method;

    // help = true: like --help, it needs neither IMAGES nor --out
    @SuppressWarnings("deprecation")
    @Option(names = "--list-methods", help = true, description = "print every method with its description and options (type, default), then exit")
    boolean listMethods;

    @Option(names = "--steps", paramLabel = "N", description = "optimisation steps (default: the method's; see --list-methods)")
    Integer steps;

    @Mixin LpipsOptions lpips = new LpipsOptions("vgg", false);

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "method option (repeatable); --list-methods lists each method's keys")
    Map<String, String> options = new LinkedHashMap<>();

    @Option(names = "--linear-loss-plot", description = "linear y axis in loss.png (default: log scale)")
    boolean linearPlot;

    @Option(names = "--save-video", description = "record the projection as NVlabs' projector does: target | reconstruction every --video-every steps "
            + "(each phase of the method), as projection.gif and projection.mp4 in the image's folder")
    boolean saveVideo;

    @Option(names = "--video-every", defaultValue = "1", paramLabel = "K", description = "with --save-video: a frame every K steps (default: ${DEFAULT-VALUE})")
    int videoEvery;

    @Option(names = "--video-fps", defaultValue = "10", paramLabel = "N", description = "with --save-video: frames per second (default: ${DEFAULT-VALUE}, NVlabs')")
    int videoFps;

    @Option(names = "--direction", paramLabel = "FILE[:NAME|INDEX]",
            description = "edit each result along this direction (repeatable): edit_<name>.png in its folder and a strip in report.html")
    List<String> directions = new ArrayList<>();

    @Option(names = "--strength", defaultValue = "-3:3:7", paramLabel = "A:B:N|LIST",
            description = "with --direction: strengths, A:B:N or a comma list (default: ${DEFAULT-VALUE})")
    String strength;

    @Option(names = "--force", description = "redo images whose result folder exists (default: skip those finished with the same settings, "
            + "refuse those made with other settings)")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "IMAGES", description = "image files (PNG, JPEG) or folders of them")
    List<Path> images;

    @Mixin OutputOption output;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        if (listMethods) {
            printMethods(stdout);
            return 0;
        }
        if (!METHODS.names().contains(method))
            throw Cli.usage(spec, "--method must be one of " + String.join(", ", METHODS.names()) + ", got '" + method + "'");
        try {
            MethodOptions.parse(method, options, METHODS.get(method).defaults());   // a bad key or value is a usage error, before any work
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--option: " + e.getMessage());
        }
        if (steps != null && steps < 1) throw Cli.usage(spec, "--steps must be >= 1, got " + steps);
        if (videoEvery < 1) throw Cli.usage(spec, "--video-every must be >= 1, got " + videoEvery);
        if (videoFps < 1 || videoFps > 120) throw Cli.usage(spec, "--video-fps must be in [1, 120], got " + videoFps);
        double[] strengths;
        try {
            strengths = EditCommand.parseStrengths(strength);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--strength: " + e.getMessage());
        }
        List<InvertReport.NamedDirection> edits = loadDirections();
        model.check();
        lpips.file();
        output.check();
        List<Path> files = expand(images);
        if (files.isEmpty()) throw Cli.usage(spec, "no images found in " + images);
        Path out = output.create();

        Lpips perceptual = null;
        try (ModelOption.Loaded loaded = model.load()) {   // read once: the generator now, the discriminator on demand
            Generator g = loaded.generator();
            GeneratorConfig cfg = g.config();
            perceptual = lpips.load(cfg.imgResolution());
            Inverter inverter;
            try {
                MethodContext ctx = MethodContext.of(g).withOptions(options).withDiscriminator(loaded.discriminator()).withMethods(METHODS);
                if (perceptual != null) ctx = ctx.withPerceptual(perceptual);
                if (steps != null) ctx = ctx.withSteps(steps);
                inverter = METHODS.create(method, ctx);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }

            // read every image first: an unreadable one is a failed outcome, the others go on
            for (InvertReport.NamedDirection d : edits) {
                if (d.direction().wDim() != cfg.wDim()) throw Cli.usage(spec, "--direction " + d.source() + ": w_dim " + d.direction().wDim() + " does not match the model's " + cfg.wDim());
                if (d.direction().start() >= cfg.numWs()) throw Cli.usage(spec, "--direction " + d.source() + ": starts at W+ row " + d.direction().start() + " but the model has " + cfg.numWs());
            }
            List<String> failed = new ArrayList<>();
            Map<String, Path> sources = new LinkedHashMap<>();
            List<Target> targets = readTargets(files, cfg, failed, stderr, sources);
            Map<String, String> reportFailures = new LinkedHashMap<>();
            for (String name : failed) reportFailures.put(name, "unreadable image");
            int skipped = 0;
            Map<String, Object> runSettings = settings();

            Progress bar = ProgressBar.forConsole(stderr);
            try (ResultFolders folders = ResultFolders.open(out, "invert")) {
                for (Target t : targets) {
                    Map<String, Object> settings = new LinkedHashMap<>(runSettings);
                    settings.put("image", fileId(sources.get(t.name())));
                    ResultFolders.State state = folders.state(t.name(), settings);
                    if (state == ResultFolders.State.FINISHED_SAME && !force) {
                        stdout.println(t.name() + ": finished earlier with the same settings, skipped (--force redoes it)");
                        stdout.flush();
                        skipped++;
                        continue;
                    }
                    if (state == ResultFolders.State.EXISTS_DIFFERENT && !force) {
                        stderr.println("error: " + t.name() + ": " + folders.whyNotReused(t.name()) + "; --force replaces it, or use another --out");
                        stderr.flush();
                        failed.add(t.name());
                        continue;
                    }
                    ProjectionVideo video = saveVideo ? ProjectionVideo.open(bar, t, videoEvery, out, videoFps) : null;
                    try {
                        InversionOutcome o = inverter.invert(List.of(t), video != null ? video : bar, CancellationToken.NONE).get(0);
                        if (o instanceof InversionOutcome.Failure f) {
                            stderr.println("error: " + t.name() + ": " + f.message());
                            stderr.flush();
                            failed.add(t.name());
                            reportFailures.put(t.name(), f.message());
                            continue;
                        }
                        InversionResult r = o.resultOrThrow();
                        Path dir = out.resolve(t.name());
                        try {
                            folders.write(t.name(), settings, d -> {
                                write(t, r, d, !linearPlot);
                                for (InvertReport.NamedDirection e : edits) InvertReport.writeEdit(g, r, e, strengths, d);
                                if (video != null) video.finish(r, d.resolve("projection"));
                            });
                        } catch (IOException | RuntimeException e) {
                            stderr.println("error: " + t.name() + ": cannot write its results to " + dir + ": " + e);
                            stderr.flush();
                            failed.add(t.name());
                            reportFailures.put(t.name(), "cannot write its results: " + e.getMessage());
                            continue;
                        }
                        ReconstructionMetrics m = r.metrics();
                        stdout.printf(Locale.ROOT, "%s: %s %d steps, MSE %.2f, PSNR %.2f dB, SSIM %.4f%s, %.1f s -> %s%n", t.name(), r.method(),
                                r.timing().steps(), m.mse(), m.psnr(), m.ssim(),
                                m.perceptual() == null ? "" : String.format(Locale.ROOT, ", %s %.4f", m.perceptualName(), m.perceptual()),
                                r.timing().totalSeconds(), dir);
                        for (String note : r.notes()) stdout.println("  note: " + note);
                        stdout.flush();
                    } finally {
                        if (video != null) video.close();
                    }
                }
            }
            for (String name : failed) reportFailures.putIfAbsent(name, "failed (see the log)");
            String report;
            try {
                report = InvertReport.write(out, runSettings, targets.stream().map(Target::name).toList(), reportFailures, edits).toString();
            } catch (IOException | RuntimeException e) {   // the results are written; a report that cannot be is a warning
                stderr.println("warning: cannot write " + out.resolve("report.html") + ": " + e.getMessage());
                stderr.flush();
                report = "none";
            }
            stdout.printf(Locale.ROOT, "inverted %d of %d image%s with %s into %s%s; report: %s%n", files.size() - failed.size() - skipped, files.size(),
                    files.size() == 1 ? "" : "s", method, out, skipped == 0 ? "" : " (" + skipped + " skipped: finished earlier)", report);
            stdout.flush();
            return failed.isEmpty() ? 0 : 1;
        } finally {
            if (perceptual != null) perceptual.close();
        }
    }

    /** {@code --list-methods}: each method, its description and its {@code --option} keys with type and default. */
    static void printMethods(PrintWriter out) {
        for (String name : METHODS.names()) {
            out.println(name + ": " + METHODS.get(name).description());
            List<MethodOptions.Option> opts = METHODS.options(name);
            int kw = opts.stream().mapToInt(o -> o.key().length()).max().orElse(0);
            int tw = opts.stream().mapToInt(o -> o.type().length()).max().orElse(0);
            for (MethodOptions.Option o : opts)
                out.println(String.format(Locale.ROOT, "    --option %-" + kw + "s  %-" + tw + "s  default %s", o.key(), o.type(), o.defaultValue()));
        }
        out.flush();
    }

    /**
     * What makes every image's result (its folder's manifest adds the image): the method and its options,
     * steps, the model and the LPIPS weights (files by absolute path, size and modification time).
     */
    private Map<String, Object> settings() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "invert");
        m.put("method", method);
        m.put("options", new java.util.TreeMap<>(options));
        m.put("steps", steps);
        m.put("model", model.file() == null ? "embedded" : fileId(model.file()));
        Path lp = lpips.file();
        m.put("lpips", lp == null ? null : fileId(lp));
        m.put("lpips_net", lpips.net);
        if (!directions.isEmpty()) {
            m.put("directions", new ArrayList<>(directions));
            m.put("strength", strength);
        }
        return m;
    }

    /** The {@code --direction} arguments, loaded ({@code FILE}, {@code FILE:NAME} or {@code FILE:INDEX}, as {@code edit}). */
    private List<InvertReport.NamedDirection> loadDirections() {
        List<InvertReport.NamedDirection> out = new ArrayList<>();
        for (int i = 0; i < directions.size(); i++)
            out.add(new InvertReport.NamedDirection(directions.get(i), Cli.direction(spec, directions.get(i)), i));
        return out;
    }

    private static String fileId(Path f) throws IOException {
        return f.toAbsolutePath().normalize() + " (" + Files.size(f) + " bytes, modified " + Files.getLastModifiedTime(f) + ")";
    }

    private List<Target> readTargets(List<Path> files, GeneratorConfig cfg, List<String> failed, PrintWriter stderr, Map<String, Path> sources) {
        List<Target> ok = new ArrayList<>();
        Set<String> used = new HashSet<>();
        for (Path f : files) {
            String base = f.getFileName().toString();
            int dot = base.lastIndexOf('.');
            if (dot > 0) base = base.substring(0, dot);
            String name = base;
            for (int k = 2; !used.add(name); k++) name = base + "_" + k;
            try {
                ok.add(new Target(name, ImagePreparation.load(f, cfg.imgResolution(), cfg.imgChannels())));
                sources.put(name, f);
            } catch (IOException | RuntimeException e) {
                stderr.println("error: " + name + ": " + e.getMessage());
                stderr.flush();
                failed.add(name);
            }
        }
        return ok;
    }

    /** The least displayed side of each comparison.png panel (small models are upscaled nearest). */
    static final int COMPARISON_MIN_SIDE = 256;

    /** Writes every per-image file; {@code logScale}: the y axis of loss.png. */
    static void write(Target t, InversionResult r, Path dir, boolean logScale) throws IOException {
        Files.createDirectories(dir);
        INDArray recon = ReconstructionMetrics.clamp(r.image());
        Images.writePng(recon, dir.resolve("reconstruction.png"));
        INDArray diff = Transforms.abs(t.image().sub(recon));
        double max = diff.maxNumber().doubleValue();
        INDArray diffImg = max > 0 ? diff.div(max).muli(2).subi(1) : diff.sub(1);
        io.stylegan2.inversion.ReconstructionMetrics m = r.metrics();
        String caption = String.format(java.util.Locale.ROOT, "MSE %.2f  PSNR %.2f dB  SSIM %.4f%s  (pixels in [0, 255])", m.mse(), m.psnr(), m.ssim(),
                m.perceptual() == null ? "" : String.format(java.util.Locale.ROOT, "  %s %.4f", m.perceptualName(), m.perceptual()));
        io.stylegan2.core.io.Figures.writeLabelledRow(java.util.List.of(t.image(), recon, diffImg),
                java.util.List.of("target " + t.name(), "reconstruction (" + r.method() + ")", String.format(java.util.Locale.ROOT, "|difference|, max %.3g", max)),
                caption, COMPARISON_MIN_SIDE, dir.resolve("comparison.png"));
        io.stylegan2.inversion.sam.SamInverter.writeFigure(t.image(), r.reconstruction(), recon, COMPARISON_MIN_SIDE, dir.resolve("sam_spaces.png"));
        InversionResults.save(r, dir.resolve("result.safetensors"));
        InversionResults.writeProjectedWNpz(r.ws(), dir.resolve("projected_w.npz"));
        InversionResults.writeLatentNpy(r, dir.resolve("latent.npy"));
        TorchWriter.writeZip(dir.resolve("projected_rosinality.pt"), rosinalityResult(r));
        LossCurves.writePng(r.history(), r.method() + " " + t.name(), logScale, dir.resolve("loss.png"));
        AtomicFiles.write(dir.resolve("metrics.json"), metricsJson(r, max).getBytes(StandardCharsets.UTF_8));
        Map<String, Object> drift = driftReport(r);
        if (!drift.isEmpty())
            AtomicFiles.write(dir.resolve("drift.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(drift));
    }

    /**
     * What rosinality's {@code projector.py} saves with {@code torch.save}: {@code {target: {"img":
     * image [C,R,R], "latent": ws [num_ws, w_dim], "noise": [[1,1,r,r], ...]}}}. The noise list is the
     * reconstruction's noise maps ({@code reconstruction().hooks().noise()}, e.g. the w method's optimised
     * maps) in synthesis layer order ({@code b4.conv1, b8.conv0, b8.conv1, ...}); empty when it has none.
     */
    static Map<String, Object> rosinalityResult(InversionResult r) {
        List<Object> noise = new ArrayList<>();
        r.reconstruction().hooks().noise().entrySet().stream()
                .sorted(Comparator.comparingInt((Map.Entry<String, INDArray> e) -> SynthesisNetwork.resolutionOf(e.getKey()))
                        .thenComparing(Map.Entry::getKey))
                .forEach(e -> {
                    INDArray v = e.getValue();
                    long side = v.size(v.rank() - 1);
                    noise.add(v.reshape(1, 1, v.length() / side, side));
                });
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("img", r.image().get(NDArrayIndex.point(0)));
        entry.put("latent", r.latentRows());
        entry.put("noise", noise);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put(r.targetName(), entry);
        return file;
    }

    static String metricsJson(InversionResult r, double maxAbsDiff) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = om.createObjectNode();
        ReconstructionMetrics m = r.metrics();
        n.put("target", r.targetName());
        n.put("method", r.method());
        n.put("latent_space", r.space().id());
        n.put("convention", ReconstructionMetrics.CONVENTION);
        n.put("mse", m.mse());
        n.put("psnr", m.psnr());
        n.put("ssim", m.ssim());
        n.put("mse_signed", m.mseSigned());
        if (m.perceptual() != null) {
            n.put("lpips", m.perceptual());
            n.put("lpips_net", m.perceptualName());
        }
        n.put("max_abs_diff", maxAbsDiff);
        n.put("steps", r.timing().steps());
        n.put("seconds", r.timing().totalSeconds());
        n.put("setup_seconds", r.timing().setupSeconds());
        n.put("ms_per_step", r.timing().msPerStep());
        n.put("final_loss", r.finalLoss("total"));
        Map<String, Object> drift = driftReport(r);
        if (!drift.isEmpty()) n.set("drift_report", om.valueToTree(drift));
        n.set("notes", om.valueToTree(r.notes()));
        n.set("config", om.valueToTree(r.config()));
        return om.writeValueAsString(n);
    }

    /**
     * The manifold-drift report of a generator-tuning method: config entries {@code report_*} (near-perfect's
     * {@code TuningReport}, prefix dropped) and {@code drift_*} (PTI); empty for latent-only methods.
     */
    static Map<String, Object> driftReport(InversionResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        r.config().forEach((k, v) -> {
            if (k.startsWith("report_")) out.put(k.substring("report_".length()), v);
            else if (k.startsWith("drift_")) out.put(k, v);
        });
        return out;
    }

    private static List<Path> expand(List<Path> in) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : in) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.list(p)) {
                    s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)"))
                            .sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

}
