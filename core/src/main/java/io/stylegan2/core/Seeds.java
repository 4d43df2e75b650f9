package io.stylegan2.core;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Seeded latent sampling identical to NVlabs {@code generate.py}:
 * {@code np.random.RandomState(seed).randn(1, z_dim)}.
 *
 * <p>This re-implements numpy's legacy {@code RandomState}: MT19937 seeded with
 * {@code init_genrand(seed)}, 53-bit doubles from two 32-bit draws, and the polar Box&ndash;Muller
 * method of numpy's {@code legacy_gauss} (which returns the second value of each pair first and
 * caches the other). Values are produced in float64 and cast to float32, as the NVlabs mapping
 * network does ({@code z.to(torch.float32)}).
 *
 * <p>Also parses seed lists such as {@code "1-8"} or {@code "1,3,5-7"}.
 *
 * <p>Hand-written: no JVM library reproduces numpy's legacy {@code RandomState} Gaussian stream,
 * and seed-for-seed parity with NVlabs' scripts needs exactly that stream.
 *
 * <p><b>Thread safety:</b> The static methods are stateless and safe to call from any thread (each
 * builds its own generator; a {@link java.util.SplittableRandom} passed in must not be shared between
 * threads). {@link RandomState} instances are mutable and not thread-safe.
 */
public final class Seeds {
    /** Largest seed numpy's RandomState accepts ({@code 2^32 - 1}). */
    public static final long MAX_SEED = 0xFFFF_FFFFL;

    private Seeds() {}

    /**
     * numpy's legacy {@code RandomState}: MT19937 + {@code legacy_gauss}.
     *
     * <p><b>Thread safety:</b> Not thread-safe (mutable generator state): use one instance per thread.
     */
    public static final class RandomState {
        private static final int N = 624, M = 397;
        private final int[] mt = new int[N];
        private int pos;
        private boolean hasGauss;
        private double gauss;

        /** {@code np.random.RandomState(seed)} for an integer seed in {@code [0, 2^32 - 1]}. */
        public RandomState(long seed) {
            checkSeed(seed);
            long s = seed & 0xFFFF_FFFFL;
            for (int i = 0; i < N; i++) {
                mt[i] = (int) s;
                s = (1812433253L * (s ^ (s >>> 30)) + i + 1) & 0xFFFF_FFFFL;
            }
            pos = N;
        }

        private void generate() {
            for (int i = 0; i < N; i++) {
                int y = (mt[i] & 0x8000_0000) | (mt[(i + 1) % N] & 0x7FFF_FFFF);
                int v = mt[(i + M) % N] ^ (y >>> 1);
                if ((y & 1) != 0) v ^= 0x9908_B0DF;
                mt[i] = v;
            }
            pos = 0;
        }

        /** Next raw 32-bit output, as an unsigned value. */
        public long nextInt32() {
            if (pos >= N) generate();
            int y = mt[pos++];
            y ^= (y >>> 11);
            y ^= (y << 7) & 0x9D2C_5680;
            y ^= (y << 15) & 0xEFC6_0000;
            y ^= (y >>> 18);
            return y & 0xFFFF_FFFFL;
        }

        /** {@code random_sample()}: a 53-bit double in {@code [0, 1)}. */
        public double nextDouble() {
            long a = nextInt32() >>> 5, b = nextInt32() >>> 6;
            return (a * 67108864.0 + b) / 9007199254740992.0;
        }

        /** {@code standard_normal()} via numpy's {@code legacy_gauss}. */
        public double nextGaussian() {
            if (hasGauss) {
                hasGauss = false;
                double g = gauss;
                gauss = 0;
                return g;
            }
            double x1, x2, r2;
            do {
                x1 = 2.0 * nextDouble() - 1.0;
                x2 = 2.0 * nextDouble() - 1.0;
                r2 = x1 * x1 + x2 * x2;
            } while (r2 >= 1.0 || r2 == 0.0);
            double f = Math.sqrt(-2.0 * Math.log(r2) / r2);
            gauss = f * x1;
            hasGauss = true;
            return f * x2;
        }

        /** {@code randn(n)}. */
        public double[] randn(int n) {
            double[] out = new double[n];
            for (int i = 0; i < n; i++) out[i] = nextGaussian();
            return out;
        }
    }

    /** {@code np.random.RandomState(seed).randn(n)} in float64. */
    public static double[] randn(long seed, int n) {
        return new RandomState(seed).randn(n);
    }

    /**
     * Latents for a list of seeds, one row per seed, each {@code RandomState(seed).randn(1, zDim)}.
     *
     * @return {@code [N, zDim]} float32
     */
    public static INDArray z(long[] seeds, int zDim) {
        if (zDim <= 0) throw new IllegalArgumentException("zDim must be > 0, got " + zDim);
        float[] buf = new float[seeds.length * zDim];
        for (int i = 0; i < seeds.length; i++) {
            double[] row = randn(seeds[i], zDim);
            for (int j = 0; j < zDim; j++) buf[i * zDim + j] = (float) row[j];
        }
        return Nd4j.create(buf, new long[]{seeds.length, zDim}, DataType.FLOAT);
    }

    /**
     * Parses a seed list: comma-separated items, each a seed {@code a} or an inclusive range
     * {@code a-b} with {@code a <= b}; whitespace around items is ignored; order is kept and
     * duplicates are dropped. Examples: {@code "1-8"}, {@code "1,3,5-7"}.
     *
     * @throws IllegalArgumentException naming the offending item
     */
    public static long[] parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty seed list");
        Set<Long> out = new LinkedHashSet<>();
        for (String raw : spec.split(",", -1)) {
            String item = raw.trim();
            if (item.isEmpty()) throw new IllegalArgumentException("empty item in seed list '" + spec + "'");
            int dash = item.indexOf('-', 1);
            try {
                if (dash < 0) {
                    out.add(checkSeed(Long.parseLong(item)));
                } else {
                    long a = checkSeed(Long.parseLong(item.substring(0, dash).trim()));
                    long b = checkSeed(Long.parseLong(item.substring(dash + 1).trim()));
                    if (a > b) throw new IllegalArgumentException("descending seed range '" + item + "' in '" + spec + "'");
                    if (b - a >= 10_000_000) throw new IllegalArgumentException("seed range '" + item + "' is too long (max 10,000,000 seeds)");
                    for (long s = a; s <= b; s++) out.add(s);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid seed '" + item + "' in '" + spec + "' (expected N or A-B)");
            }
        }
        long[] r = new long[out.size()];
        int i = 0;
        for (long s : out) r[i++] = s;
        return r;
    }

    /** {@link #parse} to a list. */
    public static List<Long> parseList(String spec) {
        List<Long> l = new ArrayList<>();
        for (long s : parse(spec)) l.add(s);
        return l;
    }

    private static long checkSeed(long seed) {
        if (seed < 0 || seed > MAX_SEED)
            throw new IllegalArgumentException("seed " + seed + " out of range [0, " + MAX_SEED + "] (numpy RandomState)");
        return seed;
    }

    /**
     * A seed for step {@code step} of a run seeded {@code seed} (SplitMix64 finaliser of a
     * combination of the two): the loops that must be resumable draw step {@code i}'s random
     * numbers from {@code new SplittableRandom(mix(seed, i))}, so a resumed run draws what an
     * uninterrupted one would.
     */
    public static long mix(long seed, long step) {
        long x = seed * 0x9E3779B97F4A7C15L + step + 0x632BE59BD9B4E019L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /**
     * A seeded array of standard normal values: the same seed gives the same array, in any process
     * and thread. Use this, not {@code Nd4j.getRandom().setSeed(s); Nd4j.randn(...)}: with ND4J
     * 1.0.0-M2.1's native generator on the CPU backend that pair does not repeat, not even twice in a
     * row in one thread (measured: {@code setSeed(0)} then a 64x64 {@code randn}, three times, gave
     * three different sums), so seeded initialisations and latents draw from Java's
     * {@link java.util.SplittableRandom} here.
     */
    public static INDArray randn(long seed, DataType type, long... shape) {
        return randn(new java.util.SplittableRandom(seed), type, shape);
    }

    /** The next standard normal array of {@code shape} from {@code r} (see {@link #randn(long, DataType, long...)}). */
    public static INDArray randn(java.util.SplittableRandom r, DataType type, long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + java.util.Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + java.util.Arrays.toString(shape) + " has too many elements");
        float[] v = gaussian(r, (int) n);
        return Nd4j.create(v, shape, DataType.FLOAT).castTo(type);
    }

    /** {@code n} standard normal floats from {@code r} (Box-Muller, one value per pair of uniforms). */
    public static float[] gaussian(java.util.SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            double u1 = r.nextDouble(), u2 = r.nextDouble();
            v[i] = (float) (Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
        }
        return v;
    }
}
