namespace NatVerify.Checker.Random;

/// <summary>How a random exploration picks the successor to follow at each step.</summary>
public enum RandomStrategy
{
    /// <summary>Uniformly among all successors of the current state.</summary>
    RandomWalk,

    /// <summary>
    /// Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010): threads get random
    /// priorities, the highest-priority enabled thread runs, and at d-1 random steps the running thread drops to a low
    /// priority. A bug of depth d is found with probability at least 1/(n k^(d-1)) per schedule. Needs a thread mapping.
    /// </summary>
    Pct,
}
