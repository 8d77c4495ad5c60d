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
