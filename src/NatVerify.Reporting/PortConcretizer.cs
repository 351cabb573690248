using NatVerify.Model.Addressing;
using NatVerify.Model.Semantics;
using NatVerify.Model.Tuples;

namespace NatVerify.Reporting;

/// <summary>
/// Gives every fresh port a concrete number for artefacts that need one (pcap files, kernel scripts): the k-th
/// fresh port of an atom becomes the atom's k-th port that the scenario does not name. Distinct fresh ports get
/// distinct numbers and no fresh port takes a named one; which number the kernel would pick is random, so the
/// number is only a stand-in (docs/traces.md).
/// </summary>
public sealed class PortConcretizer(NatSemantics semantics)
{
    private readonly HashSet<int> _named = [.. semantics.Ports.Concrete];

    /// <summary>The concrete number of a port.</summary>
    public int Number(Port port)
    {
        if (!port.IsFresh)
        {
            return port.Raw;
        }

        var atom = semantics.Ports.Atoms[port.Atom];
        if (port.IsPoolHeld)
        {
            // A port a pool's entry holds: the atom's last unnamed port (picked fresh ports are numbered from the first;
            // a stand-in like every other number here).
            for (var p = atom.Hi; p >= atom.Lo; p--)
            {
                if (!_named.Contains(p))
                {
                    return p;
                }
            }
        }

        var k = 0;
        for (var p = atom.Lo; p <= atom.Hi; p++)
        {
            if (!_named.Contains(p) && ++k == port.FreshIndex)
            {
                return p;
            }
        }

        throw new InvalidOperationException($"atom {atom.Lo}-{atom.Hi} has fewer than {port.FreshIndex} unnamed ports");
    }

    /// <summary>The tuple with concrete ports.</summary>
    public ConntrackTuple Concrete(ConntrackTuple t) => t with { SrcPort = Port.Of(Number(t.SrcPort)), DstPort = Port.Of(Number(t.DstPort)) };
}
