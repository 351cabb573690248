using NatVerify.Oracle.Agent;
using Xunit;

namespace NatVerify.Oracle.Tests;

/// <summary>The agent's command loop answers every request line with one response line, and ends on exit or end of input.</summary>
public class AgentHostTests
{
    [Fact]
    public void Hello_report_and_exit_are_answered_in_order_and_exit_stops_reading()
    {
        var input = new StringReader("{\"op\":\"hello\"}\n\n{\"op\":\"report\"}\n{\"op\":\"exit\"}\n{\"op\":\"hello\"}\n");
        var output = new StringWriter();
        Assert.Equal(0, AgentHost.Run(input, output));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal(Environment.ProcessId, AgentJson.Read<AgentResponse>(lines[0]).Pid);
        Assert.Empty(AgentJson.Read<AgentResponse>(lines[1]).Seen!);
        Assert.True(AgentJson.Read<AgentResponse>(lines[2]).Ok);
    }

    [Theory]
    [InlineData("not json", "JsonException")]
    [InlineData("{\"op\":\"dance\"}", "unknown op 'dance'")]
    [InlineData("{\"op\":\"flows\",\"flows\":[]}", "1-64 flows")]
    [InlineData("{\"op\":\"flows\",\"flows\":[{\"tag\":\"t\",\"protocol\":\"sctp\",\"source\":\"198.51.100.1\",\"destination\":\"198.51.100.2\"}]}", "unknown protocol")]
    public void Bad_requests_get_an_error_answer_and_the_agent_goes_on(string request, string error)
    {
        var output = new StringWriter();
        AgentHost.Run(new StringReader(request + "\n{\"op\":\"hello\"}\n"), output);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = AgentJson.Read<AgentResponse>(lines[0]);
        var text = first.Error ?? string.Join(" ", first.Results?.Select(r => r.Detail) ?? []);
        Assert.Contains(error, text, StringComparison.Ordinal);
        Assert.True(AgentJson.Read<AgentResponse>(lines[1]).Ok);
    }

    [Fact]
    public void Requests_round_trip_through_the_protocols_json()
    {
        var request = new AgentRequest
        {
            Op = "flows",
            Concurrent = true,
            Flows = [new FlowRequest { Tag = "t", Protocol = "udp", Source = "198.51.100.1", SourcePort = 5353, Destination = "198.51.100.53", DestinationPort = 53, Mark = 0x64 }],
        };
        var back = AgentJson.Read<AgentRequest>(AgentJson.Write(request));
        Assert.Equal("flows", back.Op);
        Assert.True(back.Concurrent);
        Assert.Equal(request.Flows[0], back.Flows![0]);
    }
}
