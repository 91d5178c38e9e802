using ClinicBooking.Contracts.Access;
using ClinicBooking.WebApp.Api;
using Microsoft.AspNetCore.Components;

namespace ClinicBooking.WebApp.Components;

/// <summary>What every page uses: the request, who is signed in, and the API.</summary>
public abstract class AppPage : ComponentBase
{
    [CascadingParameter] public HttpContext HttpContext { get; set; } = null!;

    [Inject] protected ClinicBookingApi Api { get; set; } = null!;

    [Inject] protected NavigationManager Navigation { get; set; } = null!;

    protected Caller Caller => Caller.From(HttpContext.User);

    /// <summary>
    /// A form's post. A page renders the form it handles on every post, even when what it shows has changed
    /// since (a repeated post after a double click): the post is only dispatched to a form on the page.
    /// </summary>
    protected bool IsPost => HttpMethods.IsPost(HttpContext.Request.Method);

    /// <summary>Stops the API calls of a request the browser gave up on.</summary>
    protected CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>
    /// The page's answer is 404 with the not-found page: for an id that does not exist and for something that
    /// is not the user's to see alike, so a page never tells which of the two it was.
    /// </summary>
    protected void NotFound() => Navigation.NotFound();

    /// <summary>Sends the browser to <paramref name="url"/> after a form's post, so a refresh does not post again.</summary>
    protected void RedirectTo(string url) => Navigation.NavigateTo(url);
}

/// <summary>A page of one clinic's management: its staff and administrators only; anyone else gets 404.</summary>
public abstract class ClinicManagementPage : AppPage
{
    [Parameter] public long ClinicId { get; set; }

    protected ClinicResponse? Clinic { get; private set; }

    /// <summary>Loads the clinic when the caller may manage it; false (and a 404) otherwise.</summary>
    protected async Task<bool> LoadClinicAsync()
    {
        if (!Caller.MayManageClinic(ClinicId))
        {
            NotFound();
            return false;
        }
        var clinic = await Api.GetClinicAsync(ClinicId, Aborted);
        if (clinic.Value is null)
        {
            NotFound();
            return false;
        }
        Clinic = clinic.Value;
        return true;
    }

    /// <summary>One of this clinic's doctors; null (and a 404) for a doctor of another clinic or none at all.</summary>
    protected async Task<DoctorResponse?> LoadDoctorAsync(long doctorId)
    {
        // The doctor's id carries its clinic: one of another clinic is not found here, whoever asks.
        var doctor = ClinicIds.ClinicOf(doctorId) == ClinicId ? (await Api.GetDoctorAsync(doctorId, Aborted)).Value : null;
        if (doctor is null)
        {
            NotFound();
        }
        return doctor;
    }

    /// <summary>The clinic's doctors' names by id, deactivated ones too: a refusal's blockers name them.</summary>
    protected async Task<Dictionary<long, string>> DoctorNamesAsync() =>
        ((await Api.ListDoctorsAsync(ClinicId, includeInactive: true, Aborted)).Value?.Items ?? []).ToDictionary(d => d.Id, d => d.Name);
}
