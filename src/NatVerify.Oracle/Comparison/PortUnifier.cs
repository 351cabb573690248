using NatVerify.Model.Addressing;
using NatVerify.Model.Tuples;

namespace NatVerify.Oracle.Comparison;

/// <summary>
/// Matches the model's ports with the kernel's. A concrete model port must be equal; a fresh port (the model's
/// "some port of this interval that the scenario does not name") matches any number inside its atom that the
/// scenario does not name, consistently everywhere it occurs, and two different fresh ports never match the
/// same number. This is the whole of "compare random ports by class and freshness, never by exact value".
/// </summary>
public sealed class PortUnifier(PortUniverse ports)
{
    private Dictionary<int, int> _bound = [];
    private Dictionary<int, int> _boundBy = [];

    /// <summary>The fresh ports bound so far, with the kernel's numbers.</summary>
    public IReadOnlyDictionary<Port, int> Bindings => _bound.ToDictionary(kv => new Port(kv.Key), kv => kv.Value);

    /// <summary>Saves the bindings, to undo a failed attempt with <see cref="Restore"/>.</summary>
    public (Dictionary<int, int>, Dictionary<int, int>) Save() => (new(_bound), new(_boundBy));

    /// <summary>Undoes everything bound since <paramref name="saved"/>.</summary>
    public void Restore((Dictionary<int, int> Bound, Dictionary<int, int> BoundBy) saved)
    {
        _bound = new(saved.Bound);
        _boundBy = new(saved.BoundBy);
    }

    /// <summary>Unifies a model port with a kernel number; on failure nothing is bound.</summary>
    public bool Unify(Port model, int kernel)
    {
        if (!model.IsFresh)
        {
            return model.Raw == kernel;
        }

        if (_bound.TryGetValue(model.Raw, out var value))
        {
            return value == kernel;
        }

        var atom = ports.Atoms[model.Atom];
        if (kernel < atom.Lo || kernel > atom.Hi || ports.Concrete.Contains(kernel) || _boundBy.ContainsKey(kernel))
        {
            return false;
        }

        _bound[model.Raw] = kernel;
        _boundBy[kernel] = model.Raw;
        return true;
    }

    /// <summary>Unifies a whole tuple (protocol and addresses exactly, ports as above); on failure nothing is bound.</summary>
    public bool Unify(ConntrackTuple model, ConntrackTuple kernel)
    {
        if (model.Protocol != kernel.Protocol || model.SrcIp != kernel.SrcIp || model.DstIp != kernel.DstIp)
        {
            return false;
        }

        var saved = Save();
        if (Unify(model.SrcPort, kernel.SrcPort.Raw) && Unify(model.DstPort, kernel.DstPort.Raw))
        {
            return true;
        }

        Restore(saved);
        return false;
    }
}
