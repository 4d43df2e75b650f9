package io.stylegan2.cli;

import io.stylegan2.core.CancellationToken;
import io.stylegan2.inversion.subspace.SelfExpressiveLayer;
import io.stylegan2.inversion.subspace.SubspaceClustering;
import io.stylegan2.inversion.subspace.Subspaces;
import io.stylegan2.stylegan.Generator;
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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code subspaces}: PmSFC's channel subspaces of one synthesis block ({@link SelfExpressiveLayer},
 * then {@link SubspaceClustering}), saved as a {@link Subspaces} file. Reports the held-out
 * self-expression error of the learned matrix next to that of the same matrix with its entries
 * shuffled (same values and sparsity, no structure), and the cluster sizes.
 */
@Command(name = "subspaces", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Discover channel subspaces of a synthesis block with a self-expressive layer (PmSFC stage 1).",
                "Learns M so that each channel's features are a combination of the others', then clusters the channels."})
final class SubspacesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ModelOption.OrEmbedded model;

    @Option(names = "--block", defaultValue = "b16", paramLabel = "bR", description = "synthesis block, b4 .. half the output resolution (default: ${DEFAULT-VALUE}; on the shipped model its subspaces are the clearest, see inversion/PMSFC.md)")
    String block;

    @Option(names = "--clusters", defaultValue = "6", paramLabel = "K", description = "subspaces K (default: ${DEFAULT-VALUE})")
    int clusters;

    @Option(names = "--dim", defaultValue = "6", paramLabel = "D", description = "subspace dimension d; rank d*K+1 must not exceed the channels (default: ${DEFAULT-VALUE})")
    int dim;

    @Option(names = "--rho", defaultValue = "0.2", description = "share of each column's L1 mass kept before clustering (default: ${DEFAULT-VALUE})")
    double rho;

    @Option(names = "--power", defaultValue = "3", description = "exponent of the affinity (default: ${DEFAULT-VALUE}; PmSFC's README: 2)")
    int power;

    @Option(names = "--steps", defaultValue = "1000", description = "Adam steps of the self-expressive layer (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "4", description = "random latents per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}; the released code's 1e-4 barely moves M in 1000 steps here)")
    double lr;

    @Option(names = "--beta0", defaultValue = "1", description = "weight of the image-consistency term (default: ${DEFAULT-VALUE})")
    double beta0;

    @Option(names = "--beta1", defaultValue = "0.1", description = "weight of the sparsity term (default: ${DEFAULT-VALUE})")
    double beta1;

    @Option(names = "--sparsity", defaultValue = "L1", paramLabel = "L1|L2", description = "sparsity norm (default: ${DEFAULT-VALUE})")
    SelfExpressiveLayer.Sparsity sparsity;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random latents and of the clustering (default: ${DEFAULT-VALUE})")
    long seed;

    @Parameters(index = "0", paramLabel = "OUT", description = "subspaces file to write (.safetensors)")
    Path out;

    @Override
    public Integer call() throws Exception {
        SelfExpressiveLayer.Config cfg;
        SubspaceClustering.Settings settings;
        try {
            cfg = new SelfExpressiveLayer.Config(block, batch, steps, lr, beta0, beta1, sparsity, 1e-4, seed);
            settings = new SubspaceClustering.Settings(clusters, dim, rho, power, seed);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, e.getMessage());
        }
        model.check();
        if (Files.isDirectory(out)) throw Cli.usage(spec, "OUT is a folder: " + out);
        PrintWriter stdout = spec.commandLine().getOut();
        try (ModelOption.Loaded loaded = model.load()) {
            Generator g = loaded.generator();
            SelfExpressiveLayer.Result r;
            try {
                r = SelfExpressiveLayer.train(g, cfg, ProgressBar.forConsole(spec.commandLine().getErr()), CancellationToken.NONE);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            int[] labels;
            try {
                labels = SubspaceClustering.cluster(r.matrix(), settings);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            org.nd4j.linalg.api.ndarray.INDArray heldOut = SelfExpressiveLayer.heldOutFeatures(g, block, 64, seed + 1_000_003);
            double learned = SelfExpressiveLayer.error(heldOut, r.matrix());
            double shuffled = SelfExpressiveLayer.error(heldOut, SelfExpressiveLayer.shuffled(r.matrix(), seed));
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("self_expressive", Map.of("steps", steps, "batch", batch, "lr", lr, "beta0", beta0, "beta1", beta1, "sparsity", sparsity.name(), "init", 1e-4, "seed", seed));
            s.put("clustering", Map.of("clusters", clusters, "dim", dim, "rho", rho, "power", power, "seed", seed));
            s.put("heldout_error", learned);
            s.put("heldout_error_shuffled", shuffled);
            s.put("model", model.file() == null ? "embedded" : model.file().toAbsolutePath().toString());
            Subspaces sub = new Subspaces(block, r.matrix(), labels, clusters, s);
            sub.save(out);
            stdout.printf(Locale.ROOT, "%s: %d channels in %d subspaces, sizes %s; held-out self-expression error %.4f (shuffled matrix %.4f, zero matrix 1)%n",
                    block, labels.length, clusters, Arrays.toString(sub.sizes()), learned, shuffled);
            stdout.println("wrote " + out);
            stdout.flush();
        }
        return 0;
    }
}
