package io.stylegan2.stylegan;

import io.stylegan2.core.StepMemory;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A StyleGAN2 generator: {@code z -> w -> W+ -> image}, with the frozen weights of one checkpoint.
 *
 * <p>The convenience methods ({@link #mapping}, {@link #synthesis}, {@link #generate}) run graphs
 * that are built once per generator (one per noise mode) and reused. Methods that need gradients or
 * hooks build their own graphs from {@link #mappingNetwork()}, {@link #synthesisNetwork()} and
 * {@link #params()} with a {@link ParamBinding}.
 *
 * <p>Images are {@code [N, img_channels, R, R]} in the generator's raw range (about [-1, 1] for a
 * trained model).
 *
 * <p>Example: three images from seeds, as NVlabs' {@code generate.py --seeds 1-3 --trunc 0.7}
 * (Maven: {@code io.stylegan2:stylegan2-stylegan} (version from {@code io.stylegan2:stylegan2-bom}) and a native backend, see the README's "Use it
 * from your project"; the same code runs in {@code JavadocExamplesTest}):
 * <pre>{@code
 * import io.stylegan2.core.Seeds;
 * import io.stylegan2.core.io.Images;
 * import io.stylegan2.stylegan.Generator;
 * import io.stylegan2.stylegan.NoiseMode;
 * import org.nd4j.linalg.api.ndarray.INDArray;
 * import java.nio.file.Path;
 *
 * try (Generator g = Generator.load(Path.of("model.safetensors"))) {    // a converted checkpoint
 *     INDArray z = Seeds.z(new long[]{1, 2, 3}, g.config().zDim());     // numpy RandomState(seed).randn
 *     INDArray ws = g.mapping(z, 0.7);                                  // W+ [3, num_ws, w_dim], psi 0.7
 *     INDArray images = g.synthesis(ws, NoiseMode.CONST, 0);            // [3, C, R, R]
 *     Images.writeGridPng(images, 3, Path.of("grid.png"));
 * }
 * }</pre>
 *
 * <p><b>Thread safety:</b> Thread-safe: calls are serialised (one at a time per instance); the
 * {@code synchronized} methods guard the cached graphs, the others read only final state. No thread
 * may mutate the shared {@link #params()} arrays.
 */
public final class Generator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Generator.class);

    private final GeneratorConfig cfg;
    private final ParameterStore params;
    private final MappingNetwork mapping;
    private final SynthesisNetwork synthesis;
    private SameDiff mappingGraph;
    private final Map<NoiseMode, SameDiff> synthesisGraphs = new EnumMap<>(NoiseMode.class);
    /**
     * Recycles each graph's working arrays from one call to the next (see {@link StepMemory}; off
     * with {@code -Dstylegan2.stepMemory=false}). The pool holds one call's working set per
     * distinct batch size until {@link #close()}.
     */
    private final Map<SameDiff, StepMemory.Loop> memory = new IdentityHashMap<>();

    private Generator(GeneratorConfig cfg, ParameterStore params) {
        this.cfg = cfg;
        this.params = params;
        this.mapping = new MappingNetwork(cfg);
        this.synthesis = new SynthesisNetwork(cfg);
        validate();
    }

    /** From canonical (NVlabs) tensors in PyTorch layouts; float32. */
    public static Generator create(GeneratorConfig cfg, Map<String, INDArray> canonical) {
        return create(cfg, canonical, DataType.FLOAT);
    }

    /** From canonical tensors, computing in {@code dataType} (FLOAT, or DOUBLE for reference runs). */
    public static Generator create(GeneratorConfig cfg, Map<String, INDArray> canonical, DataType dataType) {
        Map<String, INDArray> g = new LinkedHashMap<>(canonical);
        if (!g.containsKey("mapping.w_avg")) {
            // no tracked average in the source: estimate it as NVlabs' projector does (mean of 10 000 mapped z)
            g.put("mapping.w_avg", Nd4j.zeros(DataType.FLOAT, cfg.wDim()));
            try (Generator tmp = new Generator(cfg, ParameterStore.fromCanonical(g, dataType))) {
                g.put("mapping.w_avg", tmp.estimateWAvg(W_AVG_SAMPLES, 123));
            }
            log.info("model has no mapping.w_avg: estimated from {} samples", W_AVG_SAMPLES);
        }
        return new Generator(cfg, ParameterStore.fromCanonical(g, dataType));
    }

    /** Samples used to estimate {@code w_avg} when a checkpoint has none. */
    public static final int W_AVG_SAMPLES = 10_000;

    /** Mean of {@code mapping(z)} over {@code n} seeded N(0,1) z ({@code [w_dim]}), see {@link #sampleW}. */
    public INDArray estimateWAvg(int n, long seed) {
        return sampleW(n, seed).mean(0).castTo(DataType.FLOAT);
    }

    /**
     * {@code n} samples of {@code w = mapping(z)} (truncation 1) for {@code z ~ N(0, I)} drawn from
     * {@code java.util.Random(seed).nextGaussian()} in order, mapped in batches of 1000.
     *
     * @return {@code [n, w_dim]} float64
     */
    public INDArray sampleW(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("sampleW: n must be >= 1, got " + n);
        Random rnd = new Random(seed);
        INDArray w = Nd4j.create(DataType.DOUBLE, n, cfg.wDim());
        for (int done = 0; done < n; done += 1000) {
            int b = Math.min(1000, n - done);
            INDArray ws = mapping(gaussianZ(rnd, b));
            w.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(done, done + b), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .assign(ws.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.DOUBLE));
        }
        return w;
    }

    /**
     * W+ codes of {@code n} latents: {@code z ~ N(0, I)} drawn from {@code java.util.Random(seed).nextGaussian()}
     * in order (row-major {@code [n, z_dim]}), mapped with truncation {@code truncationPsi}.
     *
     * @return {@code [n, num_ws, w_dim]} in the generator's data type
     */
    public INDArray sampleWs(int n, long seed, double truncationPsi) {
        if (n < 1) throw new IllegalArgumentException("sampleWs: n must be >= 1, got " + n);
        return mapping(gaussianZ(new Random(seed), n), truncationPsi);
    }

    /** {@code [n, z_dim]} of {@code rnd.nextGaussian()} in order, in the generator's data type. */
    private INDArray gaussianZ(Random rnd, int n) {
        double[] z = new double[n * cfg.zDim()];
        for (int i = 0; i < z.length; i++) z[i] = rnd.nextGaussian();
        return Nd4j.create(z, new long[]{n, cfg.zDim()}, DataType.DOUBLE).castTo(params.dataType());
    }

    /** Loads the generator of a native model file (see {@link NativeModel}). */
    public static Generator load(Path file) throws IOException {
        NativeModel m = NativeModel.read(file);
        return create(m.generatorConfig(), m.generator());
    }

    /** Loads the generator of a native model from a stream (e.g. a classpath resource). */
    public static Generator load(InputStream in, String name) throws IOException {
        NativeModel m = NativeModel.read(in, name);
        return create(m.generatorConfig(), m.generator());
    }

    /** A generator with NVlabs-style random initialisation (for benchmarks and tests). */
    public static Generator random(GeneratorConfig cfg, long seed) {
        return create(cfg, randomParams(cfg, seed));
    }

    public GeneratorConfig config() {
        return cfg;
    }

    public ParameterStore params() {
        return params;
    }

    public MappingNetwork mappingNetwork() {
        return mapping;
    }

    public SynthesisNetwork synthesisNetwork() {
        return synthesis;
    }

    /** {@code w_avg [w_dim]}. */
    public INDArray wAvg() {
        return params.get("mapping.w_avg").dup();
    }

    /** Number of parameters: all, or those of {@code "mapping."} / {@code "synthesis."}. */
    public long parameterCount(String prefix) {
        return params.count(prefix) - (prefix.isEmpty() || prefix.startsWith("mapping") ? cfg.wDim() : 0) // w_avg is a buffer
                - (prefix.isEmpty() || prefix.startsWith("synthesis") ? noiseConstCount() : 0);
    }

    public long parameterCount() {
        return parameterCount("");
    }

    private long noiseConstCount() {
        long n = 0;
        for (String l : synthesis.convLayers()) if (params.has("synthesis." + l + ".noise_const")) n += params.get("synthesis." + l + ".noise_const").length();
        return n;
    }

    /**
     * Mapping without truncation.
     *
     * @param z {@code [N, z_dim]}
     * @return W+ {@code [N, num_ws, w_dim]} (every row the same w)
     */
    public INDArray mapping(INDArray z) {
        return mapping(z, 1.0);
    }

    /**
     * Mapping with every row truncated: {@code w_avg + psi (w - w_avg)}.
     *
     * @param z             {@code [N, z_dim]}
     * @param truncationPsi {@code truncation_psi} (1 = none)
     * @return W+ {@code [N, num_ws, w_dim]}
     */
    public INDArray mapping(INDArray z, double truncationPsi) {
        return mapping(z, truncationPsi, cfg.numWs());
    }

    /**
     * Mapping with the first rows truncated (NVlabs' {@code truncation_cutoff}).
     *
     * @param z                {@code [N, z_dim]}
     * @param truncationPsi    {@code truncation_psi} (1 = none)
     * @param truncationCutoff rows {@code < cutoff} are truncated ({@code >= 0}; num_ws or more: all rows,
     *                         as {@link #mapping(INDArray, double)})
     * @return W+ {@code [N, num_ws, w_dim]}
     */
    public synchronized INDArray mapping(INDArray z, double truncationPsi, int truncationCutoff) {
        checkShape("z", z, -1, cfg.zDim());
        if (mappingGraph == null) {
            SameDiff sd = SameDiff.create();
            ParamBinding p = ParamBinding.frozen(sd, params, "");
            SDVariable zv = sd.placeHolder("z", params.dataType(), -1, cfg.zDim());
            SDVariable coef = sd.placeHolder("trunc_coef", params.dataType(), cfg.numWs());
            mapping.ws(p, zv, coef).rename("ws");
            mappingGraph = sd;
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("z", z.castTo(params.dataType()));
        ph.put("trunc_coef", MappingNetwork.truncationCoefficients(cfg.numWs(), truncationPsi, truncationCutoff, params.dataType()));
        return run(mappingGraph, ph, "ws");
    }

    /**
     * Synthesis from W+.
     *
     * @param ws        {@code [N, num_ws, w_dim]} (or {@code [N, w_dim]}, broadcast to every row)
     * @param noiseMode noise mode; {@code RANDOM} draws N(0,1) maps from {@code noiseSeed}
     * @return image {@code [N, img_channels, R, R]}
     */
    public synchronized INDArray synthesis(INDArray ws, NoiseMode noiseMode, long noiseSeed) {
        return synthesis(ws, noiseMode, noiseMode == NoiseMode.RANDOM ? randomNoise(ws.size(0), noiseSeed) : Map.of());
    }

    /**
     * Synthesis with explicit noise maps for {@code RANDOM} mode: {@code noise/<layer>} keys or
     * layer ids ({@code b8.conv0}) to {@code [N, 1, r, r]} arrays.
     */
    public synchronized INDArray synthesis(INDArray ws, NoiseMode noiseMode, Map<String, INDArray> noise) {
        INDArray w3 = broadcastWs(ws);
        SameDiff sd = synthesisGraphs.computeIfAbsent(noiseMode, this::buildSynthesisGraph);
        Map<String, INDArray> ph = new HashMap<>();
        ph.put("ws", w3.castTo(params.dataType()));
        if (noiseMode == NoiseMode.RANDOM) {
            for (String l : synthesis.convLayers()) {
                INDArray n = noise.containsKey("noise/" + l) ? noise.get("noise/" + l) : noise.get(l);
                if (n == null) throw new IllegalArgumentException("noise mode random: no noise map for layer " + l);
                int r = SynthesisNetwork.resolutionOf(l);
                checkShape("noise " + l, n, w3.size(0), 1, r, r);
                ph.put("noise/" + l, n.castTo(params.dataType()));
            }
        }
        return run(sd, ph, "img");
    }

    /** One forward run of a graph; its working arrays are reused by the next run, the result is not. */
    private INDArray run(SameDiff sd, Map<String, INDArray> ph, String out) {
        INDArray r = sd.output(ph, out).get(out);
        memory.computeIfAbsent(sd, StepMemory.Loop::forward).stepDone(r);
        return r;
    }

    /** {@code z -> image}: mapping with every row truncated, then synthesis. */
    public synchronized INDArray generate(INDArray z, double truncationPsi, NoiseMode noiseMode, long noiseSeed) {
        return synthesis(mapping(z, truncationPsi), noiseMode, noiseSeed);
    }

    /** {@code z -> image}: mapping with the rows below {@code truncationCutoff} truncated, then synthesis. */
    public synchronized INDArray generate(INDArray z, double truncationPsi, int truncationCutoff, NoiseMode noiseMode, long noiseSeed) {
        return synthesis(mapping(z, truncationPsi, truncationCutoff), noiseMode, noiseSeed);
    }

    /**
     * Style mixing: rows {@code < crossover} from {@code wsA}, the rest from {@code wsB}
     * (both {@code [N, num_ws, w_dim]}).
     */
    public INDArray mixStyles(INDArray wsA, INDArray wsB, int crossover) {
        INDArray a = broadcastWs(wsA), b = broadcastWs(wsB);
        if (!Arrays.equals(a.shape(), b.shape())) throw new IllegalArgumentException("style mixing: shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ");
        if (crossover < 0 || crossover > cfg.numWs()) throw new IllegalArgumentException("crossover must be in [0, " + cfg.numWs() + "], got " + crossover);
        INDArray out = a.dup();
        for (int i = crossover; i < cfg.numWs(); i++)
            out.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .assign(b.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(i), org.nd4j.linalg.indexing.NDArrayIndex.all()));
        return out;
    }

    /** Seeded N(0,1) noise maps {@code [n, 1, r, r]} for every conv layer. */
    public Map<String, INDArray> randomNoise(long n, long seed) {
        Random rnd = new Random(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String l : synthesis.convLayers()) {
            int r = SynthesisNetwork.resolutionOf(l);
            double[] v = new double[(int) (n * r * r)];
            for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
            m.put(l, Nd4j.create(v, new long[]{n, 1, r, r}, params.dataType()));
        }
        return m;
    }

    private SameDiff buildSynthesisGraph(NoiseMode mode) {
        log.debug("building synthesis graph ({} px, noise {})", cfg.imgResolution(), mode);
        SameDiff sd = SameDiff.create();
        ParamBinding p = ParamBinding.frozen(sd, params, "");
        SDVariable ws = sd.placeHolder("ws", params.dataType(), -1, cfg.numWs(), cfg.wDim());
        synthesis.build(p, ws, mode, SynthesisHooks.NONE, SynthesisNetwork.Start.FULL).image().rename("img");
        return sd;
    }

    private INDArray broadcastWs(INDArray ws) {
        return WPlus.batch(ws, cfg, "ws");
    }

    static void checkShape(String what, INDArray a, long... expected) {
        long[] s = a.shape();
        boolean ok = s.length == expected.length;
        for (int i = 0; ok && i < s.length; i++) ok = expected[i] < 0 || expected[i] == s[i];
        if (!ok) throw new IllegalArgumentException(what + ": shape " + Arrays.toString(s) + ", expected " + Arrays.toString(expected).replace("-1", "N"));
    }

    private void validate() {
        CanonicalLayout.generator(cfg).forEach(params::expectCanonicalShape);
    }

    /**
     * NVlabs-style initialisation in canonical layout: weights N(0,1) (mapping weights divided by
     * lr_multiplier), biases 0, affine biases 1, noise strengths 0, const and noise buffers N(0,1), w_avg 0.
     */
    public static Map<String, INDArray> randomParams(GeneratorConfig cfg, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        CanonicalLayout.generator(cfg).forEach((name, shape) -> {
            INDArray v;
            if (name.endsWith("affine.bias")) v = Nd4j.ones(DataType.FLOAT, shape);
            else if (name.endsWith(".bias") || name.endsWith("noise_strength") || name.equals("mapping.w_avg")) v = Nd4j.zeros(DataType.FLOAT, shape);
            else v = io.stylegan2.core.Seeds.randn(r, DataType.FLOAT, shape);
            if (name.startsWith("mapping.fc") && name.endsWith(".weight")) v.divi(cfg.lrMultiplier());
            m.put(name, v);
        });
        return m;
    }

    @Override
    public synchronized void close() {
        // SameDiff has no close in M2.1: dropping the graphs lets GC free their native arrays
        synthesisGraphs.clear();
        mappingGraph = null;
        memory.clear();
    }
}
