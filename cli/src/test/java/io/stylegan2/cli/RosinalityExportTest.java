package io.stylegan2.cli;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.Latent;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.Reconstruction;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Timing;
import io.stylegan2.stylegan.HookState;
import io.stylegan2.stylegan.NoiseMode;
import io.stylegan2.stylegan.SynthesisNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rosinality layout of a result with noise maps: the reconstruction's hook noise in synthesis layer order, [1,1,r,r]. */
class RosinalityExportTest {
    @Test
    void noiseMapsFollowLayerOrder() {
        Map<String, INDArray> maps = new LinkedHashMap<>();
        for (String l : List.of("b8.conv1", "b16.conv0", "b4.conv1", "b8.conv0")) {
            int r = SynthesisNetwork.resolutionOf(l);
            maps.put(l, Nd4j.ones(DataType.FLOAT, 1, 1, r, r).muli(l.hashCode()));
        }
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16);
        Reconstruction rec = new Reconstruction(new Latent(LatentSpace.W, Nd4j.rand(DataType.FLOAT, 1, 6, 8), Map.of()),
                HookState.of(NoiseMode.CONST).withNoise(maps), Map.of(), Map.of("noise/b4.conv1", Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4)));
        InversionResult r = new InversionResult("w", "img", rec, image, Map.of(), List.of(),
                new ReconstructionMetrics(0, 0, 0, 0, null, null), new Timing(0, 0, 0, 0), List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> item = (Map<String, Object>) InvertCommand.rosinalityResult(r).get("img");
        @SuppressWarnings("unchecked")
        List<INDArray> noise = (List<INDArray>) item.get("noise");
        List<String> order = List.of("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0");
        assertThat(noise).as("the hooks' maps only, not extras").hasSize(4);
        for (int i = 0; i < 4; i++) {
            int res = SynthesisNetwork.resolutionOf(order.get(i));
            assertThat(noise.get(i).shape()).containsExactly(1, 1, res, res);
            assertThat(noise.get(i).getDouble(0)).isEqualTo((double) (float) order.get(i).hashCode());
        }
        assertThat(((INDArray) item.get("latent")).shape()).containsExactly(6, 8);
        assertThat(((INDArray) item.get("img")).shape()).containsExactly(3, 16, 16);
    }
}
