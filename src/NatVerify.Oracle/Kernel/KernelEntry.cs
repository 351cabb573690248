using NatVerify.Model.Tuples;

namespace NatVerify.Oracle.Kernel;

/// <summary>One entry of <c>conntrack -L</c>: its original and reply tuples (ICMP: id as source port, type/code as destination port) and the line it came from.</summary>
public sealed record KernelEntry(ConntrackTuple Original, ConntrackTuple Reply, string Line);
