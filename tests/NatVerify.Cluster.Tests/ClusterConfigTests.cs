using NatVerify.Cluster.Hosting;
using Xunit;

namespace NatVerify.Cluster.Tests;

/// <summary>The --cluster configuration: inline pairs or a file; every bad key or value is an error naming it.</summary>
public sealed class ClusterConfigTests
{
    [Fact]
    public void Inline_pairs_set_membership_partitions_and_ports()
    {
        var c = ClusterConfig.Parse("membership=localhost; partitions=6;primary-port=21000;gateway-port=31000;response-timeout=5");
        Assert.Null(c.Redis);
        Assert.Equal(6, c.Partitions);
        Assert.Equal(21000, c.PrimaryPort);
        Assert.Equal(31000, c.GatewayPort);
        Assert.Equal(TimeSpan.FromSeconds(5), c.ResponseTimeout);
    }

    [Fact]
    public void Redis_connection_string_keeps_its_commas_and_equals_signs()
    {
        var c = ClusterConfig.Parse("redis=10.0.0.5:6379,password=a=b,ssl=false;partitions=12");
        Assert.Equal("10.0.0.5:6379,password=a=b,ssl=false", c.Redis);
        Assert.Equal("h:1", ClusterConfig.Parse("membership=redis:h:1").Redis);
    }

    [Fact]
    public void A_file_of_lines_with_comments_is_read()
    {
        var path = Path.Combine(Path.GetTempPath(), $"natverify-cluster-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, "# test\npartitions=3\ncluster-id=bench-1\n");
        try
        {
            var c = ClusterConfig.Parse(path);
            Assert.Equal(3, c.Partitions);
            Assert.Equal("bench-1", c.ClusterId);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("partitions=0", "partitions must be a whole number from 1 to 4096")]
    [InlineData("partitions=x", "partitions must be")]
    [InlineData("colour=blue", "unknown key 'colour'")]
    [InlineData("membership=zookeeper", "membership must be 'localhost' or 'redis:CONNECTION'")]
    [InlineData("cluster-id=a b", "cluster-id must be")]
    [InlineData("partitions=2;oops", "expected key=value, got 'oops'")]
    [InlineData("/nonexistent/cluster.conf", "neither key=value pairs nor an existing file")]
    public void Bad_config_is_an_error_that_names_the_problem(string text, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ClusterConfig.Parse(text));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
