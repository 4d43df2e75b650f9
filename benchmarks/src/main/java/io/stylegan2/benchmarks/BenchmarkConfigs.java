package io.stylegan2.benchmarks;

import io.stylegan2.stylegan.DiscriminatorConfig;
import io.stylegan2.stylegan.GeneratorConfig;

import java.util.Map;

/**
 * Generator configs the benchmarks run on.
 *
 * <p><b>Thread safety:</b> Stateless; every method is safe to call from any thread and returns
 * immutable configs.
 */
public final class BenchmarkConfigs {
    private BenchmarkConfigs() {}

    /**
     * The 32&sup2; test fixture: channels {4: 64, 8: 64, 16: 64, 32: 32}, RGB. z/w sizes and the
     * mapping depth (64, 64, 2) do not affect synthesis timing.
     */
    public static GeneratorConfig fixture32() {
        return new GeneratorConfig(64, 64, 2, 0.01, 32, 3, Map.of(4, 64, 8, 64, 16, 64, 32, 32), null, null, "skip");
    }

    /**
     * NVlabs' {@code paper256} networks at 256&sup2;: channel table {@code min(16384 / res, 512)} (z = w = 512,
     * 8 mapping layers). Config-f ({@code channel_base} 32768) has twice the channels from 64 px up.
     */
    public static GeneratorConfig paper256() {
        return GeneratorConfig.nvlabs(512, 512, 8, 256, 3, 16384, 512);
    }

    /** The 16&sup2; rosinality fixture {@code ros_s16_c48}: channels {4: 48, 8: 32, 16: 16}, z = w = 32, 3 mapping layers. */
    public static GeneratorConfig fixture16() {
        return new GeneratorConfig(32, 32, 3, 0.01, 16, 3, Map.of(4, 48, 8, 32, 16, 16), null, null, "skip");
    }

    /** {@link #fixture16()} for 16, {@link #fixture32()} for 32, {@link #paper256()} for 256. */
    public static GeneratorConfig forResolution(int resolution) {
        return switch (resolution) {
            case 16 -> fixture16();
            case 32 -> fixture32();
            case 256 -> paper256();
            default -> throw new IllegalArgumentException("no benchmark config for resolution " + resolution + " (16, 32 or 256)");
        };
    }

    /**
     * 64&sup2; inversion config: z = w = 64, 2 mapping layers, channel table {@code min(8192 / res, 256)}
     * = {4..32: 256, 64: 128}. Small enough that a PTI step over all synthesis weights stays quick.
     */
    public static GeneratorConfig small64() {
        return GeneratorConfig.nvlabs(64, 64, 2, 64, 3, 8192, 256);
    }

    /** {@link InversionStepBenchmark} configs: {@link #fixture32()}, {@link #small64()}, {@link #paper256()}. */
    public static GeneratorConfig forInversion(int resolution) {
        return switch (resolution) {
            case 32 -> fixture32();
            case 64 -> small64();
            case 256 -> paper256();
            default -> throw new IllegalArgumentException("no inversion benchmark config for resolution " + resolution + " (32, 64 or 256)");
        };
    }

    /**
     * Discriminator ({@code resnet}) matching {@link #forResolution(int)}: 32 = the fixture channel
     * table {4: 64, 8: 64, 16: 64, 32: 32}, 256 = paper256 {@code min(16384 / res, 512)}; RGB,
     * minibatch-stddev group 4, 1 channel.
     */
    public static DiscriminatorConfig discriminator(int resolution) {
        return switch (resolution) {
            case 32 -> new DiscriminatorConfig(32, 3, fixture32().channels(), 4, 1, null, null, "resnet");
            case 256 -> DiscriminatorConfig.nvlabs(256, 3, 16384, 512);
            default -> throw new IllegalArgumentException("no discriminator benchmark config for resolution " + resolution + " (32 or 256)");
        };
    }
}
