package io.stylegan2.training;

import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.core.optim.Adam;
import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The counters of a run and the training-state file that makes a resume exact.
 *
 * <p>File format ({@value #FORMAT}, one safetensors file, written atomically): tensors {@code G/<name>},
 * {@code D/<name>}, {@code G_ema/<name>} (canonical names and PyTorch layouts, as the native model
 * format), {@code adam_G/m/<var>}, {@code adam_G/v/<var>}, {@code adam_D/...} (the optimisers'
 * moments); metadata {@code format}, {@code generator_config}, {@code discriminator_config},
 * {@code options} (JSON of {@link TrainingOptions}), {@code iteration}, {@code cur_nimg}, {@code tick},
 * {@code adam_G_steps}, {@code adam_D_steps}, {@code pl_mean} (the running mean of the path lengths,
 * NVlabs' {@code pl_mean} buffer, a float32 value written exactly; 0 when absent, as in files written
 * before path-length regularisation). Random draws are functions of the seed and the iteration, so
 * nothing else is needed.
 */
final class TrainingState {
    static final String FORMAT = "stylegan2-training-state/1";

    int iteration, tick;
    long curNimg, gSteps, dSteps;
    /** The running mean of the path lengths (float32, as NVlabs' buffer). */
    float plMean;
    private Map<String, INDArray> gMoments = Map.of(), dMoments = Map.of();

    static TrainingState fresh() {
        return new TrainingState();
    }

    /** Loads the moments and step counts read from a file into the optimisers (nothing for a fresh state). */
    void restoreOptimisers(Adam g, Adam d) {
        if (gSteps > 0 || !gMoments.isEmpty()) g.restore(gMoments, gSteps);
        if (dSteps > 0 || !dMoments.isEmpty()) d.restore(dMoments, dSteps);
    }

    /** Writes the state file atomically. */
    static void write(Path file, Networks nets, TrainingState s, TrainingOptions options, Adam g, Adam d) throws IOException {
        Map<String, INDArray> t = new LinkedHashMap<>();
        Networks.canonical(nets.g).forEach((k, v) -> t.put("G/" + k, v));
        Networks.canonical(nets.d).forEach((k, v) -> t.put("D/" + k, v));
        Networks.canonical(nets.gEma).forEach((k, v) -> t.put("G_ema/" + k, v));
        g.export().forEach((k, v) -> t.put("adam_G/" + k, v));
        d.export().forEach((k, v) -> t.put("adam_D/" + k, v));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("generator_config", NativeModel.toJson(nets.gCfg));
        meta.put("discriminator_config", NativeModel.toJson(nets.dCfg));
        meta.put("options", NativeModel.toJson(options));
        meta.put("iteration", Integer.toString(s.iteration));
        meta.put("cur_nimg", Long.toString(s.curNimg));
        meta.put("tick", Integer.toString(s.tick));
        meta.put("adam_G_steps", Long.toString(g.steps()));
        meta.put("adam_D_steps", Long.toString(d.steps()));
        meta.put("pl_mean", Float.toString(s.plMean));
        AtomicFiles.write(file, out -> Safetensors.write(out, t, meta));
    }

    /** A state file's contents. */
    record Loaded(Networks networks, TrainingState state, TrainingOptions options) {}

    /** Reads a state file; errors name the file and what is wrong. */
    static Loaded read(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, String> m = c.metadata();
        if (!FORMAT.equals(m.get("format"))) throw new IOException(file + ": not a training state (format '" + m.get("format") + "', expected " + FORMAT + ")");
        try {
            GeneratorConfig gc = NativeModel.fromJson(m.get("generator_config"), GeneratorConfig.class);
            DiscriminatorConfig dc = NativeModel.fromJson(m.get("discriminator_config"), DiscriminatorConfig.class);
            TrainingOptions o = NativeModel.fromJson(m.get("options"), TrainingOptions.class);
            Map<String, INDArray> g = new LinkedHashMap<>(), d = new LinkedHashMap<>(), e = new LinkedHashMap<>(), ag = new LinkedHashMap<>(), ad = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("G/")) g.put(k.substring(2), v);
                else if (k.startsWith("D/")) d.put(k.substring(2), v);
                else if (k.startsWith("G_ema/")) e.put(k.substring(6), v);
                else if (k.startsWith("adam_G/")) ag.put(k.substring(7), v);
                else if (k.startsWith("adam_D/")) ad.put(k.substring(7), v);
            });
            TrainingState s = new TrainingState();
            s.iteration = Integer.parseInt(m.get("iteration"));
            s.curNimg = Long.parseLong(m.get("cur_nimg"));
            s.tick = Integer.parseInt(m.get("tick"));
            s.gSteps = Long.parseLong(m.get("adam_G_steps"));
            s.dSteps = Long.parseLong(m.get("adam_D_steps"));
            s.plMean = m.containsKey("pl_mean") ? Float.parseFloat(m.get("pl_mean")) : 0f;
            s.gMoments = ag;
            s.dMoments = ad;
            return new Loaded(Networks.fromCanonical(gc, dc, g, d, e), s, o);
        } catch (IOException | RuntimeException ex) {
            throw new IOException(file + ": corrupt training state: " + ex.getMessage(), ex);
        }
    }
}
