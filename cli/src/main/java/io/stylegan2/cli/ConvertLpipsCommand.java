package io.stylegan2.cli;

import io.stylegan2.converter.LpipsConverter;
import io.stylegan2.losses.lpips.LpipsNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code convert-lpips}: torchvision trunk + official LPIPS linear heads to one native LPIPS file. */
@Command(name = "convert-lpips", mixinStandardHelpOptions = true,
        description = {"Convert LPIPS v0.1 weights (a torchvision trunk .pth and the official lin-head .pth) to a native file.",
                "Trunks: torchvision alexnet-owt-7be5be79.pth, vgg16-397923af.pth, squeezenet1_1-b8a52dc0.pth;",
                "heads: the LPIPS repository's lpips/weights/v0.1/{alex,vgg,squeeze}.pth. Nothing is downloaded."})
final class ConvertLpipsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--net", required = true, paramLabel = "alex|vgg|squeeze", description = "trunk")
    String net;

    @Option(names = "--backbone", required = true, paramLabel = "FILE.pth", description = "torchvision trunk weights")
    Path backbone;

    @Option(names = "--lin", required = true, paramLabel = "FILE.pth", description = "LPIPS v0.1 linear heads")
    Path lin;

    @Parameters(index = "0", paramLabel = "OUT", description = "native LPIPS file to write (.safetensors)")
    Path out;

    @Override
    public Integer call() throws Exception {
        LpipsNet n;
        try {
            n = LpipsNet.parse(net);
        } catch (IllegalArgumentException e) {
            throw Cli.usage(spec, "--net: " + e.getMessage());
        }
        Cli.requireReadableFile(spec, backbone, "--backbone");
        Cli.requireReadableFile(spec, lin, "--lin");
        LpipsConverter.convert(n, backbone, lin, out).close();
        spec.commandLine().getOut().println("wrote " + out + " (LPIPS v0.1, " + n.id() + ")");
        return 0;
    }
}
