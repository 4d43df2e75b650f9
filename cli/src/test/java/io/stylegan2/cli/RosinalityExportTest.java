package io.stylegan2.cli;

import io.stylegan2.inversion.InversionResult;
import io.stylegan2.inversion.LatentSpace;
import io.stylegan2.inversion.ReconstructionMetrics;
import io.stylegan2.inversion.Timing;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rosinality layout of a result with noise maps: noise in synthesis layer order, reshaped [1,1,r,r]. */
class RosinalityExportTest {
    @Test
    void noiseMapsFollowLayerOrder() {
        Map<String, INDArray> extras = new LinkedHashMap<>();
        for (String l : List.of("b8.conv1", "b16.conv0", "b4.conv1", "b8.conv0")) {
            int r = io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(l);
            extras.put("noise/" + l, Nd4j.ones(DataType.FLOAT, r, r).muli(l.hashCode()));
        }
        INDArray recon = Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16);
        InversionResult r = new InversionResult("w", "img", LatentSpace.W, Nd4j.rand(DataType.FLOAT, 1, 6, 8), recon, extras,
                Map.of(), List.of(), new ReconstructionMetrics(0, 0, 0, 0, "", Double.NaN), new Timing(0, 0, 0, 0), List.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> item = (Map<String, Object>) InvertCommand.rosinalityResult(r).get("img");
        @SuppressWarnings("unchecked")
        List<INDArray> noise = (List<INDArray>) item.get("noise");
        List<String> order = List.of("b4.conv1", "b8.conv0", "b8.conv1", "b16.conv0");
        assertThat(noise).hasSize(4);
        for (int i = 0; i < 4; i++) {
            int res = io.stylegan2.stylegan.SynthesisNetwork.resolutionOf(order.get(i));
            assertThat(noise.get(i).shape()).containsExactly(1, 1, res, res);
            assertThat(noise.get(i).getDouble(0)).isEqualTo((double) (float) order.get(i).hashCode());
        }
        assertThat(((INDArray) item.get("latent")).shape()).containsExactly(6, 8);
    }
}
