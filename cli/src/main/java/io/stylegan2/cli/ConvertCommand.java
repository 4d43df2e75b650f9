package io.stylegan2.cli;

import io.stylegan2.converter.ConvertOptions;
import io.stylegan2.converter.Converter;
import io.stylegan2.core.Progress;
import io.stylegan2.core.Seeds;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code convert IN OUT}: any supported checkpoint to a native model file. With {@code --verify},
 * renders seed {@value #VERIFY_SEED} (psi 1, const noise) with the written file read back and with
 * the source checkpoint's tensors loaded directly (no file in between), and reports the max absolute
 * difference; exits 1 if it exceeds {@code --tolerance}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a checkpoint to a native model file (.safetensors), without executing any code from it.",
                "IN: an NVIDIA stylegan2-ada-pytorch / stylegan3 network pickle (.pkl), a rosinality checkpoint (.pt),",
                "a folder holding NVlabs state dicts (G_ema.state_dict.pt [+ D.state_dict.pt]), or a native file."})
final class ConvertCommand implements Callable<Integer> {
    static final long VERIFY_SEED = 0;

    /** Which network of a checkpoint to convert. */
    enum GeneratorKey { g_ema, g }

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "checkpoint file or state-dict folder")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "native model file to write")
    Path out;

    @Option(names = "--verify", description = "render a fixed seed with OUT and with the source checkpoint and report the max difference")
    boolean verify;

    @Option(names = "--generator", defaultValue = "g_ema", paramLabel = "g_ema|g",
            description = "generator to take from the checkpoint: g_ema or g (default: ${DEFAULT-VALUE})")
    GeneratorKey generator;

    @Option(names = "--lr-mlp", defaultValue = "0.01", paramLabel = "LR",
            description = "mapping lr multiplier the model was trained with, when the file does not record it (default: ${DEFAULT-VALUE})")
    double lrMlp;

    @Option(names = "--allow-non-finite", description = "convert tensors holding NaN or infinity with a warning (default: refuse them, naming the tensor)")
    boolean allowNonFinite;

    @Option(names = "--tolerance", defaultValue = "1e-5", description = "max |difference| accepted by --verify (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(in)) Cli.requireReadableFile(spec, in, "IN");
        if (!(lrMlp > 0) || Double.isInfinite(lrMlp)) throw Cli.usage(spec, "--lr-mlp must be a positive number, got " + lrMlp);
        Path outAbs = out.toAbsolutePath();
        if (outAbs.getParent() != null && !Files.isDirectory(outAbs.getParent()))
            throw Cli.usage(spec, "OUT: folder does not exist: " + outAbs.getParent());
        if (Files.isDirectory(out)) throw Cli.usage(spec, "OUT: " + out + " is a folder; give the model file's name");
        if (Files.exists(out) && !isNativeModel(out))
            throw Cli.usage(spec, "OUT: " + out + " exists and is not a " + NativeModel.FORMAT + " model file: refusing to overwrite it (remove it or choose another name)");
        PrintWriter stdout = spec.commandLine().getOut();
        ConvertOptions options = options();
        Progress bar = ProgressBar.forConsole(spec.commandLine().getErr());
        bar.start("convert " + in.getFileName(), 1);
        try {
            Converter.convert(List.of(in), out, options);
            bar.update(1);
        } finally {
            bar.end();
        }
        stdout.println("wrote " + out);
        if (verify) {
            double diff;
            try (Generator written = generator(NativeModel.read(out)); Generator source = generator(Converter.load(List.of(in), options))) {
                diff = maxDiff(written, source);
            }
            stdout.printf(Locale.ROOT, "verify: seed %d, max |diff| = %.3g (tolerance %.3g)%n", VERIFY_SEED, diff, tolerance);
            stdout.flush();
            if (!(diff <= tolerance)) {
                spec.commandLine().getErr().println("error: verification failed: max |diff| " + diff + " > " + tolerance);
                return 1;
            }
        }
        stdout.flush();
        return 0;
    }

    /** Whether {@code f} is a native model file (its safetensors header says so); anything unreadable is not. */
    private static boolean isNativeModel(Path f) {
        try {
            return NativeModel.FORMAT.equals(io.stylegan2.core.io.Safetensors.readHeader(f).metadata().get("format"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private ConvertOptions options() {
        ConvertOptions o = ConvertOptions.defaults().withGenerator(generator.name());
        return new ConvertOptions(o.generator(), o.includeDiscriminator(), lrMlp, o.mbstdGroupSize(), o.resampleFilter(), o.convClamp(), allowNonFinite);
    }

    private static Generator generator(NativeModel m) {
        return Generator.create(m.generatorConfig(), m.generator());
    }

    /** Max |difference| of the two generators' images of seed {@value #VERIFY_SEED} (psi 1, const noise); infinite for other shapes. */
    static double maxDiff(Generator a, Generator b) {
        INDArray ia = render(a), ib = render(b);
        if (!Arrays.equals(ia.shape(), ib.shape())) return Double.POSITIVE_INFINITY;
        return Transforms.abs(ia.castTo(DataType.DOUBLE).sub(ib.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
    }

    private static INDArray render(Generator g) {
        INDArray z = Seeds.z(new long[]{VERIFY_SEED}, g.config().zDim());
        return g.synthesis(g.mapping(z, 1.0), NoiseMode.CONST, 0);
    }
}
