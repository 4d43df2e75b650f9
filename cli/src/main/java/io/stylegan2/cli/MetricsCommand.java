package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stylegan2.core.io.Images;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.metrics.DirectoryPairs;
import io.stylegan2.metrics.FrechetDistance;
import io.stylegan2.metrics.InceptionV3Features;
import io.stylegan2.metrics.ImageMetrics;
import io.stylegan2.metrics.PixelRange;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code metrics A B}: MSE, PSNR, SSIM and (with LPIPS weights) LPIPS between two images, or between
 * the images of two folders paired by file name ({@code grid.png} is never paired); for folders with
 * {@code --fid} also the Frechet Inception Distance of all their images ({@link FrechetDistance}). A pair that cannot
 * be measured (unreadable, truncated, sizes differ) is reported with its reason and the others go on;
 * the exit code is then 1.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"MSE, PSNR, SSIM and optionally LPIPS between two images or two folders (paired by file name).",
                "MSE/PSNR/SSIM are computed in the chosen pixel convention (default: byte, [0,255]); LPIPS on [-1,1] images."})
final class MetricsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "image file or folder")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "image file or folder (same kind as A)")
    Path b;

    /** LPIPS is computed when weights are given; {@code --lpips} alone is an error, a folder needs {@code --lpips}. */
    @Mixin LpipsOptions lpips = new LpipsOptions(null, true);

    @Option(names = "--convention", defaultValue = "byte", paramLabel = "byte|signed",
            description = "pixel convention of MSE/PSNR/SSIM: byte = [0,255] (as papers report), signed = [-1,1] (default: ${DEFAULT-VALUE})")
    String convention;

    @Option(names = "--channels", defaultValue = "3", description = "read images as 3 (RGB) or 1 (gray) channels (default: ${DEFAULT-VALUE}); LPIPS needs 3")
    int channels;

    @Option(names = "--json", description = "print JSON (per pair and mean) instead of a table")
    boolean json;

    @Option(names = "--fid", paramLabel = "FILE", description = {"folders only: also the Frechet Inception Distance between all images of A and all of B, "
            + "with these Inception-v3 weights: a converted .safetensors, or pytorch-fid's pt_inception-2015-12-05-6726825d.pth "
            + "(FID) or torchvision's inception_v3_google-*.pth (reported as FD-inception-v3-torchvision), converted on the fly"})
    Path fid;

    @Option(names = "--fid-batch", defaultValue = "16", paramLabel = "N", description = "images per Inception forward pass (default: ${DEFAULT-VALUE})")
    int fidBatch;

    @Override
    public Integer call() throws Exception {
        PixelRange range = switch (convention.toLowerCase(Locale.ROOT)) {
            case "byte" -> PixelRange.BYTE;
            case "signed" -> PixelRange.SIGNED_UNIT;
            default -> throw Cli.usage(spec, "--convention must be byte or signed, got '" + convention + "'");
        };
        if (channels != 1 && channels != 3) throw Cli.usage(spec, "--channels must be 1 or 3, got " + channels);
        if (lpips.requested() && channels != 3) throw Cli.usage(spec, "LPIPS needs --channels 3");
        lpips.file();
        boolean dirs = Files.isDirectory(a);
        if (dirs != Files.isDirectory(b)) throw Cli.usage(spec, "A and B must both be files or both be folders: " + a + ", " + b);
        if (fid != null) {
            if (!dirs) throw Cli.usage(spec, "--fid compares two folders (a distribution distance; one image has none)");
            Cli.requireReadableFile(spec, fid, "--fid");
            if (fidBatch < 1) throw Cli.usage(spec, "--fid-batch must be >= 1, got " + fidBatch);
        }
        if (!dirs) {
            Cli.requireReadableFile(spec, a, "A");
            Cli.requireReadableFile(spec, b, "B");
        }
        Lpips perceptual = lpips.load(0);   // image sizes are known per pair; LPIPS reports a too small image itself
        try {
            List<ImageMetrics> rows;
            FrechetDistance.Result fidResult = null;
            List<String> unpaired = List.of(), skipped = new java.util.ArrayList<>();
            if (dirs) {
                DirectoryPairs pairs = DirectoryPairs.of(a, b);
                if (pairs.pairs().isEmpty()) throw new IllegalArgumentException("no images with the same name in " + a + " and " + b);
                unpaired = new java.util.ArrayList<>(pairs.onlyInA());
                unpaired.addAll(pairs.onlyInB());
                rows = pairs.metrics(channels, range, perceptual, skipped);
                for (String note : skipped) spec.commandLine().getErr().println("warning: pair skipped: " + note);
                if (rows.isEmpty()) throw new IllegalArgumentException("no pair of " + a + " and " + b + " could be measured (" + skipped.size() + " skipped)");
                if (fid != null) {
                    List<String> unread = new java.util.ArrayList<>();
                    fidResult = frechet(unread);
                    for (String note : unread) spec.commandLine().getErr().println("warning: left out of " + fidResult.metric() + ": " + note);
                    skipped.addAll(unread);
                }
            } else {
                INDArray x = Images.read(a, channels), y = Images.read(b, channels);
                if (!Arrays.equals(x.shape(), y.shape()))
                    throw new IllegalArgumentException("image sizes differ: " + a + " is " + x.size(3) + "x" + x.size(2) + ", " + b + " is " + y.size(3) + "x" + y.size(2));
                rows = ImageMetrics.compute(x, y, List.of(a.getFileName().toString()), range, perceptual);
            }
            print(rows, ImageMetrics.summarize(rows), unpaired, skipped, range, fidResult);
            return skipped.isEmpty() ? 0 : 1;
        } finally {
            if (perceptual != null) perceptual.close();
        }
    }

    /** Inception weights of {@code --fid} (a .pth converted into a temporary file first), then the folders' distance. */
    private FrechetDistance.Result frechet(List<String> unread) throws java.io.IOException {
        Path weights = fid;
        Path tmp = null;
        try {
            if (!fid.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
                tmp = Files.createTempFile("inception", ".safetensors");
                io.stylegan2.converter.InceptionConverter.convert(fid, tmp);
                weights = tmp;
            }
            InceptionV3Features inception = InceptionV3Features.load(weights);
            return new FrechetDistance(inception, fidBatch).compute(a, b, ProgressBar.forConsole(spec.commandLine().getErr()), unread);
        } finally {
            if (tmp != null) Files.deleteIfExists(tmp);
        }
    }

    private void print(List<ImageMetrics> rows, ImageMetrics.Summary mean, List<String> unpaired, List<String> skipped, PixelRange range,
                       FrechetDistance.Result fd) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        boolean hasP = mean.perceptual().isPresent();
        if (json) {
            ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode root = om.createObjectNode();
            root.put("convention", range == PixelRange.BYTE ? "byte [0,255]" : "signed [-1,1]");
            if (hasP) root.put("perceptual", mean.perceptualName());
            ArrayNode arr = root.putArray("pairs");
            for (ImageMetrics m : rows) put(arr.addObject().put("name", m.name()), m.mse(), m.psnr(), m.ssim(), m.perceptual());
            put(root.putObject("mean").put("count", mean.count()), mean.mse(), mean.psnr(), mean.ssim(), mean.perceptual());
            if (!unpaired.isEmpty()) unpaired.forEach(root.putArray("unpaired")::add);
            if (!skipped.isEmpty()) skipped.forEach(root.putArray("skipped")::add);
            if (fd != null) root.putObject("frechet").put("metric", fd.metric()).put("extractor", fd.extractor()).put("value", fd.value())
                    .put("count_a", fd.countA()).put("count_b", fd.countB());
            out.println(om.writeValueAsString(root));
        } else {
            out.printf(Locale.ROOT, "%-24s %12s %9s %8s%s%n", "image", "MSE", "PSNR(dB)", "SSIM", hasP ? String.format(" %10s", mean.perceptualName()) : "");
            for (ImageMetrics m : rows) out.println(row(m.name(), m.mse(), m.psnr(), m.ssim(), m.perceptual()));
            if (rows.size() > 1) out.println(row("mean (" + mean.count() + ")", mean.mse(), mean.psnr(), mean.ssim(), mean.perceptual()));
            out.println("convention: " + (range == PixelRange.BYTE ? "byte [0,255]" : "signed [-1,1]") + (hasP ? "; LPIPS on [-1,1]" : ""));
            if (!unpaired.isEmpty()) spec.commandLine().getErr().println("warning: " + unpaired.size() + " image(s) without a partner: " + unpaired);
            if (fd != null) out.printf(Locale.ROOT, "%s %.4f (all images: %d in A, %d in B%s)%n", fd.metric(), fd.value(), fd.countA(), fd.countB(),
                    Math.min(fd.countA(), fd.countB()) < 2048 ? "; below 2048 images the value is biased upwards and not comparable to published numbers" : "");
        }
        out.flush();
    }

    private static void put(ObjectNode o, double mse, double psnr, double ssim, java.util.OptionalDouble p) {
        o.put("mse", mse);
        if (Double.isInfinite(psnr)) o.put("psnr", "inf"); else o.put("psnr", psnr);
        o.put("ssim", ssim);
        p.ifPresent(v -> o.put("lpips", v));
    }

    private static String row(String name, double mse, double psnr, double ssim, java.util.OptionalDouble p) {
        return String.format(Locale.ROOT, "%-24s %12.6g %9.3f %8.5f%s", name, mse, psnr, ssim, p.isPresent() ? String.format(Locale.ROOT, " %10.6f", p.getAsDouble()) : "");
    }
}
