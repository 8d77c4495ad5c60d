using System.CommandLine;
using Pade.Training.Runs;

namespace Pade.Training.Cli;

/// <summary>The options shared by `train`, `compare` and `prune`, and their reading into a <see cref="RunConfig"/>.</summary>
public sealed class TrainOptions
{
    static readonly RunConfig D = new();

    public Option<string> Model { get; } = new("--model")
    {
        Description = $"Network: {string.Join(" | ", ModelZoo.Models)}", DefaultValueFactory = _ => D.Model,
    };
    public Option<string> Act { get; } = new("--act")
    {
        Description = "Activation: pau | rpau | relu | relu6 | lrelu[:SLOPE] | elu | celu | swish | prelu | ... (pau:B for another PAU version)",
        DefaultValueFactory = _ => D.Act,
    };
    public Option<string> Data { get; } = new("--data")
    {
        Description = "Data set: mnist (embedded) | fashion | cifar10", DefaultValueFactory = _ => D.Data,
    };
    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "Folder holding the data set files" };
    public Option<int> Epochs { get; } = new("--epochs") { Description = "Epochs to train", DefaultValueFactory = _ => D.Epochs };
    public Option<int> Batch { get; } = new("--batch") { Description = "Training batch size", DefaultValueFactory = _ => D.Batch };
    public Option<string> Opt { get; } = new("--opt") { Description = "Optimizer: adam | adamw | sgd | rmsprop | adagrad | adamax | adadelta | nadam | radam | asgd | rprop (PyTorch's defaults for what is not given)", DefaultValueFactory = _ => D.Opt };
    public Option<double?> Lr { get; } = new("--lr") { Description = "Learning rate [default: adam 0.004 for lenet, else 0.001; sgd, rmsprop, adagrad, asgd, rprop 0.01; adamax, nadam 0.002; radam 0.001; adadelta 1.0]" };
    public Option<double?> PauLr { get; } = new("--pau-lr")
    {
        Description = "Learning rate of the activation parameters (own group, no weight decay, no schedule) [default: --lr]",
    };
    public Option<double?> Momentum { get; } = new("--momentum") { Description = "Momentum of sgd and rmsprop [default: sgd 0.9, rmsprop 0]" };
    public Option<double> WeightDecay { get; } = new("--weight-decay")
    {
        Description = "L2 weight decay of the non-activation parameters", DefaultValueFactory = _ => D.WeightDecay,
    };
    public Option<string> Schedule { get; } = new("--schedule")
    {
        Description = "Learning-rate schedule: constant | exp:GAMMA | step:SIZE:GAMMA | multistep:M1,M2[:GAMMA] | cosine[:EPOCHS] | linear[:START[:EPOCHS]] | poly[:POWER[:EPOCHS]] | warmrestarts:T0[:TMULT] (per epoch) | onecycle[:PCT[:DIV[:FINALDIV]]] (per batch, --lr is the peak)",
        DefaultValueFactory = _ => D.Schedule,
    };
    public Option<double?> ClipGrad { get; } = new("--clip-grad")
    {
        Description = "Scale the gradients down so their joint L2 norm is at most this (the official PAU MNIST script: 5) [default: off]",
    };
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed of weights, data order and augmentation", DefaultValueFactory = _ => D.Seed };
    public Option<int?> Threads { get; } = new("--threads") { Description = "CPU threads for the kernels [default: all cores]" };
    public Option<string> Device { get; } = new("--device") { Description = "cpu | cuda", DefaultValueFactory = _ => D.Device };
    public Option<int?> Limit { get; } = new("--limit") { Description = "Use only the first N training and N test images (quick runs)" };
    public Option<string> Augment { get; } = new("--augment")
    {
        Description = "Random crop + flip: auto (on for cifar10) | on | off", DefaultValueFactory = _ => "auto",
    };

    /// <summary>Adds the options to <paramref name="cmd"/>; <paramref name="withAct"/> false for `compare`.</summary>
    public void AddTo(Command cmd, bool withAct = true)
    {
        cmd.Add(Model);
        if (withAct) cmd.Add(Act);
        cmd.Add(Data);
        cmd.Add(DataDir);
        cmd.Add(Epochs);
        cmd.Add(Batch);
        cmd.Add(Opt);
        cmd.Add(Lr);
        cmd.Add(PauLr);
        cmd.Add(Momentum);
        cmd.Add(WeightDecay);
        cmd.Add(Schedule);
        cmd.Add(ClipGrad);
        cmd.Add(Seed);
        cmd.Add(Threads);
        cmd.Add(Device);
        cmd.Add(Limit);
        cmd.Add(Augment);
        Model.AcceptOnlyFromAmong([.. ModelZoo.Models]);
        Opt.AcceptOnlyFromAmong("adam", "adamw", "sgd", "rmsprop", "adagrad", "adamax", "adadelta", "nadam", "radam", "asgd", "rprop");
        Augment.AcceptOnlyFromAmong("auto", "on", "off");
    }

    /// <summary>The configuration the command line asks for (validated: bad values are usage errors).</summary>
    public RunConfig Read(ParseResult p)
    {
        var c = new RunConfig
        {
            Model = p.GetValue(Model)!,
            Act = p.GetValue(Act) ?? D.Act,
            Data = PadeCli.Check(() => Datasets.DatasetCatalog.Canonical(p.GetValue(Data)!)),
            DataDir = p.GetValue(DataDir),
            Epochs = p.GetValue(Epochs),
            Batch = p.GetValue(Batch),
            Opt = p.GetValue(Opt)!,
            Lr = p.GetValue(Lr),
            PauLr = p.GetValue(PauLr),
            Momentum = p.GetValue(Momentum),
            WeightDecay = p.GetValue(WeightDecay),
            Schedule = p.GetValue(Schedule)!,
            ClipGrad = p.GetValue(ClipGrad),
            Seed = p.GetValue(Seed),
            Threads = p.GetValue(Threads),
            Device = p.GetValue(Device)!,
            Limit = p.GetValue(Limit),
            Augment = p.GetValue(Augment) switch { "on" => true, "off" => false, _ => null },
        };
        PadeCli.Check(() => { Engine.Device.Parse(c.Device); return 0; });
        PadeCli.Check(() => { TrainingRun.Validate(c.Resolve()); return 0; });
        return c;
    }

    /// <summary>Whether the user wrote the option (rather than getting its default).</summary>
    public static bool Given(ParseResult p, Option o) => p.GetResult(o) is { Implicit: false };
}
