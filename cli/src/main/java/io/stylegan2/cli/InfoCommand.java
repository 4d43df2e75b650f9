package io.stylegan2.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.stylegan2.stylegan.GeneratorConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
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
    @ParentCommand StyleGan2Cli parent;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "native model file (.safetensors)")
    Path model;

    @Override
    public Integer call() throws Exception {
        Cli.requireReadableFile(spec, model, "MODEL");
        try (ModelBackend.GeneratorModel g = parent.backend.load(model)) {
            spec.commandLine().getOut().println(toJson(model, g));
            spec.commandLine().getOut().flush();
        }
        return 0;
    }

    static String toJson(Path file, ModelBackend.GeneratorModel g) throws Exception {
        GeneratorConfig cfg = g.config();
        ParameterCounts pc = ParameterCounts.of(cfg);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("file", file == null ? null : file.toString());
        root.put("generator", cfg);
        root.put("num_ws", cfg.numWs());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("G_mapping", pc.mapping());
        params.put("G_synthesis", pc.synthesis());
        params.put("G_total", pc.total());
        params.put("G_reported", g.parameterCount());
        params.put("D", g.discriminatorConfig().map(ParameterCounts::discriminator).orElse(null));
        root.put("parameters", params);
        root.put("discriminator", g.discriminatorConfig().orElse(null));
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    }
}
