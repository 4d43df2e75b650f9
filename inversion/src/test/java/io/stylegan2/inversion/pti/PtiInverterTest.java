package io.stylegan2.inversion.pti;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.InversionResults;
import io.stylegan2.inversion.Methods;
import io.stylegan2.inversion.PerceptualLoss;
import io.stylegan2.inversion.Target;
import io.stylegan2.inversion.editing.Direction;
import io.stylegan2.inversion.editing.Edits;
import io.stylegan2.inversion.editing.Provenance;
import io.stylegan2.inversion.editing.ResultLatents;
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
            PerceptualLoss perceptual = PerceptualLoss.lpips(lpips);
            Methods.Context ctx = new Methods.Context(g, perceptual, 6, Map.of("pivot-steps", "8"));
            Target target = new Target("photo0", PtiFixtures.photo(0, 32));
            InversionResult r = Methods.builtIn().create("pti", ctx).invertOne(target, null, null);

            assertThat(r.method()).isEqualTo("pti");
            assertThat(r.extras().keySet()).anyMatch(k -> k.startsWith("delta/synthesis."));
            assertThat(r.config()).containsKey("drift_mse");
            assertThat((Double) r.config().get("drift_mse")).isGreaterThan(0.0).isFinite();
            // PTI improves on its pivot (the pivot's reconstruction is the generator on the pivot ws)
            double pivotMse = PtiFixtures.mse(g.synthesis(r.ws(), NoiseMode.CONST, 0), target.image());
            assertThat(PtiFixtures.mse(r.reconstruction(), target.image())).isLessThan(pivotMse);

            Path file = dir.resolve("pti.safetensors");
            InversionResults.save(r, file);
            InversionResult back = InversionResults.load(file);
            assertThat(back.extras().keySet()).isEqualTo(r.extras().keySet());

            ResultLatents latents = ResultLatents.read(file);
            assertThat(latents.deltas()).isNotEmpty();
            Direction d = Direction.w("zero", Nd4j.zeros(DataType.DOUBLE, g.config().wDim()), Provenance.of("test"));
            INDArray strip = Edits.strip(g, latents.ws(), d, new double[]{0.0}, NoiseMode.CONST, 0, latents.deltas());
            assertThat(strip.sub(r.reconstruction()).amaxNumber().doubleValue()).isLessThan(1e-5);

            assertThatThrownBy(() -> Methods.builtIn().create("pti", new Methods.Context(g, null, 2, Map.of())))
                    .hasMessageContaining("LPIPS");
        }
    }
}
