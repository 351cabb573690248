namespace NatVerify.Checker;

/// <summary>
/// Optional, implemented by a packing encoder: packs a state and fingerprints it in one pass, hashing a short form
/// that identifies the state only within this instance (for example its values numbered by first use, which the
/// packed form already holds) instead of the canonical bytes of <see cref="IStateEncoder{TState}.Encode"/>.
/// </summary>
/// <remarks>
/// <para>
/// Contract: for two states fingerprinted by one instance, the hashed forms are equal exactly when the canonical
/// encodings are. A numbering by first use is a bijection between the values seen so far and their numbers, so a
/// vector of numbers identifies the state (or the view of it that <see cref="IStateEncoder{TState}.Encode"/> writes:
/// a quotient, a symmetry representative) as well as its bytes do. Fingerprints are then equal for equal states and
/// unequal for unequal states except on a collision of the 64-bit hash, the same bound as for hashing the bytes,
/// so the collision figure the engine reports stays valid.
/// </para>
/// <para>
/// The numbering is neither canonical across instances nor safe to share between threads, so the engine uses this only
/// where every fingerprint of a run comes from this one instance on one thread and never leaves the run: the
/// single-threaded breadth-first search with a packed queue. Not with two workers (successors are fingerprinted on both
/// threads), not depth-first (no packed queue), not when the encoder is compact
/// (<see cref="ICompactStateEncoder{TState}"/> is exact), and never where fingerprints cross runs or processes (the
/// cluster and the fingerprint laws hash <see cref="IStateEncoder{TState}.Encode"/>). The run's statistics say which
/// fingerprint was used (<see cref="ExplorationStats.RunFingerprints"/>).
/// </para>
/// </remarks>
/// <typeparam name="TState">The state type.</typeparam>
public interface IRunFingerprinter<TState> : IStatePacker<TState>
{
    /// <summary>
    /// Gets whether this instance fingerprints by its run numbering. False when the canonical encoding is of a view of
    /// the state (a quotient, a symmetry representative) that the instance does not number; the engine then hashes
    /// <see cref="IStateEncoder{TState}.Encode"/> as without this interface.
    /// </summary>
    bool FingerprintsByNumbering { get; }

    /// <summary>
    /// Appends the packed form of <paramref name="state"/> (what <see cref="IStatePacker{TState}.Pack"/> writes,
    /// readable by <see cref="IStatePacker{TState}.Unpack"/>) to <paramref name="packed"/> and returns its fingerprint
    /// for this instance. Called only when <see cref="FingerprintsByNumbering"/>; the engine may call it for states it
    /// never stores.
    /// </summary>
    /// <param name="state">The state.</param>
    /// <param name="packed">The buffer; written after what it holds (the engine packs several successors into one).</param>
    /// <returns>A 64-bit fingerprint, never 0.</returns>
    ulong RunFingerprint(TState state, StateWriter packed);
}
