package io.stylegan2.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code stylegan2} command line: {@code convert}, {@code info}, {@code generate}, {@code style-mix}, {@code interpolate},
 * {@code metrics}, {@code convert-lpips}, {@code invert}, {@code directions}, {@code edit},
 * {@code padding}, {@code subspaces}, {@code subspace-swap}, {@code train-encoder}, {@code train}, {@code train-classifier}, {@code evaluate};
 * {@code --threads} is accepted by every one.
 * Commands call the library directly; the options they share ({@code --model}, {@code --out},
 * the LPIPS and noise options) are picocli mixins ({@link ModelOption}, {@link OutputOption},
 * {@link LpipsOptions}, {@link NoiseOptions}).
 *
 * <p>Exit codes: 0 success, 1 runtime failure (one-line message on stderr; the stack trace too
 * when the environment variable {@code STYLEGAN2_DEBUG} is set), 2 bad arguments (picocli usage
 * error, with the message naming the option or file).
 *
 * <p><b>Thread safety:</b> Not thread-safe: an instance holds picocli's parsed state;
 * {@link #commandLine()} builds a fresh one per call, so use one command line per execution and
 * thread.
 */
@Command(name = "stylegan2",
        mixinStandardHelpOptions = true,
        version = "stylegan2 0.1.0-SNAPSHOT",
        description = "StyleGAN2 on the JVM: convert checkpoints, inspect models, generate images, invert and edit images, train models and encoders, measure image metrics.",
        subcommands = {ConvertCommand.class, InfoCommand.class, GenerateCommand.class, MetricsCommand.class, ConvertLpipsCommand.class,
                InvertCommand.class, DirectionsCommand.class, EditCommand.class, PaddingCommand.class, SubspacesCommand.class, SubspaceSwapCommand.class, StyleMixCommand.class, InterpolateCommand.class, TrainEncoderCommand.class, TrainInvertibilityCommand.class, TrainCommand.class, TrainClassifierCommand.class, EvaluateCommand.class,
                CommandLine.HelpCommand.class})
public final class StyleGan2Cli implements Runnable {
    /** Classpath location of the model used when a command gets no {@code --model}: the Fashion-MNIST model of {@link io.stylegan2.stylegan.PretrainedModels}. */
    public static final String DEFAULT_MODEL_RESOURCE = io.stylegan2.stylegan.PretrainedModels.FASHION_MNIST_32;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** {@code --threads N}, accepted by every command (applied as soon as it is parsed). */
    @CommandLine.Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT, paramLabel = "N",
            description = "threads for the numeric work (default: the cores not busy with other work, or OMP_NUM_THREADS when set)")
    void setThreads(int n) {
        if (n < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be >= 1, got " + n);
        io.stylegan2.core.engine.Threads.set(n);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: one of convert, info, generate, style-mix, interpolate, metrics, convert-lpips, invert, directions, edit, padding, subspaces, subspace-swap, train-encoder, train, train-classifier, evaluate");
    }

    /** A configured command line (case-insensitive enums, clean error output). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new StyleGan2Cli());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(StyleGan2Cli::handleExecutionException);
        return cl;
    }

    /** Prints {@code error: message} (and causes) instead of a stack trace; stack trace with STYLEGAN2_DEBUG set. */
    static int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        err.println("error: " + message(ex));
        for (Throwable c = ex.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !message(ex).contains(c.getMessage())) err.println("  caused by: " + message(c));
        }
        if (System.getenv("STYLEGAN2_DEBUG") != null) ex.printStackTrace(err);
        err.flush();
        return cl.getCommandSpec().exitCodeOnExecutionException();
    }

    private static String message(Throwable t) {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public static void main(String[] args) {
        System.exit(withDefaultThreads(commandLine(), System.getenv("OMP_NUM_THREADS") != null).execute(args));
    }

    /**
     * Sets the default thread count when a command is about to run, so help and usage errors load no
     * native code: nothing when {@code --threads} was given or {@code ompSet} (ND4J reads
     * {@code OMP_NUM_THREADS} itself), else {@link io.stylegan2.core.engine.Threads#freeCores()}.
     */
    static CommandLine withDefaultThreads(CommandLine cl, boolean ompSet) {
        cl.setExecutionStrategy(parsed -> {
            List<CommandLine> cmds = parsed.asCommandLineList();
            boolean help = cmds.stream().anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested());
            boolean given = cmds.stream().anyMatch(c -> c.getParseResult() != null && c.getParseResult().hasMatchedOption("--threads"));
            if (!help && !given && !ompSet) io.stylegan2.core.engine.Threads.set(io.stylegan2.core.engine.Threads.freeCores());
            return new CommandLine.RunLast().execute(parsed);
        });
        return cl;
    }
}
