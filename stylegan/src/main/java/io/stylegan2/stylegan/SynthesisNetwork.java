package io.stylegan2.stylegan;

import io.stylegan2.core.ops.Broadcast;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The StyleGAN2 synthesis network ({@code architecture='skip'}) as a SameDiff graph builder.
 *
 * <p>Blocks {@code b4, b8, ..., bR}. {@code b4}: learned constant, {@code conv1}, {@code torgb};
 * every later block: {@code conv0} (2x upsampling), {@code conv1}, {@code torgb}, and the running RGB
 * image is upsampled (FIR) and summed. W+ rows are used as in NVlabs: {@code b4.conv1 -> 0},
 * {@code b4.torgb -> 1}, and for block k &ge; 1: {@code conv0 -> 2k-1}, {@code conv1 -> 2k},
 * {@code torgb -> 2k+1} (a block's ToRGB shares its row with the next block's conv0).
 */
public final class SynthesisNetwork {
    private final GeneratorConfig cfg;

    public SynthesisNetwork(GeneratorConfig cfg) {
        this.cfg = cfg;
    }

    public GeneratorConfig config() {
        return cfg;
    }

    /** Conv layer ids in execution order ({@code b4.conv1, b8.conv0, b8.conv1, ...}): the noise inputs. */
    public List<String> convLayers() {
        List<String> l = new ArrayList<>();
        for (int res : cfg.blockResolutions()) {
            if (res > 4) l.add("b" + res + ".conv0");
            l.add("b" + res + ".conv1");
        }
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
        SameDiff sd = p.sd();
        Map<String, SDVariable> feats = new LinkedHashMap<>(), imgs = new LinkedHashMap<>(), outs = new LinkedHashMap<>(), styles = new LinkedHashMap<>();
        for (String l : hooks.padding().keySet()) {
            if (!l.endsWith(".conv1")) throw new IllegalArgumentException("padding hook on '" + l + "': only non-upsampling 3x3 convs (bR.conv1) take a padding provider");
            resolutionOf(l);
        }
        hooks.features().forEach((b, h) -> h.validate(b, cfg.channelsAt(resolutionOf(b))));
        if (start.res() != 4 && start.feature() == null) throw new IllegalArgumentException("start at b" + start.res() + " needs the feature of b" + (start.res() / 2));
        cfg.channelsAt(start.res());

        SDVariable x = start.feature();
        SDVariable img = start.image();
        for (int res : cfg.blockResolutions()) {
            if (res < start.res()) continue;
            String b = "b" + res;
            if (res == 4) {
                SDVariable c = hooks.constInput() != null ? hooks.constInput() : p.get("synthesis.b4.const");
                x = broadcastConst(c, ws, cfg.channelsAt(4));
                x = layer(p, b + ".conv1", x, ws, 1, noise, hooks, outs, styles);
            } else {
                x = layer(p, b + ".conv0", x, ws, 2, noise, hooks, outs, styles);
                x = layer(p, b + ".conv1", x, ws, 1, noise, hooks, outs, styles);
            }
            SDVariable y = toRgb(p, b + ".torgb", x, ws, styles);
            outs.put(b + ".torgb", y);
            img = img == null ? y : Ops.upsample2d(img, cfg.resampleFilter(), cfg.imgChannels()).add(y);
            feats.put(b, x);
            imgs.put(b, img);
            FeatureHook h = hooks.features().get(b);
            if (h != null) x = h.apply(b, x);
        }
        return new Output(img, Collections.unmodifiableMap(feats), Collections.unmodifiableMap(imgs),
                Collections.unmodifiableMap(outs), Collections.unmodifiableMap(styles));
    }

    /** {@code [C,4,4]} (or {@code [N,C,4,4]}) constant broadcast to the batch of {@code ws}. */
    private static SDVariable broadcastConst(SDVariable c, SDVariable ws, int channels) {
        if (c.getShape() != null && c.getShape().length == 4) return c;
        SDVariable c4 = c.reshape(1, channels, 4, 4);
        // zeros [N,1,1,1] taken from the batch of ws: keeps the batch size dynamic
        SDVariable zeros = ws.get(SDIndex.all(), SDIndex.interval(0, 1), SDIndex.interval(0, 1)).mul(0.0).reshape(-1, 1, 1, 1);
        return c4.add(zeros);
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

    /** One modulated 3x3 conv layer (NVlabs SynthesisLayer). */
    private SDVariable layer(ParamBinding p, String id, SDVariable x, SDVariable ws, int up, NoiseMode noise,
                             SynthesisHooks hooks, Map<String, SDVariable> outs, Map<String, SDVariable> styles) {
        String pre = "synthesis." + id;
        int res = resolutionOf(id);
        SDVariable s = Ops.fc(wsRow(ws, wsIndex(id)), p.get(pre + ".affine.weight"), p.get(pre + ".affine.bias"),
                1.0 / Math.sqrt(cfg.wDim()), 1.0, false);
        styles.put(id, s);
        UnaryOperator<SDVariable> padder = hooks.padding().get(id);
        SDVariable y = Ops.modulatedConv(x, p.get(pre + ".weight"), p.store().get(pre + ".weight").shape(), s, up, true, padder, cfg.resampleFilter(),
                staticBatch(ws), res / up);
        SDVariable n = hooks.noise().get(id);
        if (n != null) {
            y = y.add(n.mul(p.get(pre + ".noise_strength")));
        } else if (noise == NoiseMode.CONST) { // [res, res] as [1, 1, res, res]
            SDVariable c = p.get(pre + ".noise_const").mul(p.get(pre + ".noise_strength"));
            y = Broadcast.add(y, p.sd().reshape(c, 1, 1, res, res), 1, 1, res, res);
        } else if (noise == NoiseMode.RANDOM) {
            SDVariable r = p.sd().placeHolder("noise/" + id, p.store().dataType(), -1, 1, res, res);
            y = Broadcast.add(y, r.mul(p.get(pre + ".noise_strength")), -1, 1, res, res);
        }
        y = Ops.biasAct(y, p.get(pre + ".bias"), true, Math.sqrt(2), cfg.convClamp());
        outs.put(id, y);
        return y;
    }

    /** ToRGB: 1x1 modulated conv without demodulation, styles times 1/sqrt(C_in), linear bias. */
    private SDVariable toRgb(ParamBinding p, String id, SDVariable x, SDVariable ws, Map<String, SDVariable> styles) {
        String pre = "synthesis." + id;
        int cin = cfg.channelsAt(resolutionOf(id));
        SDVariable s = Ops.fc(wsRow(ws, wsIndex(id)), p.get(pre + ".affine.weight"), p.get(pre + ".affine.bias"),
                1.0 / Math.sqrt(cfg.wDim()), 1.0, false).mul(1.0 / Math.sqrt(cin));
        styles.put(id, s);
        SDVariable y = Ops.modulatedConv(x, p.get(pre + ".weight"), p.store().get(pre + ".weight").shape(), s, 1, false, null, cfg.resampleFilter(),
                staticBatch(ws), resolutionOf(id));
        return Ops.biasAct(y, p.get(pre + ".bias"), false, 1.0, cfg.convClamp());
    }
}
