package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stylegan2.stylegan.Generator;
import io.stylegan2.stylegan.GeneratorConfig;
import io.stylegan2.stylegan.NativeModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code info MODEL}: config, parameter counts and {@code num_ws} of a native model, as JSON. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a model's config, parameter counts (G mapping / synthesis, D) and num_ws as JSON.")
final class InfoCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "native model file (.safetensors)")
    Path model;

    @Override
    public Integer call() throws Exception {
        Cli.requireReadableFile(spec, model, "MODEL");
        NativeModel m = NativeModel.read(model);
        long reported;
        try (Generator g = Generator.create(m.generatorConfig(), m.generator())) {
            reported = g.parameterCount();
        }
        spec.commandLine().getOut().println(toJson(model, m, reported));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * @param reported the generator's parameter count as the library reports it (next to the analytic counts)
     */
    static String toJson(Path file, NativeModel m, long reported) throws Exception {
        GeneratorConfig cfg = m.generatorConfig();
        ParameterCounts pc = ParameterCounts.of(cfg);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("file", file == null ? null : file.toString());
        root.put("generator", cfg);
        root.put("num_ws", cfg.numWs());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("G_mapping", pc.mapping());
        params.put("G_synthesis", pc.synthesis());
        params.put("G_total", pc.total());
        params.put("G_reported", reported);
        params.put("D", m.discriminatorConfig() == null ? null : ParameterCounts.discriminator(m.discriminatorConfig()));
        root.put("parameters", params);
        root.put("discriminator", m.discriminatorConfig());
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }
}
