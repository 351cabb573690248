namespace NatVerify.Traces;

/// <summary>
/// Zeller and Hildebrandt's <em>ddmin</em> ("Simplifying and Isolating Failure-Inducing Input", TSE 2002): shrinks a
/// list to a 1-minimal sublist on which a test still fails, i.e. removing any single remaining element makes it pass.
/// Order is preserved; results of the test are cached per sublist.
/// </summary>
public static class DeltaDebugger
{
    /// <summary>A 1-minimal sublist of <paramref name="items"/> for which <paramref name="fails"/> still holds.</summary>
    /// <param name="items">The failing input; <paramref name="fails"/> should hold for it.</param>
    /// <param name="fails">True when the candidate still shows the failure.</param>
    /// <param name="tests">Incremented by the number of distinct candidates tested.</param>
    /// <typeparam name="T">The element type.</typeparam>
    public static IReadOnlyList<T> Minimize<T>(IReadOnlyList<T> items, Func<IReadOnlyList<T>, bool> fails, ref int tests)
    {
        var cache = new Dictionary<string, bool>(StringComparer.Ordinal);
        var count = 0;
        bool Test(List<int> subset)
        {
            var key = string.Join(',', subset);
            if (!cache.TryGetValue(key, out var result))
            {
                count++;
                result = fails(subset.Select(i => items[i]).ToList());
                cache[key] = result;
            }

            return result;
        }

        var current = Enumerable.Range(0, items.Count).ToList();
        if (current.Count == 0)
        {
            return [];
        }

        // ddmin assumes the empty input passes; when it fails too, it is the minimum.
        if (Test([]))
        {
            tests += count;
            return [];
        }

        var n = 2;
        while (current.Count >= 2)
        {
            var chunks = Split(current, Math.Min(n, current.Count));
            var reduced = false;
            foreach (var chunk in chunks)
            {
                if (Test(chunk))
                {
                    current = chunk;
                    n = 2;
                    reduced = true;
                    break;
                }
            }

            // With two chunks each complement is the other chunk, already tested.
            if (!reduced && chunks.Count > 2)
            {
                foreach (var chunk in chunks)
                {
                    var complement = current.Except(chunk).ToList();
                    if (Test(complement))
                    {
                        current = complement;
                        n = Math.Max(n - 1, 2);
                        reduced = true;
                        break;
                    }
                }
            }

            if (!reduced)
            {
                if (n >= current.Count)
                {
                    break;
                }

                n = Math.Min(n * 2, current.Count);
            }
        }

        tests += count;
        return current.Select(i => items[i]).ToList();
    }

    private static List<List<int>> Split(List<int> items, int n)
    {
        var chunks = new List<List<int>>();
        var start = 0;
        for (var i = 0; i < n; i++)
        {
            var size = (items.Count - start) / (n - i);
            chunks.Add(items.GetRange(start, size));
            start += size;
        }

        return chunks;
    }
}
