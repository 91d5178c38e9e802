using ClinicBooking.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace ClinicBooking.UnitTests;

public class InfrastructureModeTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();

    [Theory]
    [InlineData("processes", InfrastructureMode.Processes)]
    [InlineData("Containers", InfrastructureMode.Containers)]
    public void A_configured_mode_wins(string configured, InfrastructureMode expected) =>
        Assert.Equal(expected, InfrastructureModeResolver.Resolve(Config((InfrastructureModeResolver.ConfigurationKey, configured))));

    [Fact]
    public void An_unknown_mode_is_an_error_that_names_the_choices()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            InfrastructureModeResolver.Resolve(Config((InfrastructureModeResolver.ConfigurationKey, "vms"))));

        Assert.Contains("processes", ex.Message);
        Assert.Contains("containers", ex.Message);
    }

    /// <summary>
    /// run.sh needs nothing else: without a setting the servers run as processes, even where a container engine
    /// answers (a machine that runs the system from images has one, and Docker Hub's images may be out of reach).
    /// </summary>
    [Theory]
    [InlineData("docker")]
    [InlineData("no-such-container-runtime")]
    public void Without_a_configured_mode_the_servers_run_as_processes(string runtime) =>
        Assert.Equal(InfrastructureMode.Processes,
            InfrastructureModeResolver.Resolve(Config(("ASPIRE_CONTAINER_RUNTIME", runtime))));
}
