package io.stylegan2.inversion.encoder;

import io.stylegan2.core.io.AtomicFiles;
import io.stylegan2.core.io.Safetensors;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NativeModel;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.WPlus;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained (or fresh) pSp/ReStyle encoder: its {@link EncoderConfig} and parameters.
 *
 * <pre>{@code
 * Encoder e = Encoder.load(Path.of("encoder.safetensors"));
 * Encoder.Result r = e.invert(generator, target, 3);   // target [N, C, R, R], raw generator range
 * r.ws();     // [N, num_ws, w_dim]
 * r.image();  // G(ws), const noise
 * }</pre>
 *
 * <p><b>Thread safety:</b> Thread-safe: {@link #invert} is synchronized (one inversion at a time
 * per instance; it keeps the inference graph of the last generator it ran with), and the parameters
 * are the encoder's own copies, read-only after construction: do not mutate the arrays
 * {@link #params()} returns. {@link Result} is shallowly immutable (its arrays are not copied).
 */
public final class Encoder {
    /** Value of the {@code format} metadata of an encoder file. */
    public static final String FORMAT = "stylegan2-encoder/1";
    static final String META_FORMAT = "format", META_CONFIG = "encoder_config";

    private final EncoderConfig config;
    private final Map<String, INDArray> params;
    private Generator cachedFor;
    private EncoderGraph cached;

    public Encoder(EncoderConfig config, Map<String, INDArray> params) {
        this.config = config;
        Map<String, INDArray> expected = EncoderNetwork.init(config, 0);
        if (!expected.keySet().equals(params.keySet()))
            throw new IllegalArgumentException("encoder parameters do not match the config: expected " + expected.keySet() + ", got " + params.keySet());
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray a = params.get(e.getKey());
            if (!Arrays.equals(a.shape(), e.getValue().shape()))
                throw new IllegalArgumentException("encoder parameter '" + e.getKey() + "' has shape " + Arrays.toString(a.shape())
                        + ", expected " + Arrays.toString(e.getValue().shape()));
            p.put(e.getKey(), a.castTo(DataType.FLOAT).dup());
        }
        this.params = Collections.unmodifiableMap(p);
    }

    /** A freshly initialised encoder (predicts a zero offset). */
    public static Encoder random(EncoderConfig config, long seed) {
        return new Encoder(config, EncoderNetwork.init(config, seed));
    }

    public EncoderConfig config() {
        return config;
    }

    /** Parameters by name (read-only map of copies owned by this encoder). */
    public Map<String, INDArray> params() {
        return params;
    }

    public long parameterCount() {
        return params.values().stream().mapToLong(INDArray::length).sum();
    }

    /**
     * Result of {@link #invert}: final W+ and reconstruction, the reconstruction after every
     * iteration, and with a padding branch the last iteration's border maps ({@code [N, C, r+2, r+2]}
     * by layer) and constant input ({@code [N, C, 4, 4]}; empty map and null without one).
     */
    public record Result(INDArray ws, INDArray image, List<INDArray> iterationWs, List<INDArray> iterationImages,
                         Map<String, INDArray> padding, INDArray constInput) {}

    /**
     * ReStyle inversion: {@code w_0 = w_avg}, {@code y_0 = G(w_avg)}, then {@code iterations}
     * times {@code w_{t+1} = w_t + E(x, y_t)}, {@code y_{t+1} = G(w_{t+1})} (const noise).
     *
     * @param target     {@code [N, C, R, R]} in the generator's raw range
     * @param iterations at least 1 (3 is the usual inference setting)
     */
    public synchronized Result invert(Generator g, INDArray target, int iterations) {
        if (iterations < 1) throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        long[] s = target.shape();
        if (s.length != 4 || s[1] != config.imgChannels() || s[2] != config.resolution() || s[3] != config.resolution())
            throw new IllegalArgumentException("target must be [N, " + config.imgChannels() + ", " + config.resolution() + ", "
                    + config.resolution() + "], got " + Arrays.toString(s));
        EncoderGraph eg = graphFor(g);
        int n = (int) s[0];
        INDArray wcur = averageWs(g, n);
        INDArray recon = averageImage(g, n);
        List<INDArray> wsList = new ArrayList<>(), imgs = new ArrayList<>();
        // the padding maps and constant input are read from the last iteration only
        List<String> last = new ArrayList<>(List.of(eg.ws, eg.image));
        last.addAll(eg.padding.values());
        if (eg.constInput != null) last.add(eg.constInput);
        Map<String, INDArray> padding = new LinkedHashMap<>();
        INDArray constInput = null;
        for (int t = 0; t < iterations; t++) {
            String[] outs = t == iterations - 1 ? last.toArray(new String[0]) : new String[]{eg.ws, eg.image};
            Map<String, INDArray> out = eg.sd.output(eg.feed(target, recon, wcur), outs);
            wcur = out.get(eg.ws).dup();
            recon = out.get(eg.image).dup();
            wsList.add(wcur);
            imgs.add(recon);
            if (t < iterations - 1) continue;
            for (Map.Entry<String, String> e : eg.padding.entrySet()) padding.put(e.getKey(), out.get(e.getValue()).castTo(DataType.FLOAT).dup());
            if (eg.constInput != null) constInput = out.get(eg.constInput).castTo(DataType.FLOAT).dup();
        }
        return new Result(wcur, recon, List.copyOf(wsList), List.copyOf(imgs), Collections.unmodifiableMap(padding), constInput);
    }

    private EncoderGraph graphFor(Generator g) {
        if (cachedFor != g) {
            cached = new EncoderGraph(config, params, g, null, null);
            cachedFor = g;
        }
        return cached;
    }

    /** {@code w_avg} broadcast to {@code [n, num_ws, w_dim]}. */
    static INDArray averageWs(Generator g, int n) {
        INDArray w = Nd4j.zeros(DataType.FLOAT, n, g.config().wDim()).addiRowVector(g.wAvg().castTo(DataType.FLOAT));
        return WPlus.broadcast(w, g.config().numWs());
    }

    /** {@code G(w_avg)} (const noise) repeated {@code n} times. */
    static INDArray averageImage(Generator g, int n) {
        INDArray one = g.synthesis(averageWs(g, 1), NoiseMode.CONST, 0).castTo(DataType.FLOAT);
        return n == 1 ? one.dup('c') : Nd4j.concat(0, Collections.nCopies(n, one).toArray(new INDArray[0])).dup('c');
    }

    /** Writes the parameters and config (atomically). */
    public void save(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(META_FORMAT, FORMAT);
        meta.put(META_CONFIG, NativeModel.toJson(config));
        AtomicFiles.write(file, out -> Safetensors.write(out, params, meta));
    }

    public static Encoder load(Path file) throws IOException {
        Safetensors.Contents c = Safetensors.read(file);
        String fmt = c.metadata().get(META_FORMAT);
        if (!FORMAT.equals(fmt)) throw new IOException(file + ": not an encoder file (format '" + fmt + "', expected '" + FORMAT + "')");
        String cj = c.metadata().get(META_CONFIG);
        if (cj == null) throw new IOException(file + ": no " + META_CONFIG + " metadata");
        try {
            return new Encoder(NativeModel.fromJson(cj, EncoderConfig.class), c.tensors());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
