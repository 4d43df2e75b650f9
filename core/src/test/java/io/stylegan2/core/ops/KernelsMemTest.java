package io.stylegan2.core.ops;

import io.stylegan2.core.Seeds;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java kernels read and write native memory through NIO views, several of them for an array
 * over {@code Kernels.Mem.SEGMENT_BYTES} (1 GiB: an int-indexed buffer cannot span more than 2 GiB,
 * which config-f training at 256 px exceeds). With tiny views, whose borders fall inside rows,
 * every kernel gives bit for bit what it gives through one view: FIR forward and adjoint, on an
 * array and on a view with an offset, and bias + activation forward and backward, in float32 and
 * float64.
 */
class KernelsMemTest {
    private static final double[] FIR = {1 / 64.0, 3 / 64.0, 3 / 64.0, 1 / 64.0, 3 / 64.0, 9 / 64.0, 9 / 64.0, 3 / 64.0,
            3 / 64.0, 9 / 64.0, 9 / 64.0, 3 / 64.0, 1 / 64.0, 3 / 64.0, 3 / 64.0, 1 / 64.0};

    private static INDArray fir(INDArray x, int up, int down, int[] p, boolean adjoint) {
        if (adjoint) {
            INDArray dx = Nd4j.create(x.dataType(), x.size(0), x.size(1), x.size(2) * 2, x.size(3) * 2);
            FirKernels.adjoint(x, up, down, p, FIR, 4, 4, dx);
            return dx;
        }
        long h = FirKernels.outSize(x.size(2), up, down, p[2], p[3], 4, "height"), w = FirKernels.outSize(x.size(3), up, down, p[0], p[1], 4, "width");
        INDArray out = Nd4j.create(x.dataType(), x.size(0), x.size(1), h, w);
        FirKernels.forward(x, up, down, p, FIR, 4, 4, out);
        return out;
    }

    private static INDArray[] all(INDArray x) {
        INDArray view = x.get(NDArrayIndex.point(1)).reshape(1, x.size(1), x.size(2), x.size(3));
        INDArray b = Seeds.randn(5, x.dataType(), x.size(1)), dy = Seeds.randn(6, x.dataType(), x.shape());
        INDArray y = Nd4j.create(x.dataType(), x.shape()), dx = y.like(), db = Nd4j.create(x.dataType(), x.size(1));
        Kernels.biasActForward(x, b, 0.2, Math.sqrt(2), 1.5, y);
        Kernels.biasActBackward(y, dy, 0.2, Math.sqrt(2), 1.5, dx, db);
        return new INDArray[]{fir(x, 2, 1, new int[]{2, 1, 2, 1}, false), fir(x, 1, 2, new int[]{1, 1, 1, 1}, false),
                fir(view, 2, 1, new int[]{2, 1, 2, 1}, false), fir(x, 1, 2, new int[]{1, 1, 1, 1}, true), y, dx, db};
    }

    @Test
    void segmentedViewsGiveTheSameResults() {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Seeds.randn(11, dt, 3, 5, 9, 11);
            INDArray[] whole = all(x);
            long saved = Kernels.Mem.SEGMENT_BYTES;
            INDArray[] parts;
            try {
                Kernels.Mem.SEGMENT_BYTES = 7L * dt.width(); // 7 elements a view: borders inside rows
                parts = all(x);
            } finally {
                Kernels.Mem.SEGMENT_BYTES = saved;
            }
            for (int i = 0; i < whole.length; i++) {
                assertThat(parts[i]).as("%s result %d", dt, i).isEqualTo(whole[i]);
                assertThat(whole[i].amaxNumber().doubleValue()).as("%s result %d is not empty", dt, i).isPositive();
            }
        }
    }
}
