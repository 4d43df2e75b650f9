/**
 * Image-quality and distribution metrics; see {@code metrics/README.md} for conventions and the
 * references each metric matches.
 *
 * <ul>
 *   <li>Full-reference, per image pair: {@link io.stylegan2.metrics.Mse}, {@link io.stylegan2.metrics.Psnr},
 *   {@link io.stylegan2.metrics.Ssim}, {@link io.stylegan2.metrics.MsSsim}, collected in
 *   {@link io.stylegan2.metrics.ImageMetrics} (with an optional {@link io.stylegan2.losses.PerceptualLoss}
 *   such as LPIPS); values are computed in a {@link io.stylegan2.metrics.PixelRange} convention that
 *   every result records. {@link io.stylegan2.metrics.DirectoryPairs} pairs two folders by file name.</li>
 *   <li>Distribution: {@link io.stylegan2.metrics.FrechetDistance} (FID with
 *   {@link io.stylegan2.metrics.InceptionV3Features}' pytorch-fid variant, "FD-&lt;extractor&gt;" otherwise),
 *   {@link io.stylegan2.metrics.Kid}, over any {@link io.stylegan2.metrics.FeatureExtractor}.</li>
 * </ul>
 * All statistics are accumulated in float64; nothing here needs gradients.
 */
package io.stylegan2.metrics;
