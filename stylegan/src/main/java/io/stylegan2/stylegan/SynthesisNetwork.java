package io.stylegan2.stylegan;

import io.stylegan2.stylegan.layers.Layer;
import io.stylegan2.stylegan.layers.SynthesisBlock;
import io.stylegan2.stylegan.layers.SynthesisLayer;
import io.stylegan2.stylegan.layers.ToRgbLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN2 synthesis network ({@code architecture='skip'}) as a SameDiff graph builder,
 * composing {@link SynthesisBlock}s (which own the parameters, see {@link io.stylegan2.stylegan.layers}).
 *
 * <p>Blocks {@code b4, b8, ..., bR}. {@code b4}: learned constant, {@code conv1}, {@code torgb};
 * every later block: {@code conv0} (2x upsampling), {@code conv1}, {@code torgb}, and the running RGB
 * image is upsampled (FIR) and summed. W+ rows are used as in NVlabs: {@code b4.conv1 -> 0},
 * {@code b4.torgb -> 1}, and for block k &ge; 1: {@code conv0 -> 2k-1}, {@code conv1 -> 2k},
 * {@code torgb -> 2k+1} (a block's ToRGB shares its row with the next block's conv0).
 *
 * <p><b>Thread safety:</b> Immutable; safe to share between threads. Its builders add ops to the
 * binding's SameDiff, which is not thread-safe: build one graph from one thread (the nested records
 * hold that graph's variables).
 */
public final class SynthesisNetwork {
    /** Prefix of the synthesis parameters' canonical names. */
    static final String PREFIX = "synthesis";

    private final GeneratorConfig cfg;
    private final List<SynthesisBlock> blocks;

    public SynthesisNetwork(GeneratorConfig cfg) {
        this.cfg = cfg;
        List<SynthesisBlock> b = new ArrayList<>();
        for (int res : cfg.blockResolutions())
            b.add(new SynthesisBlock(PREFIX, res, res == 4 ? 0 : cfg.channelsAt(res / 2), cfg.channelsAt(res), cfg.wDim(), cfg.imgChannels(),
                    cfg.resampleFilter(), cfg.convClamp()));
        this.blocks = List.copyOf(b);
    }

    public GeneratorConfig config() {
        return cfg;
    }

    /** The blocks {@code b4, b8, ..., bR} (the layer tier). */
    public List<SynthesisBlock> blocks() {
        return blocks;
    }

    /** Canonical names and shapes of the synthesis parameters, in state-dict-like order. */
    public Map<String, long[]> parameterShapes() {
        return Layer.shapesOf(blocks);
    }

    /** Conv layer ids in execution order ({@code b4.conv1, b8.conv0, b8.conv1, ...}): the noise inputs. */
    public List<String> convLayers() {
        List<String> l = new ArrayList<>();
        for (SynthesisBlock b : blocks) for (SynthesisLayer c : b.convs()) l.add(c.id());
        return l;
    }

    /** Resolution of a layer or block id such as {@code b16.conv0} or {@code b16}. */
    public static int resolutionOf(String id) {
        int dot = id.indexOf('.');
        try {
            return Integer.parseInt(id.substring(1, dot < 0 ? id.length() : dot));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a layer/block id: '" + id + "' (expected e.g. b16 or b16.conv0)");
        }
    }

    /** W+ row of a layer id. */
    public int wsIndex(String layer) {
        int res = resolutionOf(layer);
        int k = Integer.numberOfTrailingZeros(res) - 2;
        String kind = layer.substring(layer.indexOf('.') + 1);
        if (k == 0) return kind.equals("conv1") ? 0 : 1;
        return switch (kind) {
            case "conv0" -> 2 * k - 1;
            case "conv1" -> 2 * k;
            case "torgb" -> 2 * k + 1;
            default -> throw new IllegalArgumentException("unknown layer kind in '" + layer + "'");
        };
    }

    /**
     * Everything a build produces.
     *
     * @param image         the output image {@code [N, img_channels, R, R]} (raw range)
     * @param blockFeatures each block's output feature before its hook (read taps) {@code [N, C, r, r]}
     * @param blockImages   the running RGB image after each block {@code [N, img_channels, r, r]}
     * @param layerOutputs  each layer's output (ToRGB before the skip sum)
     * @param styles        each layer's affine output (ToRGB already times its weight gain)
     */
    public record Output(SDVariable image, Map<String, SDVariable> blockFeatures, Map<String, SDVariable> blockImages,
                         Map<String, SDVariable> layerOutputs, Map<String, SDVariable> styles) {
    }

    /** Where the build starts: the full network, or block {@code res} given the previous block's feature and image. */
    public record Start(int res, SDVariable feature, SDVariable image) {
        public static final Start FULL = new Start(4, null, null);
    }

    /**
     * Builds the synthesis graph.
     *
     * @param p        parameters (frozen or trainable, with any weight override)
     * @param ws       W+ codes {@code [N, num_ws, w_dim]}
     * @param noise    noise mode for layers without an explicit noise hook; {@code RANDOM} reads
     *                 placeholders named {@code noise/<layer>} of shape {@code [N, 1, r, r]}
     * @param hooks    padding, feature, noise and const hooks
     * @param start    {@link Start#FULL}, or a later block with its input feature (and image, may be null)
     */
    public Output build(ParamBinding p, SDVariable ws, NoiseMode noise, SynthesisHooks hooks, Start start) {
        return build(p, ws, noise, hooks, start, null);
    }

    /**
     * As {@link #build(ParamBinding, SDVariable, NoiseMode, SynthesisHooks, Start)}, also recording each
     * layer's input, styles, modulated conv output and output in {@code activations} when it is not null
     * (keys in {@link io.stylegan2.stylegan.layers.ModulatedLayer}), for hand-written backward passes such
     * as {@link #wsGradient}. The graph is the same.
     */
    public Output build(ParamBinding p, SDVariable ws, NoiseMode noise, SynthesisHooks hooks, Start start, Map<String, SDVariable> activations) {
        Map<String, SDVariable> feats = new LinkedHashMap<>(), imgs = new LinkedHashMap<>(), outs = new LinkedHashMap<>(), styles = new LinkedHashMap<>();
        for (String l : hooks.padding().keySet()) {
            if (!l.endsWith(".conv1")) throw new IllegalArgumentException("padding hook on '" + l + "': only non-upsampling 3x3 convs (bR.conv1) take a padding provider");
            resolutionOf(l);
        }
        hooks.features().forEach((b, h) -> h.validate(b, cfg.channelsAt(resolutionOf(b))));
        if (start.res() != 4 && start.feature() == null) throw new IllegalArgumentException("start at b" + start.res() + " needs the feature of b" + (start.res() / 2));
        cfg.channelsAt(start.res());

        long batch = staticBatch(ws);
        SDVariable x = start.feature();
        SDVariable img = start.image();
        for (SynthesisBlock block : blocks) {
            if (block.resolution() < start.res()) continue;
            if (block.first()) x = block.constInput(p, hooks.constInput(), ws);
            for (SynthesisLayer l : block.convs()) {
                SDVariable s = l.styles(p, wsRow(ws, wsIndex(l.id())));
                styles.put(l.id(), s);
                x = l.forward(p, x, s, noise, hooks.noise().get(l.id()), hooks.padding().get(l.id()), batch, activations);
                outs.put(l.id(), x);
            }
            ToRgbLayer t = block.toRgb();
            SDVariable s = t.styles(p, wsRow(ws, wsIndex(t.id())));
            styles.put(t.id(), s);
            SDVariable y = t.forward(p, x, s, batch, activations);
            outs.put(t.id(), y);
            img = block.addImage(img, y);
            feats.put(block.id(), x);
            imgs.put(block.id(), img);
            FeatureHook h = hooks.features().get(block.id());
            if (h != null) x = h.apply(block.id(), x);
        }
        return new Output(img, Collections.unmodifiableMap(feats), Collections.unmodifiableMap(imgs),
                Collections.unmodifiableMap(outs), Collections.unmodifiableMap(styles));
    }

    /**
     * The forward on {@code ws} and the gradient of {@code sum(upstream * image)} with respect to {@code ws}.
     *
     * @param forward    the synthesis build (the same graph a loss of the image can use)
     * @param wsGradient {@code d sum(upstream * image) / d ws}, {@code [N, num_ws, w_dim]}
     */
    public record WsGradient(Output forward, SDVariable wsGradient) {}

    /**
     * The image and the gradient {@code g = d sum(upstream * image) / d ws}, built <em>explicitly</em> as a SameDiff
     * graph (as {@link Discriminator#inputGradient} for R1): the forward is {@link #build} itself (same graph), then
     * a hand-written backward pass of ordinary differentiable ops, block by block from the top resolution
     * ({@link SynthesisBlock#backward}: ToRGB, the skip branch's FIR up-sampling, the modulated convs with
     * demodulation, noise, bias, leaky ReLU and clamp, the affines). A W+ row shared by a ToRGB and the next
     * block's {@code conv0} sums both layers' gradients.
     *
     * <p>SameDiff 1.0.0-M2.1 has no second-order gradients; because {@code g} is an ordinary graph of the
     * parameters and of {@code ws}, first-order autodiff of a function of {@code g} (the path-length penalty)
     * gives its gradient with respect to the parameters and, through {@code ws}, the mapping network. The
     * activation masks (leaky ReLU, clamp) are data, the exact derivative almost everywhere. {@code g} equals
     * SameDiff's own first-order gradient to float64 rounding, whichever modulated-conv, upfirdn2d and
     * bias_act formulation the engine builds.
     *
     * @param ws       W+ codes {@code [N, num_ws, w_dim]}
     * @param upstream {@code [N, img_channels, R, R]}, the gradient of the image
     * @param noise    noise mode, as for {@link #build}
     * @param hooks    explicit noise maps and the const input only (padding and feature hooks have no backward here)
     */
    public WsGradient wsGradient(ParamBinding p, SDVariable ws, SDVariable upstream, NoiseMode noise, SynthesisHooks hooks) {
        if (!hooks.padding().isEmpty() || !hooks.features().isEmpty())
            throw new IllegalArgumentException("W+ gradient: padding and feature hooks are not supported (hooks on "
                    + hooks.padding().keySet() + " " + hooks.features().keySet() + ")");
        Map<String, SDVariable> acts = new LinkedHashMap<>();
        Output out = build(p, ws, noise, hooks, Start.FULL, acts);
        SDVariable[] rows = new SDVariable[cfg.numWs()];
        SDVariable gFeature = null, gImage = upstream;
        for (int i = blocks.size() - 1; i >= 0; i--) {
            SynthesisBlock.Gradients g = blocks.get(i).backward(p, acts, gFeature, gImage);
            g.w().forEach((layer, gw) -> {
                int row = wsIndex(layer);
                rows[row] = rows[row] == null ? gw : rows[row].add(gw);
            });
            gFeature = g.feature();
            gImage = g.image();
        }
        for (int i = 0; i < rows.length; i++)
            if (rows[i] == null) throw new IllegalStateException("W+ row " + i + " is used by no layer");
        return new WsGradient(out, p.sd().stack(1, rows));
    }

    /** The batch size of {@code ws} if SameDiff knows it at build time (variables, constants), else -1. */
    private static long staticBatch(SDVariable ws) {
        long[] s;
        try {
            s = ws.getShape();
        } catch (RuntimeException e) {
            return -1;
        }
        return s != null && s.length >= 1 && s[0] > 0 ? s[0] : -1;
    }

    private static SDVariable wsRow(SDVariable ws, int i) {
        return ws.get(SDIndex.all(), SDIndex.point(i), SDIndex.all());
    }
}
