package io.stylegan2.inversion.engine;

import io.stylegan2.core.optim.Adam;
import io.stylegan2.core.optim.Objective;
import io.stylegan2.core.optim.OptimisationLoop;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.losses.CompositeLoss;
import io.stylegan2.stylegan.Discriminator;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.ParamBinding;
import io.stylegan2.stylegan.SynthesisHooks;
import io.stylegan2.stylegan.SynthesisNetwork;
import io.stylegan2.stylegan.WPlus;
import io.stylegan2.stylegan.WeightOffsets;
import io.stylegan2.stylegan.WeightOverride;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The one graph builder of the inversion methods: a SameDiff graph holding the generator (frozen,
 * or with trainable weight offsets), a latent (a trainable {@code w} or W+ code, a placeholder fed
 * each step, or any variable the method computes, e.g. an encoder's output), the synthesis hooks
 * (trainable noise maps, padding, feature offsets, ...), the target image and the method's loss
 * terms, plus the list of variables the optimiser trains. Every method (the projectors, PTI,
 * near-perfect, the encoder trainer, and those to come) builds its graph here and runs it with
 * {@link OptimisationLoop} through {@link #loop}.
 *
 * <pre>{@code
 * MethodGraph mg = MethodGraph.builder(g).latentWPlus(initialWs).target(image).build();
 * CompositeLoss loss = mg.loss().add("mse", 1.0, Pixelwise.mse(mg.image(), mg.target())).build();
 * OptimisationLoop.Result r = mg.loop(loss, mg.adam(0.9, 0.999, 1e-8)).steps(100)
 *         .schedule(Schedule.constant(0.01)).run(progress, cancel);
 * INDArray ws = mg.latentValue();
 * }</pre>
 *
 * <p>Variable names: parameters are {@code paramPrefix + canonical name} (weight offsets
 * {@code delta/<name>}); the method's own variables are {@code scope + name}: {@code w} (with the
 * placeholder {@code w_noise} for the projector's latent noise) or {@code ws} for a trainable latent,
 * {@code ws} for a fed one, {@code noise/<layer>}, {@code padding/<layer>}, {@code target} and {@code image}.
 *
 * <p><b>Thread safety:</b> Not thread-safe: a method graph owns one SameDiff graph whose trainable
 * variables the optimiser updates in place; build, run and read it from one thread. Several graphs
 * (one per thread) may share one {@link Generator}: its frozen parameters enter each graph as
 * shared read-only constants. {@link Builder} is not thread-safe either.
 */
public final class MethodGraph {
    /**
     * Every synthesis parameter but the {@code noise_const} buffers (which are buffers, not parameters,
     * in the official code): what generator tunings (PTI, near-perfect) train as offsets.
     */
    public static final Predicate<String> SYNTHESIS_PARAMETERS = n -> n.startsWith("synthesis.") && !n.endsWith(".noise_const");

    private final Generator g;
    private final SameDiff sd;
    private final String scope;
    private final ParamBinding binding;
    private final WeightOffsets offsets;
    private final SDVariable ws, wVar, wsVar, latentNoise, image, target;
    private final Map<String, SDVariable> noise, padding;
    private final List<String> trainables;
    private final NoiseMode noiseMode;

    private MethodGraph(Builder b, ParamBinding binding, SDVariable ws, SDVariable image, SDVariable target, List<String> trainables) {
        this.g = b.g;
        this.sd = b.sd;
        this.scope = b.scope;
        this.binding = binding;
        this.offsets = b.offsets;
        this.ws = ws;
        this.wVar = b.wVar;
        this.wsVar = b.wsVar;
        this.latentNoise = b.latentNoise;
        this.image = image;
        this.target = target;
        this.noise = Collections.unmodifiableMap(b.noiseVars);
        this.padding = Collections.unmodifiableMap(b.paddingVars);
        this.trainables = List.copyOf(trainables);
        this.noiseMode = b.noiseMode;
    }

    public static Builder builder(Generator g) {
        return new Builder(Objects.requireNonNull(g, "generator"));
    }

    public Generator generator() {
        return g;
    }

    public SameDiff sd() {
        return sd;
    }

    /** The generator's parameters in this graph (with the weight override, if any). */
    public ParamBinding binding() {
        return binding;
    }

    /** The W+ codes fed to the synthesis {@code [N, num_ws, w_dim]}. */
    public SDVariable ws() {
        return ws;
    }

    /** The synthesised image {@code [N, C, R, R]} (raw generator range), named {@code <scope>image}. */
    public SDVariable image() {
        return image;
    }

    /** The target image constant {@code [1, C, R, R]}, or null when none was given. */
    public SDVariable target() {
        return target;
    }

    /** Name of the latent placeholder of a fed latent ({@link Builder#latentPlaceholder}), else null. */
    public String latentPlaceholder() {
        return wsVar != null && wsVar.isPlaceHolder() ? wsVar.name() : null;
    }

    /** Name of the latent-noise placeholder ({@link Builder#latentW} with noise), else null. */
    public String latentNoisePlaceholder() {
        return latentNoise == null ? null : latentNoise.name();
    }

    /** Trainable noise maps by conv layer id. */
    public Map<String, SDVariable> noise() {
        return noise;
    }

    /** Trainable border maps by non-upsampling conv layer id ({@link Builder#trainablePadding}). */
    public Map<String, SDVariable> padding() {
        return padding;
    }

    /** The noise mode of layers without a trainable map. */
    public NoiseMode noiseMode() {
        return noiseMode;
    }

    /** The trainable weight offsets by parameter name ({@code delta/<name>} variables); empty when the weights are frozen. */
    public Map<String, SDVariable> offsets() {
        return offsets == null ? Map.of() : offsets.deltas();
    }

    /** Names of the variables the optimiser trains, in order: latent, noise maps, border maps, offsets, the method's own. */
    public List<String> trainables() {
        return trainables;
    }

    /** A loss over this graph's variables ({@link CompositeLoss.Builder#build} registers it). */
    public CompositeLoss.Builder loss() {
        return CompositeLoss.builder(sd);
    }

    /** Adam over {@link #trainables()}. */
    public Adam adam(double beta1, double beta2, double eps) {
        return new Adam(sd, trainables, beta1, beta2, eps);
    }

    /**
     * The optimisation loop over this graph with {@code objective} (usually the method's {@link CompositeLoss});
     * its frames ({@link io.stylegan2.core.FrameRecorder}, {@code invert --save-video}) are {@link #image()}.
     */
    public OptimisationLoop.Builder loop(Objective objective, Adam adam) {
        return OptimisationLoop.graph(sd, objective, adam).frames(image.name());
    }

    /**
     * A discriminator in the same graph (its parameters under {@code prefix}; trainable variables
     * when {@code trainable}, shared constants otherwise), e.g. for adversarial terms.
     */
    public ParamBinding bind(Discriminator d, String prefix, boolean trainable) {
        return new ParamBinding(sd, d.params(), prefix, n -> trainable, WeightOverride.NONE);
    }

    /** The current value of a trainable latent as W+ {@code [1, num_ws, w_dim]} float32 (a copy). */
    public INDArray latentValue() {
        if (wVar != null) return WPlus.broadcast(wVar.getArr().castTo(DataType.FLOAT).reshape(1, g.config().wDim()), g.config().numWs());
        if (wsVar != null && !wsVar.isPlaceHolder()) return wsVar.getArr().castTo(DataType.FLOAT).dup('c');
        throw new IllegalStateException("the latent of this graph is not a trainable variable");
    }

    /** The trainable latent's current value: a W latent ({@link Builder#latentW}) or a W+ latent ({@link Builder#latentWPlus}). */
    public Latent latent() {
        return new Latent(wVar != null ? LatentSpace.W : LatentSpace.W_PLUS, latentValue(), Map.of());
    }

    /** Current values of the trainable noise maps (float32 copies), by layer. */
    public Map<String, INDArray> noiseValues() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        noise.forEach((l, v) -> m.put(l, v.getArr().castTo(DataType.FLOAT).dup()));
        return m;
    }

    /** Current values of the trainable border maps (float32 copies), by layer. */
    public Map<String, INDArray> paddingValues() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        padding.forEach((l, v) -> m.put(l, v.getArr().castTo(DataType.FLOAT).dup()));
        return m;
    }

    /** Current values of the weight offsets (graph layout, copies), by parameter name. */
    public Map<String, INDArray> offsetValues() {
        Map<String, INDArray> m = new LinkedHashMap<>();
        offsets().forEach((n, v) -> m.put(n, v.getArr().dup()));
        return m;
    }

    /** The hook state to save with a reconstruction: the noise mode, the trained noise maps and border maps. */
    public HookState hookState() {
        return HookState.of(noiseMode).withNoise(noiseValues()).withPadding(paddingValues());
    }

    /** Collects the pieces; {@link #build()} makes the graph. */
    public static final class Builder {
        private final Generator g;
        private final SameDiff sd = SameDiff.create();
        private String scope = "", paramPrefix = "";
        private NoiseMode noiseMode = NoiseMode.CONST;
        private INDArray targetImage;
        private SynthesisHooks hooks = SynthesisHooks.NONE;
        private Predicate<String> tuned;
        private WeightOverride override;
        private WeightOffsets offsets;
        private SDVariable wVar, wsVar, latentNoise, given;
        private final Map<String, INDArray> noiseInit = new LinkedHashMap<>();
        private final Map<String, SDVariable> noiseVars = new LinkedHashMap<>();
        private final Map<String, INDArray> paddingInit = new LinkedHashMap<>();
        private final Map<String, SDVariable> paddingVars = new LinkedHashMap<>();
        private final List<String> extraTrainables = new ArrayList<>();
        private int latentKinds;

        private Builder(Generator g) {
            this.g = g;
        }

        /** The graph, to build method-specific variables (an encoder, hook networks) before {@link #build()}. */
        public SameDiff sd() {
            return sd;
        }

        public Generator generator() {
            return g;
        }

        /** Prefix of the method's own variable names (e.g. {@code "pti/"}), default none. */
        public Builder scope(String scope) {
            this.scope = Objects.requireNonNull(scope);
            return this;
        }

        /** Prefix of the generator's parameter names (e.g. {@code "G/"}), default none. */
        public Builder paramPrefix(String prefix) {
            this.paramPrefix = Objects.requireNonNull(prefix);
            return this;
        }

        /**
         * A trainable {@code w} (W space: one code for every row), starting at {@code init}
         * ({@code [w_dim]}); with {@code latentNoise} a placeholder {@code w_noise [1, 1, w_dim]} is
         * added to it each step (the official projector's latent noise).
         */
        public Builder latentW(INDArray init, boolean latentNoise) {
            int wDim = g.config().wDim();
            if (init.length() != wDim) throw new IllegalArgumentException("initial w: " + init.length() + " values, expected w_dim = " + wDim);
            DataType dt = g.params().dataType();
            wVar = sd.var(scope + "w", init.castTo(dt).reshape(1, 1, wDim).dup('c'));
            if (latentNoise) this.latentNoise = sd.placeHolder(scope + "w_noise", dt, 1, 1, wDim);
            latentKinds++;
            return this;
        }

        /** A trainable W+ code starting at {@code init} (one latent, any shape {@link WPlus#one} accepts). */
        public Builder latentWPlus(INDArray init) {
            wsVar = sd.var(scope + "ws", WPlus.one(init, g.config(), "initial W+").castTo(g.params().dataType()).dup('c'));
            latentKinds++;
            return this;
        }

        /** A W+ placeholder {@code [batch, num_ws, w_dim]} named {@code <scope>ws}, fed each step (a fixed pivot). */
        public Builder latentPlaceholder(long batch) {
            wsVar = sd.placeHolder(scope + "ws", g.params().dataType(), batch, g.config().numWs(), g.config().wDim());
            latentKinds++;
            return this;
        }

        /** A W+ variable of {@link #sd()} computed by the method ({@code [N, num_ws, w_dim]}, e.g. an encoder's output). */
        public Builder latent(SDVariable ws) {
            if (ws.getSameDiff() != sd) throw new IllegalArgumentException("the latent belongs to another graph (use builder.sd())");
            given = ws;
            latentKinds++;
            return this;
        }

        /** Noise mode of the layers without a trainable or hooked map ({@code CONST} by default). */
        public Builder noiseMode(NoiseMode mode) {
            this.noiseMode = Objects.requireNonNull(mode);
            return this;
        }

        /** Trainable noise maps ({@code noise/<layer>}) starting at {@code init} ({@code [1, 1, r, r]} by conv layer). */
        public Builder trainableNoise(Map<String, INDArray> init) {
            noiseInit.putAll(init);
            return this;
        }

        /**
         * Trainable border maps ({@code padding/<layer>}, padding space) starting at {@code init}
         * ({@code [1, C, r+2, r+2]} by non-upsampling conv {@code bR.conv1}; zeros are the stock zero
         * padding). Only each map's one-pixel ring acts ({@link io.stylegan2.stylegan.PaddingProviders#border}).
         */
        public Builder trainablePadding(Map<String, INDArray> init) {
            HookState.CONST.withPadding(init).validate(g.config());
            paddingInit.putAll(init);
            return this;
        }

        /** Hooks built by the method in {@link #sd()} (padding providers, feature hooks, ...). */
        public Builder hooks(SynthesisHooks hooks) {
            this.hooks = Objects.requireNonNull(hooks);
            return this;
        }

        /** Trainable offsets {@code delta/<name>} (zero at the start) on the parameters {@code selected} picks. */
        public Builder tuneWeights(Predicate<String> selected) {
            this.tuned = Objects.requireNonNull(selected);
            return this;
        }

        /** Any other weight override (e.g. offsets produced by a network); not combined with {@link #tuneWeights}. */
        public Builder weightOverride(WeightOverride override) {
            this.override = Objects.requireNonNull(override);
            return this;
        }

        /** The target image {@code [1, C, R, R]} at the generator's size, as a constant {@code <scope>target}. */
        public Builder target(INDArray image) {
            io.stylegan2.inversion.Target.checkImage(g.config(), image, "target");
            this.targetImage = image;
            return this;
        }

        /** More variables of {@link #sd()} for the optimiser (the method's own networks). */
        public Builder trainable(List<String> names) {
            extraTrainables.addAll(names);
            return this;
        }

        public MethodGraph build() {
            if (latentKinds != 1) throw new IllegalStateException("a method graph needs exactly one latent (latentW, latentWPlus, latentPlaceholder or latent), got " + latentKinds);
            if (tuned != null && override != null) throw new IllegalStateException("tuneWeights and weightOverride are exclusive");
            DataType dt = g.params().dataType();
            WeightOverride o = override;
            if (tuned != null) o = offsets = new WeightOffsets(tuned);
            ParamBinding binding = new ParamBinding(sd, g.params(), paramPrefix, n -> false, o == null ? WeightOverride.NONE : o);
            SDVariable latent;
            if (wVar != null) {
                SDVariable w = latentNoise == null ? wVar : wVar.add(latentNoise);
                SDVariable[] rows = new SDVariable[g.config().numWs()];
                Arrays.fill(rows, w);
                latent = sd.concat(1, rows);
            } else {
                latent = wsVar != null ? wsVar : given;
            }
            SynthesisHooks h = hooks;
            if (!noiseInit.isEmpty() || !paddingInit.isEmpty()) {
                SynthesisHooks.Builder hb = SynthesisHooks.builder();
                hooks.padding().forEach(hb::padding);
                hooks.features().forEach(hb::feature);
                hooks.noise().forEach(hb::noise);
                if (hooks.constInput() != null) hb.constInput(hooks.constInput());
                noiseInit.forEach((l, a) -> {
                    SDVariable v = sd.var(scope + "noise/" + l, a.castTo(dt).dup('c'));
                    noiseVars.put(l, v);
                    hb.noise(l, v);
                });
                paddingInit.forEach((l, a) -> {
                    if (hooks.padding().containsKey(l)) throw new IllegalStateException("padding of " + l + " is both hooked and trainable");
                    SDVariable v = sd.var(scope + "padding/" + l, a.castTo(dt).dup('c'));
                    paddingVars.put(l, v);
                    hb.padding(l, io.stylegan2.stylegan.PaddingProviders.border(v));
                });
                h = hb.build();
            }
            SDVariable img = g.synthesisNetwork().build(binding, latent, noiseMode, h, SynthesisNetwork.Start.FULL).image().rename(scope + "image");
            SDVariable tgt = targetImage == null ? null : sd.constant(scope + "target", targetImage.castTo(dt).dup('c'));
            List<String> train = new ArrayList<>();
            if (wVar != null) train.add(wVar.name());
            if (wsVar != null && !wsVar.isPlaceHolder()) train.add(wsVar.name());
            noiseVars.values().forEach(v -> train.add(v.name()));
            paddingVars.values().forEach(v -> train.add(v.name()));
            if (offsets != null) {
                if (offsets.deltas().isEmpty()) throw new IllegalStateException("tuneWeights: no parameter of the generator was selected");
                offsets.deltas().values().forEach(v -> train.add(v.name()));
            }
            train.addAll(extraTrainables);
            return new MethodGraph(this, binding, latent, img, tgt, train);
        }
    }

    /** Placeholder feed of a fed latent: {@code {<scope>ws: ws}} cast to the generator's type. */
    public Map<String, INDArray> feedLatent(INDArray ws) {
        String name = latentPlaceholder();
        if (name == null) throw new IllegalStateException("the latent of this graph is not a placeholder");
        Map<String, INDArray> m = new LinkedHashMap<>();
        m.put(name, ws.castTo(g.params().dataType()));
        return m;
    }

    /** A zero latent-noise feed ({@code w_noise}), for a final rendering without the projector's noise. */
    public Map<String, INDArray> zeroLatentNoise() {
        if (latentNoise == null) return Map.of();
        return Map.of(latentNoise.name(), Nd4j.zeros(g.params().dataType(), 1, 1, g.config().wDim()));
    }
}
