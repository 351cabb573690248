namespace NatVerify.Traces.Tests;

/// <summary>Headless Chromium flags: no sandbox (root in CI), no GPU, and nothing that reaches the network.</summary>
internal static class Chromium
{
    public static IEnumerable<string> Arguments(string profileDir, params string[] more) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions", "--no-pings",
        "--dns-prefetch-disable", "--disable-domain-reliability", "--host-resolver-rules=MAP * ~NOTFOUND",
        $"--user-data-dir={profileDir}", .. more,
    ];
}
