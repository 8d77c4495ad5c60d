using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.CompilerServices;

namespace Pade.Training.Cli;

/// <summary>
/// Longer help text and examples for a command, printed after System.CommandLine's own help (whose command list
/// shows only the one-line <see cref="Command.Description"/>).
/// </summary>
public static class CommandHelp
{
    static readonly ConditionalWeakTable<Command, string> Extra = new();

    /// <summary>Attaches <paramref name="text"/> (details, then "Examples:" lines) to <paramref name="cmd"/>.</summary>
    public static T With<T>(this T cmd, string text) where T : Command
    {
        Extra.AddOrUpdate(cmd, text);
        return cmd;
    }

    /// <summary>Makes the root's --help print a command's extra text after the standard help.</summary>
    public static void Install(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().First();
        if (help.Action is HelpAction inner) help.Action = new WithExamples(inner);
    }

    /// <summary>Whether a parse result's action is (our wrapper of) the help action.</summary>
    public static bool IsHelp(CommandLineAction? action) => action is HelpAction or WithExamples;

    sealed class WithExamples(HelpAction inner) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            int rc = inner.Invoke(parseResult);
            if (Extra.TryGetValue(parseResult.CommandResult.Command, out var text))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine(text.TrimEnd());
                output.WriteLine();
            }
            return rc;
        }
    }
}
