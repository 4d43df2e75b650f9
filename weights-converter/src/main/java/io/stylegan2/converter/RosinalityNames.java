package io.stylegan2.converter;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps rosinality/stylegan2-pytorch state dicts to the canonical (NVlabs) names, for any size and
 * channel table. Only renames and reshapes are needed (no kernel flips, no rescaling): both code
 * bases keep raw weights and apply the same equalized-lr gains at run time. In particular the
 * ToRGB gain 1/sqrt(Cin) is applied by rosinality to the weight and by NVlabs to the styles; the
 * products are identical, so {@code to_rgb*.conv.modulation} maps to {@code torgb.affine} as is
 * (the fixture crosscheck reproduces the NVlabs outputs to 4e-6 with this pure rename).
 *
 * <p>Generator: {@code style.{i}} &rarr; {@code mapping.fc{i-1}}; {@code input.input [1,C,4,4]}
 * &rarr; {@code synthesis.b4.const [C,4,4]}; {@code conv1} &rarr; {@code synthesis.b4.conv1};
 * {@code convs.{2k}} / {@code convs.{2k+1}} &rarr; {@code synthesis.b{2^(k+3)}.conv0 / conv1};
 * {@code to_rgb1} &rarr; {@code synthesis.b4.torgb}; {@code to_rgbs.{k}} &rarr;
 * {@code synthesis.b{2^(k+3)}.torgb}; inside: {@code conv.weight [1,O,I,k,k]} &rarr;
 * {@code weight [O,I,k,k]}, {@code conv.modulation.*} &rarr; {@code affine.*},
 * {@code noise.weight [1]} &rarr; {@code noise_strength []}, {@code activate.bias} &rarr;
 * {@code bias}, ToRGB {@code bias [1,C,1,1]} &rarr; {@code bias [C]}; {@code noises.noise_{i}
 * [1,1,r,r]} &rarr; the noise_const [r,r] of the i-th conv layer (0 = b4.conv1, then conv0/conv1 of
 * b8, b16, ...); the checkpoint's top-level {@code latent_avg} &rarr; {@code mapping.w_avg}. Blur
 * {@code kernel} buffers are dropped.
 *
 * <p>Discriminator: {@code convs.0.0 / convs.0.1} &rarr; {@code b{size}.fromrgb} weight/bias;
 * ResBlock {@code convs.{j}} (j &ge; 1, resolution size/2^(j-1)): {@code conv1.0.weight, conv1.1.bias}
 * &rarr; {@code conv0.*}, {@code conv2.1.weight, conv2.2.bias} &rarr; {@code conv1.*},
 * {@code skip.1.weight} &rarr; {@code skip.weight}; {@code final_conv.0/1} &rarr; {@code b4.conv};
 * {@code final_linear.0} &rarr; {@code b4.fc}; {@code final_linear.1} &rarr; {@code b4.out}.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread, given input
 * maps and arrays no thread mutates meanwhile. {@link Mapped} is shallowly immutable: its map, list
 * and arrays are not copied.
 */
public final class RosinalityNames {
    private RosinalityNames() {}

    private static final Pattern STYLE = Pattern.compile("style\\.(\\d+)\\.(weight|bias)");
    private static final Pattern CONVS = Pattern.compile("convs\\.(\\d+)\\.(.+)");
    private static final Pattern TORGBS = Pattern.compile("to_rgbs\\.(\\d+)\\.(.+)");
    private static final Pattern NOISE = Pattern.compile("noises\\.noise_(\\d+)");
    private static final Pattern D_BLOCK = Pattern.compile("convs\\.(\\d+)\\.(conv1\\.0\\.weight|conv1\\.1\\.bias|conv2\\.1\\.weight|conv2\\.2\\.bias|skip\\.1\\.weight)");

    /** Result of a mapping: canonical tensors plus the source keys that had no canonical counterpart. */
    public record Mapped(Map<String, INDArray> tensors, List<String> unmapped) {}

    /** Canonical name of the {@code i}-th noise input ({@code noises.noise_i}). */
    public static String noiseLayer(int i) {
        if (i == 0) return "synthesis.b4.conv1";
        int res = 8 << ((i - 1) / 2);
        return "synthesis.b" + res + ((i - 1) % 2 == 0 ? ".conv0" : ".conv1");
    }

    /** Maps a rosinality Generator state dict; {@code latentAvg} (may be null) becomes {@code mapping.w_avg}. */
    public static Mapped generator(Map<String, INDArray> sd, INDArray latentAvg) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<String> unmapped = new java.util.ArrayList<>();
        for (Map.Entry<String, INDArray> e : sd.entrySet()) {
            String k = e.getKey();
            INDArray v = e.getValue();
            Matcher m;
            if ((m = STYLE.matcher(k)).matches() && Integer.parseInt(m.group(1)) >= 1) {
                out.put("mapping.fc" + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2), v);
            } else if (k.equals("input.input")) {
                out.put("synthesis.b4.const", squeeze0(k, v));
            } else if (k.startsWith("conv1.")) {
                if (!styledConv(out, "synthesis.b4.conv1.", k.substring(6), v)) unmapped.add(k);
            } else if ((m = CONVS.matcher(k)).matches()) {
                int j = Integer.parseInt(m.group(1));
                String p = "synthesis.b" + (8 << (j / 2)) + (j % 2 == 0 ? ".conv0." : ".conv1.");
                if (!styledConv(out, p, m.group(2), v)) unmapped.add(k);
            } else if (k.startsWith("to_rgb1.")) {
                if (!toRgb(out, "synthesis.b4.torgb.", k.substring(8), v)) unmapped.add(k);
            } else if ((m = TORGBS.matcher(k)).matches()) {
                int j = Integer.parseInt(m.group(1));
                if (!toRgb(out, "synthesis.b" + (8 << j) + ".torgb.", m.group(2), v)) unmapped.add(k);
            } else if ((m = NOISE.matcher(k)).matches()) {
                out.put(noiseLayer(Integer.parseInt(m.group(1))) + ".noise_const", squeezeTo(k, v, 2));
            } else {
                unmapped.add(k);
            }
        }
        if (latentAvg != null) out.put("mapping.w_avg", latentAvg.reshape(latentAvg.length()));
        return new Mapped(out, unmapped);
    }

    private static boolean styledConv(Map<String, INDArray> out, String p, String rest, INDArray v) {
        switch (rest) {
            case "conv.weight": out.put(p + "weight", squeeze0(p + rest, v)); return true;
            case "conv.modulation.weight": out.put(p + "affine.weight", v); return true;
            case "conv.modulation.bias": out.put(p + "affine.bias", v); return true;
            case "noise.weight": out.put(p + "noise_strength", Nd4j.scalar(v.dataType(), v.getDouble(0))); return v.length() == 1;
            case "activate.bias": out.put(p + "bias", v); return true;
            case "conv.blur.kernel": return true; // fixed by the config
            default: return false;
        }
    }

    private static boolean toRgb(Map<String, INDArray> out, String p, String rest, INDArray v) {
        switch (rest) {
            case "conv.weight": out.put(p + "weight", squeeze0(p + rest, v)); return true;
            case "conv.modulation.weight": out.put(p + "affine.weight", v); return true;
            case "conv.modulation.bias": out.put(p + "affine.bias", v); return true;
            case "bias": out.put(p + "bias", v.reshape(v.length())); return true;
            case "upsample.kernel": return true; // fixed by the config
            default: return false;
        }
    }

    /** Drops a leading dimension of size 1. */
    private static INDArray squeeze0(String name, INDArray v) {
        long[] s = v.shape();
        if (s.length == 0 || s[0] != 1)
            throw new IllegalArgumentException("rosinality tensor '" + name + "' has shape " + Arrays.toString(s) + ": expected a leading dimension of 1");
        return v.reshape('c', Arrays.copyOfRange(s, 1, s.length));
    }

    /** Drops leading dimensions of size 1 down to {@code rank}. */
    private static INDArray squeezeTo(String name, INDArray v, int rank) {
        long[] s = v.shape();
        for (int i = 0; i < s.length - rank; i++)
            if (s[i] != 1) throw new IllegalArgumentException("rosinality tensor '" + name + "' has shape " + Arrays.toString(s) + ": expected [1,..,1,H,W]");
        return v.reshape('c', Arrays.copyOfRange(s, Math.max(0, s.length - rank), s.length));
    }

    /** Maps a rosinality Discriminator state dict. */
    public static Mapped discriminator(Map<String, INDArray> sd) {
        int blocks = 0;
        for (String k : sd.keySet()) {
            Matcher m = D_BLOCK.matcher(k);
            if (m.matches()) blocks = Math.max(blocks, Integer.parseInt(m.group(1)));
        }
        int size = 4 << blocks;
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<String> unmapped = new java.util.ArrayList<>();
        for (Map.Entry<String, INDArray> e : sd.entrySet()) {
            String k = e.getKey();
            INDArray v = e.getValue();
            Matcher m;
            if (k.equals("convs.0.0.weight")) out.put("b" + size + ".fromrgb.weight", v);
            else if (k.equals("convs.0.1.bias")) out.put("b" + size + ".fromrgb.bias", v);
            else if ((m = D_BLOCK.matcher(k)).matches() && Integer.parseInt(m.group(1)) >= 1) {
                String b = "b" + (size >> (Integer.parseInt(m.group(1)) - 1)) + ".";
                switch (m.group(2)) {
                    case "conv1.0.weight": out.put(b + "conv0.weight", v); break;
                    case "conv1.1.bias": out.put(b + "conv0.bias", v); break;
                    case "conv2.1.weight": out.put(b + "conv1.weight", v); break;
                    case "conv2.2.bias": out.put(b + "conv1.bias", v); break;
                    default: out.put(b + "skip.weight", v); break;
                }
            } else if (k.matches("convs\\.\\d+\\.(conv2\\.0|skip\\.0)\\.kernel")) {
                // blur kernels: fixed by the config
            } else if (k.equals("final_conv.0.weight")) out.put("b4.conv.weight", v);
            else if (k.equals("final_conv.1.bias")) out.put("b4.conv.bias", v);
            else if (k.equals("final_linear.0.weight")) out.put("b4.fc.weight", v);
            else if (k.equals("final_linear.0.bias")) out.put("b4.fc.bias", v);
            else if (k.equals("final_linear.1.weight")) out.put("b4.out.weight", v);
            else if (k.equals("final_linear.1.bias")) out.put("b4.out.bias", v);
            else unmapped.add(k);
        }
        return new Mapped(out, unmapped);
    }

    static INDArray f32(INDArray a) {
        return a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
    }
}
