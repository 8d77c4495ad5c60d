namespace Pade.Layers.Activations;

/// <summary>
/// A small dense linear least-squares solver: minimise ‖A·x − y‖₂ by Householder QR with column pivoting.
/// <para>
/// Why QR and not the normal equations AᵀA x = Aᵀy: the PAU fits use columns like 1, x, ..., x^5 on [−3, 3], whose
/// Gram matrix has a condition number in the millions; forming AᵀA squares it, QR works on A itself. Columns are
/// first scaled to unit norm (so the rank decision compares like with like), and pivoting on the largest remaining
/// column norm lets a (numerically) dependent column be detected and given x_j = 0 instead of a huge value — the
/// Levenberg–Marquardt steps of <see cref="PauFit"/> rely on that when a column of the Jacobian is all zeros.
/// </para>
/// </summary>
public static class LeastSquares
{
    /// <summary>
    /// Solves min ‖A·x − y‖₂ for a dense row-major <paramref name="rows"/>×<paramref name="cols"/> matrix
    /// <paramref name="a"/> (not modified). Returns x (length cols). Columns whose remaining norm falls to
    /// <paramref name="rcond"/> times the first pivot's (after unit-norm scaling) count as dependent and get
    /// x_j = 0 (the "basic" solution); with full column rank this is the unique least-squares solution.
    /// </summary>
    public static double[] Solve(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> y, double rcond = 1e-12)
    {
        if (rows < 1) throw new ArgumentOutOfRangeException(nameof(rows), rows, "rows must be ≥ 1.");
        if (cols < 1) throw new ArgumentOutOfRangeException(nameof(cols), cols, "cols must be ≥ 1.");
        if (a.Length != rows * cols) throw new ArgumentException(
            $"A is {rows}×{cols} row-major: expected length {rows * cols}, got {a.Length}.", nameof(a));
        if (y.Length != rows) throw new ArgumentException(
            $"y has one entry per row: expected length {rows}, got {y.Length}.", nameof(y));

        // Column-major copy (column j at [j*rows, (j+1)*rows)): Householder reflections work column by column.
        var m = new double[cols * rows];
        var scale = new double[cols];
        for (int j = 0; j < cols; j++)
        {
            double ss = 0;
            for (int i = 0; i < rows; i++) { double v = a[i * cols + j]; ss += v * v; }
            scale[j] = ss > 0 ? 1.0 / Math.Sqrt(ss) : 1.0;
            var col = m.AsSpan(j * rows, rows);
            for (int i = 0; i < rows; i++) col[i] = a[i * cols + j] * scale[j];
        }
        var r = y.ToArray();                       // becomes Qᵀy
        var perm = new int[cols];
        for (int j = 0; j < cols; j++) perm[j] = j;
        int steps = Math.Min(rows, cols), rank = 0;
        var diag = new double[steps];              // R_kk
        double firstPivot = 0;

        for (int k = 0; k < steps; k++)
        {
            // Pivot: the remaining column with the largest norm over rows k.. (recomputed: cols is small).
            int best = k; double bestSq = -1;
            for (int j = k; j < cols; j++)
            {
                var cj = m.AsSpan(j * rows + k, rows - k);
                double s = 0;
                foreach (double e in cj) s += e * e;
                if (s > bestSq) { bestSq = s; best = j; }
            }
            if (best != k)
            {
                var ck = m.AsSpan(k * rows, rows);
                var cb = m.AsSpan(best * rows, rows);
                for (int i = 0; i < rows; i++) (ck[i], cb[i]) = (cb[i], ck[i]);
                (perm[k], perm[best]) = (perm[best], perm[k]);
            }
            double norm = Math.Sqrt(bestSq);
            if (k == 0) firstPivot = norm;
            if (norm == 0 || norm <= rcond * firstPivot) break;

            // Householder vector v = x − α e_1 with α = −sign(x_0)‖x‖ (no cancellation), stored in place.
            var v = m.AsSpan(k * rows + k, rows - k);
            double alpha = v[0] >= 0 ? -norm : norm;
            v[0] -= alpha;
            double vtv = 0;
            foreach (double e in v) vtv += e * e;
            for (int j = k + 1; j < cols; j++) Reflect(v, m.AsSpan(j * rows + k, rows - k), vtv);
            Reflect(v, r.AsSpan(k, rows - k), vtv);
            diag[k] = alpha;
            rank = k + 1;
        }

        // Back substitution on the leading rank×rank block of R (R_kj, j > k, sits in column j, row k).
        var z = new double[cols];
        for (int k = rank - 1; k >= 0; k--)
        {
            double s = r[k];
            for (int j = k + 1; j < rank; j++) s -= m[j * rows + k] * z[j];
            z[k] = s / diag[k];
        }
        var x = new double[cols];
        for (int k = 0; k < cols; k++) x[perm[k]] = z[k] * scale[perm[k]];
        return x;
    }

    /// <summary>
    /// Reduces a tall system (rows ≥ cols) to a square one with the same least-squares solutions: returns the
    /// upper-triangular R (cols×cols, row-major) and z = the first cols entries of Qᵀy, where A = Q·R, so that
    /// ‖A·x − y‖² = ‖R·x − z‖² + (a constant). Levenberg–Marquardt solves many damped problems
    /// [A; √λ·D] x ≈ [y; 0] with the same A: reducing A once makes each of them a 2·cols×cols solve.
    /// No pivoting and no rank decision here: a zero column gives a zero row of R (the later solve handles it).
    /// </summary>
    public static (double[] R, double[] Z) Reduce(ReadOnlySpan<double> a, int rows, int cols, ReadOnlySpan<double> y)
    {
        if (cols < 1) throw new ArgumentOutOfRangeException(nameof(cols), cols, "cols must be ≥ 1.");
        if (rows < cols) throw new ArgumentOutOfRangeException(nameof(rows), rows, $"Reduce needs rows ≥ cols = {cols}, got {rows}.");
        if (a.Length != rows * cols) throw new ArgumentException(
            $"A is {rows}×{cols} row-major: expected length {rows * cols}, got {a.Length}.", nameof(a));
        if (y.Length != rows) throw new ArgumentException(
            $"y has one entry per row: expected length {rows}, got {y.Length}.", nameof(y));

        var m = new double[cols * rows];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) m[j * rows + i] = a[i * cols + j];
        var r = y.ToArray();
        var diag = new double[cols];
        for (int k = 0; k < cols; k++)
        {
            var v = m.AsSpan(k * rows + k, rows - k);
            double ss = 0;
            foreach (double e in v) ss += e * e;
            if (ss == 0) continue;                 // nothing to annihilate: R_kk = 0
            double norm = Math.Sqrt(ss), alpha = v[0] >= 0 ? -norm : norm;
            v[0] -= alpha;
            double vtv = 0;
            foreach (double e in v) vtv += e * e;
            for (int j = k + 1; j < cols; j++) Reflect(v, m.AsSpan(j * rows + k, rows - k), vtv);
            Reflect(v, r.AsSpan(k, rows - k), vtv);
            diag[k] = alpha;
        }
        var rr = new double[cols * cols];
        for (int k = 0; k < cols; k++)
        {
            rr[k * cols + k] = diag[k];
            for (int j = k + 1; j < cols; j++) rr[k * cols + j] = m[j * rows + k];
        }
        return (rr, r[..cols]);
    }

    /// <summary>w ← (I − 2 v vᵀ / vᵀv) w.</summary>
    static void Reflect(ReadOnlySpan<double> v, Span<double> w, double vtv)
    {
        double dot = 0;
        for (int i = 0; i < v.Length; i++) dot += v[i] * w[i];
        double f = 2 * dot / vtv;
        for (int i = 0; i < v.Length; i++) w[i] -= f * v[i];
    }
}
