package io.stylegan2.inversion.pti;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.MethodContext;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.inversion.editing.Provenance;
import io.stylegan2.losses.PerceptualLoss;
import io.stylegan2.losses.lpips.Lpips;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.NoiseMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PTI through the method registry on the fixture generator and an out-of-domain photo: the result
 * stores weight offsets (not a model), survives save/load, reports drift, improves on its pivot,
 * and the editing code renders it: strength 0 with the stored offsets reproduces the PTI reconstruction.
 */
class PtiInverterTest {
    @Test
    void ptiThroughTheRegistrySavesOffsetsThatEditingRenders(@TempDir Path dir) throws Exception {
        Generator g = PtiFixtures.generator();
        try (Lpips lpips = PtiFixtures.lpipsAlex()) {
            PerceptualLoss perceptual = lpips;
            MethodContext ctx = MethodContext.of(g).withPerceptual(perceptual).withSteps(6).withOptions(Map.of("pivot-steps", "8"));
            Target target = new Target("photo0", PtiFixtures.photo(0, 32));
            InversionResult r = Methods.builtIn().create("pti", ctx).invertOne(target, null, null);

            assertThat(r.method()).isEqualTo("pti");
            assertThat(r.reconstruction().weightOffsets().keySet()).isNotEmpty().allMatch(k -> k.startsWith("synthesis."));
            assertThat(r.space()).isEqualTo(LatentSpace.W);   // the W projector's pivot
            assertThat(r.reconstruction().hooks().noise()).isEmpty();   // PTI tunes with const noise
            assertThat(r.reconstruction().extras().keySet()).allMatch(k -> k.startsWith("pivot/noise/"));
            assertThat(r.config()).containsKey("drift_mse");
            assertThat((Double) r.config().get("drift_mse")).isGreaterThan(0.0).isFinite();
            // PTI improves on its pivot (the pivot's reconstruction is the generator on the pivot ws)
            double pivotMse = PtiFixtures.mse(g.synthesis(r.ws(), NoiseMode.CONST, 0), target.image());
            assertThat(PtiFixtures.mse(r.image(), target.image())).isLessThan(pivotMse);

            Path file = dir.resolve("pti.safetensors");
            InversionResults.save(r, file);
            InversionResult back = InversionResults.load(file);
            assertThat(back.reconstruction().weightOffsets().keySet()).isEqualTo(r.reconstruction().weightOffsets().keySet());

            // strength 0 through the editing code reproduces the saved reconstruction exactly
            Direction d = Direction.w("zero", Nd4j.zeros(DataType.DOUBLE, g.config().wDim()), Provenance.of("test"));
            INDArray strip = Edits.strip(g, back.reconstruction(), d, new double[]{0.0});
            assertThat(strip).isEqualTo(back.image());
            // the tuning graph's own image (a static batch of 1 may take the fused modulated conv) agrees to float rounding
            assertThat(PtiFixtures.mse(strip, target.image())).isCloseTo(r.finalLoss(PivotalTuning.L2), org.assertj.core.data.Offset.offset(1e-5));

            assertThatThrownBy(() -> Methods.builtIn().create("pti", MethodContext.of(g).withSteps(2).withOptions(Map.of())))
                    .hasMessageContaining("LPIPS");
        }
    }
}
