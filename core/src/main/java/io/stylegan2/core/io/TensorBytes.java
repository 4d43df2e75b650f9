package io.stylegan2.core.io;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Conversions between raw, densely packed C-order element bytes and {@link INDArray}s. Shared by the
 * npy, safetensors and torch readers.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread, on arguments no
 * other thread uses ({@link #read} advances the position of the buffer it is given).
 * {@link ElementType} is immutable.
 */
public final class TensorBytes {
    private TensorBytes() {}

    /** Element types understood by the raw readers. */
    public enum ElementType {
        F64(8, DataType.DOUBLE), F32(4, DataType.FLOAT), F16(2, DataType.FLOAT), BF16(2, DataType.FLOAT),
        I64(8, DataType.LONG), I32(4, DataType.INT), I16(2, DataType.SHORT), I8(1, DataType.BYTE),
        U8(1, DataType.UBYTE), BOOL(1, DataType.BOOL);

        /** Bytes per element. */
        public final int size;
        /** ND4J type of the array it is read into (half types are widened to float32). */
        public final DataType target;

        ElementType(int size, DataType target) {
            this.size = size;
            this.target = target;
        }
    }

    /** Product of the dimensions (1 for a scalar). */
    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * Reads {@code numel(shape)} elements starting at the buffer's position (which is advanced)
     * with the given byte order, C order, into a new array of shape {@code shape} ({@code []} gives a
     * rank-0 scalar). F16/BF16 are widened to float32.
     */
    public static INDArray read(ByteBuffer src, ElementType type, long[] shape, ByteOrder order) {
        long n = numel(shape);
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: " + Arrays.toString(shape));
        int count = (int) n;
        ByteBuffer b = src.slice().order(order);
        if ((long) count * type.size > b.remaining())
            throw new IllegalArgumentException("need " + (long) count * type.size + " bytes for shape " + Arrays.toString(shape) + ", have " + b.remaining());
        src.position(src.position() + count * type.size);
        INDArray flat;
        switch (type) {
            case F64: { double[] a = new double[count]; b.asDoubleBuffer().get(a); flat = Nd4j.createFromArray(a); break; }
            case F32: { float[] a = new float[count]; b.asFloatBuffer().get(a); flat = Nd4j.createFromArray(a); break; }
            case F16: { float[] a = new float[count]; for (int i = 0; i < count; i++) a[i] = halfToFloat(b.getShort(2 * i)); flat = Nd4j.createFromArray(a); break; }
            case BF16: { float[] a = new float[count]; for (int i = 0; i < count; i++) a[i] = Float.intBitsToFloat((b.getShort(2 * i) & 0xffff) << 16); flat = Nd4j.createFromArray(a); break; }
            case I64: { long[] a = new long[count]; b.asLongBuffer().get(a); flat = Nd4j.createFromArray(a); break; }
            case I32: { int[] a = new int[count]; b.asIntBuffer().get(a); flat = Nd4j.createFromArray(a); break; }
            case I16: { short[] a = new short[count]; b.asShortBuffer().get(a); flat = Nd4j.createFromArray(a); break; }
            case I8: { byte[] a = new byte[count]; b.get(a); flat = Nd4j.createFromArray(a); break; }
            case U8: { byte[] a = new byte[count]; b.get(a); flat = Nd4j.createFromArray(a).castTo(DataType.UBYTE); break; }
            case BOOL: { boolean[] a = new boolean[count]; for (int i = 0; i < count; i++) a[i] = b.get(i) != 0; flat = Nd4j.createFromArray(a); break; }
            default: throw new IllegalStateException(type.toString());
        }
        return shapeAs(flat, shape, type.target);
    }

    /** Reshapes a flat array (C order) to {@code shape}, handling scalars and empty tensors. */
    public static INDArray shapeAs(INDArray flat, long[] shape, DataType type) {
        if (shape.length == 0) return Nd4j.scalar(type, flat.getDouble(0));
        if (flat.length() == 0) return Nd4j.create(type, shape);
        return flat.reshape('c', shape);
    }

    /** IEEE 754 half to float. */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            float v = mant / 1024f * (float) Math.pow(2, -14);
            return sign != 0 ? -v : v;
        }
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** The array's values as float32, C order. */
    public static float[] toFloats(INDArray a) {
        if (a.length() == 0) return new float[0];
        INDArray c = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        return c.dup('c').data().asFloat();
    }

    /** The array's values as float64, C order. */
    public static double[] toDoubles(INDArray a) {
        if (a.length() == 0) return new double[0];
        INDArray c = a.dataType() == DataType.DOUBLE ? a : a.castTo(DataType.DOUBLE);
        return c.dup('c').data().asDouble();
    }
}
