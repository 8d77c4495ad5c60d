namespace Pade.Engine.Autograd;

/// <summary>Whether ops record the graph, per thread (a data-loading thread never records).</summary>
public static class GradMode
{
    [ThreadStatic] private static int _disabled;

    public static bool IsEnabled => _disabled == 0;

    public static IDisposable Disable()
    {
        _disabled++;
        return new Scope();
    }

    /// <summary>Runs <paramref name="f"/> with gradients enabled whatever NoGrad scopes are open (PyTorch's
    /// <c>torch.enable_grad()</c>), and restores them after, also when it throws.</summary>
    public static T Enabled<T>(Func<T> f)
    {
        int saved = _disabled;
        _disabled = 0;
        try { return f(); }
        finally { _disabled = saved; }
    }

    private sealed class Scope : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            _disabled--;
        }
    }
}
