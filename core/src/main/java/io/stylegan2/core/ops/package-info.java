/**
 * StyleGAN2 numeric core ops as pure static functions on SameDiff variables (NCHW
 * {@code [N, C, H, W]}, FLOAT or DOUBLE), reproducing the reference paths of NVlabs'
 * stylegan2-ada-pytorch: {@link io.stylegan2.core.ops.Upfirdn2d},
 * {@link io.stylegan2.core.ops.BiasAct}, {@link io.stylegan2.core.ops.Conv2dResample},
 * {@link io.stylegan2.core.ops.ModulatedConv2d}, {@link io.stylegan2.core.ops.Layers} (equalised
 * learning rate) and {@link io.stylegan2.core.ops.MinibatchStd}.
 *
 * <p>Conventions and ND4J 1.0.0-M2.1 constraints:
 * <ul>
 *   <li>Conv weights are {@code [kH, kW, inC, outC]} (ND4J's default; conv2d backprop fails for the
 *       other layouts); convert PyTorch {@code [outC, inC, kH, kW]} with
 *       {@link io.stylegan2.core.ops.Conv2dResample#oihwToYxio}. Fully connected weights stay in
 *       PyTorch's {@code [out, in]}.</li>
 *   <li>{@code SDVariable.getShape()} is null for op outputs, so data tensors are handled with
 *       runtime shapes; only weights need static shapes (variables/constants, or pass the shape
 *       explicitly through the {@code wShape} overloads).</li>
 *   <li>Only differentiable building blocks are used: CONSTANT pad, reshape, strided slice, conv2d,
 *       deconv2d. No resize ops (no gradient) and no REFLECT/SYMMETRIC pads (wrong gradient).</li>
 *   <li>Where an op has a faster formulation (a Java kernel, a cheaper backward, a fused path), the
 *       engine settings ({@link io.stylegan2.core.engine.EngineOptions}, read through
 *       {@link io.stylegan2.core.engine.Engine#current()} when the op is built) choose it; the
 *       reference formulation is always available and tests compare the two through
 *       {@link io.stylegan2.core.engine.Engine#with}. Building an op installs the engine on first
 *       use (its op-table replacements, Java-kernel executioner and stdout filter).</li>
 * </ul>
 */
package io.stylegan2.core.ops;
