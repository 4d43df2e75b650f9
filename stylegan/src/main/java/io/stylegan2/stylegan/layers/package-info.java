/**
 * The layer tier between the ops ({@code io.stylegan2.core.ops}) and the networks
 * ({@code MappingNetwork}, {@code SynthesisNetwork}, {@code Discriminator}), shaped after NVlabs
 * stylegan2-ada-pytorch's {@code training/networks.py}.
 *
 * <p>Each layer owns its parameters: their canonical (NVlabs state-dict) names under a prefix such as
 * {@code synthesis.b16.conv0} or {@code b16.conv1}, their canonical shapes
 * ({@link io.stylegan2.stylegan.layers.Layer#parameterShapes()}, from which
 * {@link io.stylegan2.stylegan.CanonicalLayout} is derived) and their gains (equalised learning
 * rate, activation gain, clamp). Layers read their parameters through a
 * {@link io.stylegan2.stylegan.ParamBinding}, so frozen, trainable and overridden weights all work.
 *
 * <ul>
 *   <li>{@link io.stylegan2.stylegan.layers.FullyConnectedLayer}: mapping layers, affines, the
 *       discriminator's {@code fc} and {@code out};</li>
 *   <li>{@link io.stylegan2.stylegan.layers.SynthesisLayer} and
 *       {@link io.stylegan2.stylegan.layers.ToRgbLayer} (both a
 *       {@link io.stylegan2.stylegan.layers.ModulatedLayer}: affine + modulated conv), and
 *       {@link io.stylegan2.stylegan.layers.SynthesisBlock} (const input, convs, ToRGB and the skip
 *       image);</li>
 *   <li>{@link io.stylegan2.stylegan.layers.Conv2dLayer},
 *       {@link io.stylegan2.stylegan.layers.MinibatchStdLayer},
 *       {@link io.stylegan2.stylegan.layers.DiscriminatorBlock} and
 *       {@link io.stylegan2.stylegan.layers.DiscriminatorEpilogue}.</li>
 * </ul>
 *
 * <p>The discriminator's layers also give their <em>backward-data</em> pass (the adjoint with respect
 * to the layer input, given the recorded output activation) as ordinary differentiable ops: SameDiff
 * 1.0.0-M2.1 has no second-order gradients, so the R1 penalty differentiates this explicit input
 * gradient ({@link io.stylegan2.stylegan.Discriminator#inputGradient}).
 */
package io.stylegan2.stylegan.layers;
