package io.stylegan2.core;


import java.util.SplittableRandom;

/**
 * The order in which a run visits a dataset of {@code n} items, as a pure function of the seed:
 * sample {@code k} of the run is item {@code perm_e[k mod n]} of epoch {@code e = k / n} (a
 * Fisher-Yates permutation seeded by {@code (seed, e)}), mirrored left-right with probability 1/2
 * (seeded by {@code (seed, k)}) when flips are on. A resumed run therefore visits exactly what an
 * uninterrupted one would.
 *
 * <p><b>Thread safety:</b> Thread-safe: {@link #item} is {@code synchronized} (it caches the
 * current epoch's permutation) and {@link #flipped} is stateless.
 */
public final class SampleOrder {
    private static final long FLIP_STREAM = 0x5DEECE66DL;

    private final int n;
    private final long seed;
    private final boolean flips;
    private long epoch = -1;
    private int[] perm;

    public SampleOrder(int n, long seed, boolean flips) {
        if (n < 1) throw new IllegalArgumentException("no items to visit");
        this.n = n;
        this.seed = seed;
        this.flips = flips;
    }

    /** The item of sample {@code k}. */
    public synchronized int item(long k) {
        long e = k / n;
        if (e != epoch) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            SplittableRandom r = new SplittableRandom(Seeds.mix(seed, e));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
            perm = p;
            epoch = e;
        }
        return perm[(int) (k % n)];
    }

    /** Whether sample {@code k} is mirrored. */
    public boolean flipped(long k) {
        return flips && new SplittableRandom(Seeds.mix(seed ^ FLIP_STREAM, k)).nextInt(2) == 1;
    }
}
