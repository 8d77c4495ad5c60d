using System.Diagnostics;
using Pade.Datasets;
using Pade.Engine;
using Pade.Layers;
using Pade.Training.Checkpoints;
using Pade.Training.Loop;
using Pade.Training.Optim;
using Pade.Training.Plots;

namespace Pade.Training.Runs;

/// <summary>Ways to adapt a <see cref="TrainingRun"/> beyond its <see cref="RunConfig"/> (other commands, tests).</summary>
public sealed record RunOptions
{
    public IRunReporter Reporter { get; init; } = SilentReporter.Instance;

    /// <summary>A checkpoint to continue from (its config should be the run's config).</summary>
    public LoadedCheckpoint? Resume { get; init; }

    /// <summary>Replaces <see cref="ModelZoo.CreateModel"/>: (activation factory, channels, classes) → model.</summary>
    public Func<Func<int, Module>, int, int, Module>? ModelFactory { get; init; }

    /// <summary>Weights loaded right after the model is built (the lottery ticket's θ₀ when pruning).</summary>
    public IReadOnlyDictionary<string, Tensor>? InitialWeights { get; init; }

    /// <summary>Called after every optimizer step (pruning re-applies its masks here).</summary>
    public Action<Module>? AfterStep { get; init; }

    /// <summary>Also called once before training, after the initial weights are set.</summary>
    public Action<Module>? BeforeTraining { get; init; }

    /// <summary>Write checkpoints/last and best (metrics.csv and summary.json are always written).</summary>
    public bool WriteCheckpoints { get; init; } = true;

    /// <summary>Also keep checkpoints/best (a sweep keeps only the last one: it resumes from it).</summary>
    public bool WriteBestCheckpoint { get; init; } = true;
    public bool WritePlots { get; init; } = true;

    /// <summary>Already loaded data (compare and prune reuse one copy across runs).</summary>
    public DatasetSplits? Data { get; init; }
}

/// <summary>
/// One training run as `pade train` performs it: data, model, optimizer with the activation parameters in their
/// own group, the epoch loop, and what a run leaves in its folder.
/// </summary>
/// <remarks>
/// <para>The folder (<see cref="OutDir"/>) receives, after every epoch: <c>metrics.csv</c> (see
/// <see cref="MetricsFile"/>), <c>summary.json</c>, <c>checkpoints/last</c> and, when the test accuracy improved,
/// <c>checkpoints/best</c> (see <see cref="Checkpoint"/>); at the end <c>loss.png</c> and <c>accuracy.png</c>.</para>
/// <para>Parameter groups (paper, Appendix A.4.1): the parameters of the activation layers (PAU coefficients,
/// PReLU slopes, ...) form the group <c>activations</c> with their own learning rate <c>--pau-lr</c>, no weight
/// decay, and a constant rate (exempt from <c>--schedule</c>); everything else is the group <c>default</c>.</para>
/// <para>Reproducibility: the weights are initialised from <see cref="Generator.Default"/> seeded with the run's
/// seed; the data order and augmentation depend only on (seed, epoch, batch). A checkpoint stores the generator's
/// position, the optimizer's state and step count, so a resumed run continues with exactly the numbers of an
/// uninterrupted one.</para>
/// </remarks>
public sealed class TrainingRun
{
    public const string ActivationGroup = "activations";
    public const string DefaultGroup = "default";

    readonly RunOptions _options;
    readonly List<EpochResult> _history = [];
    readonly Trainer _trainer;
    readonly DataLoader _train, _test;
    int _startEpoch, _bestEpoch = -1;
    double _bestTop1 = double.NaN;

    public TrainingRun(RunConfig config, string outDir, RunOptions? options = null)
    {
        _options = options ?? new RunOptions();
        Config = config.Resolve();
        Validate(Config);
        OutDir = Path.GetFullPath(outDir);
        if (Config.Threads is int threads) CpuBackend.Threads = threads;
        Device = DeviceSetup.Prepare(Config.Device);

        Data = _options.Data ?? DatasetCatalog.Load(Config.Data, Config.DataDir, Config.Limit);
        var norm = DatasetCatalog.Normalization(Config.Data);
        _train = new DataLoader(Data.Train, new DataLoaderOptions
        {
            BatchSize = Config.Batch, Shuffle = true, Seed = Config.Seed, Normalization = norm,
            Augment = Config.EffectiveAugment, Device = Device,
        });
        _test = new DataLoader(Data.Test, new DataLoaderOptions { BatchSize = Config.EvalBatch, Normalization = norm, Device = Device });

        (Model, ActivationModules) = BuildModel(Config, Data.Train.Channels, Data.Train.Classes, _options.ModelFactory);
        if (_options.InitialWeights is not null) Model.LoadStateDict(_options.InitialWeights);
        if (Device != Device.Cpu) Model.To(Device);
        Optimizer = BuildOptimizer(Config, Model, ActivationModules);
        var schedule = LrSchedule.Parse(Config.Schedule, Config.Epochs);
        _trainer = new Trainer(Model, Optimizer, schedule, g => g.Name == ActivationGroup) { ClipGradNorm = Config.ClipGrad };

        if (_options.Resume is { } ck) Restore(ck);
    }

    public RunConfig Config { get; }
    public string OutDir { get; }
    public Device Device { get; }
    public DatasetSplits Data { get; }
    public Module Model { get; }
    public Optimizer Optimizer { get; }

    /// <summary>The activation layers the model was built with, in construction order.</summary>
    public IReadOnlyList<Module> ActivationModules { get; }

    public IReadOnlyList<EpochResult> History => _history;
    public int StartEpoch => _startEpoch;
    public int TrainBatches => _train.BatchesPerEpoch;
    public int TrainSamples => _train.SamplesPerEpoch;

    /// <summary>Histograms of the PAU inputs during the last evaluation pass (empty before the last epoch ends).</summary>
    public InputHistograms Histograms { get; } = new();

    public static void Validate(RunConfig c)
    {
        if (c.Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {c.Epochs}");
        if (c.Batch < 1) throw new ArgumentException($"--batch must be at least 1, got {c.Batch}");
        if (c.EvalBatch < 1) throw new ArgumentException($"eval batch must be at least 1, got {c.EvalBatch}");
        if (c.Limit is < 1) throw new ArgumentException($"--limit must be at least 1, got {c.Limit}");
        if (c.Threads is < 1) throw new ArgumentException($"--threads must be at least 1, got {c.Threads}");
        if (!(c.EffectiveLr > 0)) throw new ArgumentException($"--lr must be positive, got {c.EffectiveLr}");
        if (!(c.EffectivePauLr >= 0)) throw new ArgumentException($"--pau-lr must be non-negative, got {c.EffectivePauLr}");
        if (c.ClipGrad is double clip && !(clip > 0)) throw new ArgumentException($"--clip-grad must be positive, got {clip}");
        if (c.WeightDecay < 0) throw new ArgumentException($"--weight-decay must be non-negative, got {c.WeightDecay}");
        if (c.Opt is not ("sgd" or "adam" or "adamw" or "rmsprop" or "adagrad" or "adamax" or "adadelta" or "nadam" or "radam" or "asgd" or "rprop"))
            throw new ArgumentException($"unknown optimizer '{c.Opt}'; expected sgd, adam, adamw, rmsprop, adagrad, adamax, adadelta, nadam, radam, asgd or rprop");
        if (c.Opt == "rprop" && c.WeightDecay != 0) throw new ArgumentException($"--weight-decay: rprop has no weight decay (as torch.optim.Rprop), got {c.WeightDecay}");
        if (!(c.EffectiveMomentum >= 0)) throw new ArgumentException($"--momentum must be non-negative, got {c.EffectiveMomentum}");
        if (!ModelZoo.Models.Contains(c.Model)) throw new ArgumentException($"unknown model '{c.Model}'; expected one of {string.Join(", ", ModelZoo.Models)}");
        LrSchedule.Parse(c.Schedule, c.Epochs);
        ModelZoo.ValidateActivation(c.Act);
    }

    /// <summary>Builds the model of a config with the weights drawn from a freshly seeded generator: the same call
    /// gives the same initial weights (`pade plot pau` uses this to show the PAUs' initial functions).</summary>
    public static (Module Model, IReadOnlyList<Module> Activations) BuildModel(RunConfig config, int channels, int classes,
        Func<Func<int, Module>, int, int, Module>? factory = null)
    {
        var acts = new List<Module>();
        Module Act(int ch)
        {
            var m = ModelZoo.CreateActivation(config.Act, ch);
            acts.Add(m);
            return m;
        }
        Tensor.ManualSeed(config.Seed);
        var model = factory is null ? ModelZoo.CreateModel(config.Model, Act, channels, classes) : factory(Act, channels, classes);
        return (model, acts);
    }

    static Optimizer BuildOptimizer(RunConfig c, Module model, IReadOnlyList<Module> activations)
    {
        var actParams = new HashSet<Tensor>(activations.SelectMany(a => a.Parameters()), ReferenceEqualityComparer.Instance);
        var rest = model.Parameters().Where(p => !actParams.Contains(p)).ToList();
        var groups = new List<ParamGroup> { new(rest, c.EffectiveLr, c.WeightDecay, DefaultGroup) };
        // Keep the model's order inside the group (optimizer state is indexed by position).
        var acts = model.Parameters().Where(actParams.Contains).ToList();
        if (acts.Count > 0) groups.Add(new ParamGroup(acts, c.EffectivePauLr, 0, ActivationGroup));
        return c.Opt switch
        {
            "sgd" => new Sgd(groups, c.EffectiveMomentum),
            // PyTorch's defaults for everything the command line does not set.
            "rmsprop" => new RMSprop(groups, momentum: c.EffectiveMomentum),
            "adagrad" => new Adagrad(groups),
            "adamax" => new Adamax(groups),
            "adadelta" => new Adadelta(groups),
            "nadam" => new NAdam(groups),
            "radam" => new RAdam(groups),
            "asgd" => new ASGD(groups),
            "rprop" => new Rprop(groups),
            "adamw" => new Adam(groups, decoupled: true),
            _ => new Adam(groups),
        };
    }

    void Restore(LoadedCheckpoint ck)
    {
        Model.LoadStateDict(ck.Model);
        Optimizer.LoadStateDict(ck.Optimizer, ck.OptimizerSteps);
        Generator.Default.Seed = ck.State.GeneratorSeed;
        Generator.Default.Offset = ck.State.GeneratorOffset;
        if (ck.State.DataSeed != Config.Seed)
            throw new InvalidOperationException(
                $"{ck.Directory}: the checkpoint's data seed {ck.State.DataSeed} differs from the config's seed {Config.Seed}");
        _trainer.GlobalStep = ck.State.GlobalStep;
        _history.AddRange(ck.State.History);
        _startEpoch = ck.State.Epoch;
        _bestEpoch = ck.State.BestEpoch;
        _bestTop1 = ck.State.BestTop1;
    }

    /// <summary>Trains the remaining epochs. Throws <see cref="NonFiniteLossException"/> when the loss diverges
    /// (after writing summary.json with status "diverged").</summary>
    public IReadOnlyList<EpochResult> Run()
    {
        var reporter = _options.Reporter;
        Directory.CreateDirectory(OutDir);
        reporter.RunStarted(this);
        _options.BeforeTraining?.Invoke(Model);
        _trainer.OnBatch = (b, n, samples, loss) =>
        {
            _options.AfterStep?.Invoke(Model);
            reporter.BatchDone(b, n, samples, loss);
        };
        for (int epoch = _startEpoch; epoch < Config.Epochs; epoch++)
        {
            reporter.EpochStarted(epoch, Config.Epochs, _train.BatchesPerEpoch, _train.SamplesPerEpoch);
            var sw = Stopwatch.StartNew();
            double trainLoss, trainTop1;
            long samples;
            try
            {
                (trainLoss, trainTop1, samples) = _trainer.TrainEpoch(epoch, _train.Epoch(epoch), _train.BatchesPerEpoch);
            }
            catch (NonFiniteLossException)
            {
                WriteSummary("diverged");
                throw;
            }
            double seconds = sw.Elapsed.TotalSeconds;

            reporter.Evaluating(epoch);
            bool last = epoch == Config.Epochs - 1;
            Metrics eval;
            using (last ? Histograms.Recording(Model, ActivationModules) : null) eval = _trainer.Evaluate(_test.Epoch(0));

            var lr = Optimizer.Groups[0].Lr;
            var result = new EpochResult(epoch + 1, trainLoss, trainTop1, eval.Loss, eval.Top1, eval.Top5, seconds,
                samples / Math.Max(seconds, 1e-9), lr);
            _history.Add(result);
            bool best = _bestEpoch < 0 || eval.Top1 > _bestTop1;
            if (best) { _bestEpoch = epoch + 1; _bestTop1 = eval.Top1; }
            MetricsFile.Write(Path.Combine(OutDir, "metrics.csv"), _history);
            if (_options.WriteCheckpoints)
            {
                var state = CurrentState(epoch + 1);
                Action<string>? extra = last && Histograms.ByLayer.Count > 0
                    ? dir => InputHistograms.Save(Path.Combine(dir, InputHistograms.FileName), Histograms.ByLayer)
                    : null;
                Checkpoint.Save(Path.Combine(OutDir, "checkpoints", "last"), Model, Optimizer, state, extra);
                if (best && _options.WriteBestCheckpoint) Checkpoint.Save(Path.Combine(OutDir, "checkpoints", "best"), Model, Optimizer, state, extra);
            }
            WriteSummary(last ? "finished" : "running");
            reporter.EpochDone(result, best);
        }
        // Resumed from the last epoch's checkpoint: the process died after the checkpoint, before summary.json said so.
        if (_startEpoch >= Config.Epochs && _history.Count > 0) WriteSummary("finished");
        if (_options.WritePlots && _history.Count > 0)
        {
            Charts.RunCurves(_history, OutDir, Config.Label);
        }
        return _history;
    }

    /// <summary>The state a checkpoint written now would hold.</summary>
    public CheckpointState CurrentState(int epochsDone) => new()
    {
        Config = Config,
        Epoch = epochsDone,
        GlobalStep = _trainer.GlobalStep,
        GeneratorSeed = Generator.Default.Seed,
        GeneratorOffset = Generator.Default.Offset,
        DataSeed = Config.Seed,
        BestEpoch = _bestEpoch,
        BestTop1 = _bestTop1,
        History = _history.ToList(),
    };

    void WriteSummary(string status)
    {
        AtomicFile.WriteAllBytes(Path.Combine(OutDir, "summary.json"), Json.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("status", status);
            w.WriteString("label", Config.Label);
            w.WriteString("data_source", Data.Source);
            w.WriteNumber("train_images", Data.Train.Count);
            w.WriteNumber("test_images", Data.Test.Count);
            w.WriteNumber("parameters", Model.ParameterCount());
            w.WriteNumber("activation_parameters", ActivationModules.Sum(a => a.ParameterCount()));
            w.WriteNumber("threads", CpuBackend.Threads);
            w.WriteString("device", Device.ToString());
            w.WriteNumber("epochs_completed", _history.Count);
            w.WriteNumber("global_step", _trainer.GlobalStep);
            w.WriteNumber("best_epoch", _bestEpoch);
            Json.WriteDouble(w, "best_test_top1", _bestTop1);
            if (_history.Count > 0)
            {
                var f = _history[^1];
                Json.WriteDouble(w, "final_test_top1", f.TestTop1);
                Json.WriteDouble(w, "final_test_top5", f.TestTop5);
                Json.WriteDouble(w, "final_test_loss", f.TestLoss);
                Json.WriteDouble(w, "final_train_loss", f.TrainLoss);
                Json.WriteDouble(w, "train_seconds", _history.Sum(h => h.Seconds));
                Json.WriteDouble(w, "mean_samples_per_s", _history.Average(h => h.SamplesPerSecond));
            }
            if (status == "diverged")
            {
                w.WriteNumber("diverged_at_step", _trainer.GlobalStep);
                Json.WriteDouble(w, "last_finite_loss", _trainer.LastFiniteLoss);
            }
            w.WritePropertyName("config");
            Config.WriteJson(w);
            w.WriteEndObject();
        }));
    }
}
