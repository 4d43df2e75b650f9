package io.stylegan2.training.data;

import io.stylegan2.core.SampleOrder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches of real images for the training iterations, prepared on a background thread.
 *
 * <p>The batch of iteration {@code i} holds samples {@code i * batch .. (i + 1) * batch - 1} of the
 * run's {@link SampleOrder}, a pure function of the seed, so a resumed run sees exactly the batches
 * an uninterrupted run would have. The thread stays a few batches ahead ({@value #AHEAD}).
 *
 * <p><b>Thread safety:</b> Not thread-safe for consumers: call {@link #take} (and
 * {@link #nextIteration}) from one thread; {@link #close} may be called from any thread. The
 * producer thread only reads the dataset, so several loaders may share one {@link ImageDataset}.
 */
public final class BatchLoader implements AutoCloseable {
    static final int AHEAD = 3;

    private final ImageDataset data;
    private final int batch;
    private final SampleOrder order;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread thread;
    private volatile boolean closed;
    private int next;

    /**
     * @param first the first iteration to deliver (a resumed run's)
     */
    public BatchLoader(ImageDataset data, int batch, boolean xflip, long seed, int first) {
        this.data = data;
        this.batch = batch;
        this.order = new SampleOrder(data.size(), seed, xflip);
        this.next = first;
        int start = first;
        thread = new Thread(() -> produce(start), "stylegan2-batches");
        thread.setDaemon(true);
        thread.start();
    }

    private void produce(int first) {
        try {
            for (int i = first; !closed; i++) {
                Object b;
                try {
                    b = make(i);
                } catch (RuntimeException | Error e) {
                    b = e;
                }
                while (!closed && !queue.offer(b, 100, TimeUnit.MILLISECONDS)) { /* wait for room */ }
                if (b instanceof Throwable) return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The batch of iteration {@code i}: {@code [batch, C, R, R]} float32 in [-1, 1]. */
    public INDArray batch(int i) {
        return Nd4j.create(values(i), new long[]{batch, data.channels(), data.resolution(), data.resolution()}, DataType.FLOAT);
    }

    /** As {@link #batch}, computed on the calling thread (for checks). */
    float[] values(int i) {
        int n = data.channels() * data.resolution() * data.resolution();
        float[] out = new float[batch * n];
        for (int j = 0; j < batch; j++) {
            long k = (long) i * batch + j;
            data.copyTo(order.item(k), order.flipped(k), out, j * n);
        }
        return out;
    }

    private INDArray make(int i) {
        return batch(i);
    }

    /** The next iteration's batch, from the background thread (iterations are delivered in order). */
    public INDArray take() throws InterruptedException {
        Object b = queue.take();
        if (b instanceof RuntimeException e) throw e;
        if (b instanceof Error e) throw e;
        next++;
        return (INDArray) b;
    }

    /** The iteration {@link #take()} delivers next. */
    public int nextIteration() {
        return next;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
