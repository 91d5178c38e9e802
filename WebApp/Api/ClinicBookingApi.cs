using ClinicBooking.Contracts.Payments;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Contracts.Notifications;
using Microsoft.AspNetCore.WebUtilities;

namespace ClinicBooking.WebApp.Api;

/// <summary>
/// The gateway, called with the signed-in user's access token (<see cref="AccessTokenHandler"/>), or with none
/// for what anyone may read. One method per operation the pages use; each answers an <see cref="ApiResult{T}"/>,
/// so a refusal reaches the page as the API's own problem details, never as an exception.
/// </summary>
public sealed class ClinicBookingApi(HttpClient http, ILogger<ClinicBookingApi> logger)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    // Search and browsing (public)

    public Task<ApiResult<SearchResponse>> SearchAsync(SlotFilter filter, string? after, int limit, CancellationToken ct) =>
        GetAsync<SearchResponse>(Url("/availability/search", ("specialization", filter.Specialization), ("from", Date(filter.From)),
            ("to", Date(filter.To)), ("clinicId", Id(filter.ClinicId)), ("mode", filter.Mode), ("after", after), ("limit", Number(limit))), ct);

    public Task<ApiResult<NextAvailableResponse>> NextAvailableAsync(string? specialization, long? clinicId, string? mode, CancellationToken ct) =>
        GetAsync<NextAvailableResponse>(Url("/availability/next", ("specialization", specialization), ("clinicId", Id(clinicId)), ("mode", mode)), ct);

    public Task<ApiResult<AvailabilityPage>> DoctorAvailabilityAsync(long doctorId, DateOnly? from, DateOnly? to, string? after, int limit, CancellationToken ct,
        string? mode = null) =>
        GetAsync<AvailabilityPage>(Url($"/doctors/{doctorId}/availability", ("from", Date(from)), ("to", Date(to)), ("mode", mode), ("after", after), ("limit", Number(limit))), ct);

    public Task<ApiResult<ClinicListResponse>> ListClinicsAsync(bool includeInactive, CancellationToken ct, string? after = null, int limit = 100) =>
        GetAsync<ClinicListResponse>(Url("/clinics", ("limit", Number(limit)), ("includeInactive", includeInactive ? "true" : null), ("after", after)), ct);

    public Task<ApiResult<ClinicResponse>> GetClinicAsync(long id, CancellationToken ct) => GetAsync<ClinicResponse>($"/clinics/{id}", ct);

    public Task<ApiResult<PagedResult<DoctorResponse>>> ListDoctorsAsync(long clinicId, bool includeInactive, CancellationToken ct) =>
        GetAsync<PagedResult<DoctorResponse>>(Url($"/clinics/{clinicId}/doctors", ("pageSize", "100"), ("includeInactive", includeInactive ? "true" : null)), ct);

    public Task<ApiResult<DoctorResponse>> GetDoctorAsync(long id, CancellationToken ct) => GetAsync<DoctorResponse>($"/doctors/{id}", ct);

    public Task<ApiResult<List<TimeSlotResponse>>> ListShiftsAsync(long clinicId, CancellationToken ct) =>
        GetAsync<List<TimeSlotResponse>>($"/clinics/{clinicId}/timeslots", ct);

    // Patients

    public Task<ApiResult<SignUpResponse>> RegisterAsync(string? name, string? email, string? phone, string? password, CancellationToken ct) =>
        SendAsync<SignUpResponse>(HttpMethod.Post, "/account/register", new { name, email, phone, password }, ct);

    // The account by mail: its address verified, a forgotten password, another address. The links' tokens come
    // from the mails, and go to IdentityService only when the person confirms on the page.

    public Task<ApiResult<AccountResponse>> GetAccountAsync(CancellationToken ct) => GetAsync<AccountResponse>("/account", ct);

    public Task<ApiResult<Unit>> VerifyEmailAsync(string? accountId, string? token, CancellationToken ct) =>
        SendAsync<Unit>(HttpMethod.Post, "/account/email/verify", new { accountId, token }, ct);

    public Task<ApiResult<Unit>> ForgotPasswordAsync(string? email, CancellationToken ct) =>
        SendAsync<Unit>(HttpMethod.Post, "/account/password/forgot", new { email }, ct);

    public Task<ApiResult<Unit>> ResetPasswordAsync(string? accountId, string? token, string? newPassword, CancellationToken ct) =>
        SendAsync<Unit>(HttpMethod.Post, "/account/password/reset", new { accountId, token, newPassword }, ct);

    public Task<ApiResult<Unit>> RequestEmailChangeAsync(string? newEmail, string? currentPassword, CancellationToken ct) =>
        SendAsync<Unit>(HttpMethod.Post, "/account/email", new { newEmail, currentPassword }, ct);

    public Task<ApiResult<Unit>> ConfirmEmailChangeAsync(string? accountId, string? newEmail, string? token, CancellationToken ct) =>
        SendAsync<Unit>(HttpMethod.Post, "/account/email/confirm", new { accountId, newEmail, token }, ct);

    /// <summary>
    /// Books a slot for the signed-in customer. The key names this one attempt: a double click, a refresh or a
    /// retry after a timeout sends the same key and gets the same booking, never a second one.
    /// </summary>
    public Task<ApiResult<BookingResponse>> BookAsync(long slotId, string idempotencyKey, string? mode, CancellationToken ct) =>
        SendAsync<BookingResponse>(HttpMethod.Put, $"/bookingSlots/{slotId}/booking", new { mode }, ct,
            request => request.Headers.Add(IdempotencyKeyHeader, idempotencyKey));

    // Online appointments' video calls: the patient's own link, or the doctor's for the clinic's staff.

    public Task<ApiResult<ConsultationResponse>> GetConsultationAsync(long bookingId, CancellationToken ct) =>
        GetAsync<ConsultationResponse>($"/consultations/{bookingId}", ct);

    public Task<ApiResult<List<ConsultationResponse>>> ListConsultationsAsync(long? clinicId, DateOnly? date, CancellationToken ct) =>
        GetAsync<List<ConsultationResponse>>(Url("/consultations", ("clinicId", Id(clinicId)), ("date", Date(date))), ct);

    public Task<ApiResult<BookingResponse>> GetBookingAsync(long id, CancellationToken ct) => GetAsync<BookingResponse>($"/bookings/{id}", ct);

    // Invoices and card payments (the customer's own)

    public Task<ApiResult<List<InvoiceResponse>>> ListInvoicesAsync(CancellationToken ct) => GetAsync<List<InvoiceResponse>>("/invoices", ct);

    public Task<ApiResult<InvoiceResponse>> GetInvoiceAsync(long id, CancellationToken ct) => GetAsync<InvoiceResponse>($"/invoices/{id}", ct);

    /// <summary>Opens the provider's payment page for the invoices; the key names this attempt, so a second click opens the same page.</summary>
    public Task<ApiResult<CheckoutResponse>> OpenCheckoutAsync(IReadOnlyList<long> invoiceIds, string idempotencyKey, CancellationToken ct) =>
        SendAsync<CheckoutResponse>(HttpMethod.Post, "/checkouts", new { invoiceIds }, ct, request => request.Headers.Add(IdempotencyKeyHeader, idempotencyKey));

    public Task<ApiResult<CheckoutResponse>> GetCheckoutAsync(long id, CancellationToken ct) => GetAsync<CheckoutResponse>($"/checkouts/{id}", ct);

    public Task<ApiResult<InvoiceResponse>> RedeemCouponAsync(long invoiceId, string? code, CancellationToken ct) =>
        SendAsync<InvoiceResponse>(HttpMethod.Post, $"/invoices/{invoiceId}/coupon", new { code }, ct);

    /// <summary>The signed-in customer's credit at each clinic, or (for its staff) one patient's at the clinic.</summary>
    public Task<ApiResult<List<CreditBalanceResponse>>> CreditAsync(CancellationToken ct, long? clinicId = null, long? customerId = null) =>
        GetAsync<List<CreditBalanceResponse>>(Url("/credit", ("clinicId", Id(clinicId)), ("customerId", Id(customerId))), ct);

    // A clinic's money (its staff): invoices, charges, desk payments, credit and refunds, coupons

    public Task<ApiResult<List<InvoiceResponse>>> ClinicInvoicesAsync(long clinicId, string? status, CancellationToken ct) =>
        GetAsync<List<InvoiceResponse>>(Url("/invoices", ("clinicId", Id(clinicId)), ("status", status)), ct);

    public Task<ApiResult<InvoiceResponse>> AddChargeAsync(long invoiceId, string? description, decimal? amount, CancellationToken ct) =>
        SendAsync<InvoiceResponse>(HttpMethod.Post, $"/invoices/{invoiceId}/lines", new { description, amount }, ct);

    /// <summary>Records money taken at the desk for one invoice (left out: all it owes); the key names this attempt, so a double click records it once.</summary>
    public Task<ApiResult<PaymentResponse>> RecordDeskPaymentAsync(long invoiceId, decimal? amount, string idempotencyKey, CancellationToken ct) =>
        SendAsync<PaymentResponse>(HttpMethod.Post, "/payments/desk", new { allocations = new[] { new { invoiceId, amount } } }, ct,
            request => request.Headers.Add(IdempotencyKeyHeader, idempotencyKey));

    public Task<ApiResult<CreditNoteResponse>> IssueCreditNoteAsync(long invoiceId, decimal? amount, string? reason, CancellationToken ct) =>
        SendAsync<CreditNoteResponse>(HttpMethod.Post, $"/invoices/{invoiceId}/credit-notes", new { amount, reason }, ct);

    public Task<ApiResult<CreditRefundResponse>> RefundCreditAsync(long clinicId, long customerId, string currency, decimal? amount, CancellationToken ct) =>
        SendAsync<CreditRefundResponse>(HttpMethod.Post, "/credit/refunds", new { clinicId, customerId, currency, amount }, ct);

    public Task<ApiResult<List<CouponResponse>>> CouponsAsync(long clinicId, CancellationToken ct) =>
        GetAsync<List<CouponResponse>>($"/coupons?clinicId={clinicId}", ct);

    public Task<ApiResult<CouponResponse>> CreateCouponAsync(long clinicId, string? code, int? percentOff, decimal? amountOff, string? currency,
        DateTimeOffset? expiresAt, int? maxRedemptions, CancellationToken ct) =>
        SendAsync<CouponResponse>(HttpMethod.Post, "/coupons", new { clinicId, code, percentOff, amountOff, currency, expiresAt, maxRedemptions }, ct);

    public Task<ApiResult<Unit>> EndCouponAsync(long id, CancellationToken ct) => SendAsync<Unit>(HttpMethod.Delete, $"/coupons/{id}", null, ct);

    /// <summary>Each clinic's sums (administrators).</summary>
    public Task<ApiResult<List<ClinicPaymentTotals>>> PaymentTotalsAsync(CancellationToken ct) => GetAsync<List<ClinicPaymentTotals>>("/payments/totals", ct);

    public Task<ApiResult<BookingResponse>> CancelBookingAsync(long id, CancellationToken ct) =>
        SendAsync<BookingResponse>(HttpMethod.Delete, $"/bookings/{id}", null, ct);

    public Task<ApiResult<PagedResult<CustomerBookingResponse>>> CustomerBookingsAsync(long customerId, CancellationToken ct) =>
        GetAsync<PagedResult<CustomerBookingResponse>>($"/customers/{customerId}/bookings?pageSize=100", ct);

    // Clinic staff

    public Task<ApiResult<DoctorResponse>> CreateDoctorAsync(long clinicId, string? name, string? specialization, CancellationToken ct) =>
        SendAsync<DoctorResponse>(HttpMethod.Post, $"/clinics/{clinicId}/doctors", new { name, specialization }, ct);

    public Task<ApiResult<DoctorResponse>> ReplaceDoctorAsync(long id, string? name, string? specialization, CancellationToken ct) =>
        SendAsync<DoctorResponse>(HttpMethod.Put, $"/doctors/{id}", new { name, specialization }, ct);

    public Task<ApiResult<Unit>> DeactivateDoctorAsync(long id, CancellationToken ct) => SendAsync<Unit>(HttpMethod.Delete, $"/doctors/{id}", null, ct);

    public Task<ApiResult<TimeSlotResponse>> CreateShiftAsync(long clinicId, string? name, string? startTime, string? endTime, string? mode,
        Price? price, CancellationToken ct) =>
        SendAsync<TimeSlotResponse>(HttpMethod.Post, $"/clinics/{clinicId}/timeslots", new { name, startTime, endTime, mode, price }, ct);

    public Task<ApiResult<Unit>> DeactivateShiftAsync(long id, CancellationToken ct) => SendAsync<Unit>(HttpMethod.Delete, $"/timeslots/{id}", null, ct);

    public Task<ApiResult<List<DoctorAbsenceResponse>>> ListAbsencesAsync(long doctorId, CancellationToken ct) =>
        GetAsync<List<DoctorAbsenceResponse>>($"/doctors/{doctorId}/absences", ct);

    public Task<ApiResult<DoctorAbsenceOutcome>> MarkAbsenceAsync(long doctorId, DateOnly? from, DateOnly? to, string? note, CancellationToken ct) =>
        SendAsync<DoctorAbsenceOutcome>(HttpMethod.Post, $"/doctors/{doctorId}/absences", new { from, to, note }, ct);

    public Task<ApiResult<List<DoctorSlotResponse>>> ListTemplatesAsync(long doctorId, CancellationToken ct) =>
        GetAsync<List<DoctorSlotResponse>>($"/doctors/{doctorId}/slots", ct);

    public Task<ApiResult<DoctorSlotResponse>> CreateTemplateAsync(long doctorId, long timeSlotId, int? weekday, CancellationToken ct) =>
        SendAsync<DoctorSlotResponse>(HttpMethod.Post, $"/doctors/{doctorId}/slots", new { timeSlotId, weekday }, ct);

    public Task<ApiResult<Unit>> DeleteTemplateAsync(long id, CancellationToken ct) => SendAsync<Unit>(HttpMethod.Delete, $"/doctors/slots/{id}", null, ct);

    public Task<ApiResult<CreateBookingSlotsResponse>> GenerateSlotsAsync(long clinicId, DateOnly? from, DateOnly? to, long? doctorId, CancellationToken ct) =>
        SendAsync<CreateBookingSlotsResponse>(HttpMethod.Post, "/availability/createBookingSlots", new { clinicId, from, to, doctorId }, ct);

    public Task<ApiResult<List<BookingSlotResponse>>> DoctorSlotsAsync(long doctorId, DateOnly from, DateOnly to, CancellationToken ct) =>
        GetAsync<List<BookingSlotResponse>>(Url($"/doctors/{doctorId}/bookingSlots", ("from", Date(from)), ("to", Date(to))), ct);

    public Task<ApiResult<BookingSlotResponse>> GetBookingSlotAsync(long id, CancellationToken ct) => GetAsync<BookingSlotResponse>($"/bookingSlots/{id}", ct);

    public Task<ApiResult<BookingResponse>> SlotBookingAsync(long slotId, CancellationToken ct) => GetAsync<BookingResponse>($"/bookingSlots/{slotId}/booking", ct);

    public async Task<ApiResult<List<PatientResponse>>> PatientsAsync(long clinicId, IEnumerable<long> customerIds, CancellationToken ct)
    {
        var ids = customerIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return new ApiResult<List<PatientResponse>>(HttpStatusCode.OK, [], null);
        }
        var query = string.Join("&", ids.Take(100).Select(id => "id=" + id.ToString(CultureInfo.InvariantCulture)));
        return await GetAsync<List<PatientResponse>>($"/clinics/{clinicId}/patients?{query}", ct);
    }

    // Clinics and their staff (administrators; staff edit their own clinic)

    public Task<ApiResult<ClinicResponse>> CreateClinicAsync(string? name, string? timeZone, string? address, int? maxActiveBookingsPerCustomer,
        bool payAtBooking, CancellationToken ct) =>
        SendAsync<ClinicResponse>(HttpMethod.Post, "/clinics", new { name, timeZone, address, maxActiveBookingsPerCustomer, payAtBooking }, ct);

    public Task<ApiResult<ClinicResponse>> ReplaceClinicAsync(long id, string? name, string? timeZone, string? address, int? maxActiveBookingsPerCustomer,
        bool payAtBooking, CancellationToken ct) =>
        SendAsync<ClinicResponse>(HttpMethod.Put, $"/clinics/{id}", new { name, timeZone, address, maxActiveBookingsPerCustomer, payAtBooking }, ct);

    public Task<ApiResult<Unit>> DeactivateClinicAsync(long id, CancellationToken ct) => SendAsync<Unit>(HttpMethod.Delete, $"/clinics/{id}", null, ct);

    public Task<ApiResult<List<StaffResponse>>> ListStaffAsync(long clinicId, CancellationToken ct) =>
        GetAsync<List<StaffResponse>>($"/clinics/{clinicId}/staff", ct);

    public Task<ApiResult<StaffResponse>> AddStaffAsync(long clinicId, string? name, string? email, string? password, CancellationToken ct) =>
        SendAsync<StaffResponse>(HttpMethod.Post, $"/clinics/{clinicId}/staff", new { name, email, password }, ct);

    public Task<ApiResult<Unit>> RemoveStaffAsync(long clinicId, string accountId, CancellationToken ct) =>
        SendAsync<Unit>(HttpMethod.Delete, $"/clinics/{clinicId}/staff/{Uri.EscapeDataString(accountId)}", null, ct);

    // Notifications (the customer's own choices)

    public Task<ApiResult<NotificationPreferences>> NotificationPreferencesAsync(long customerId, CancellationToken ct) =>
        GetAsync<NotificationPreferences>($"/notifications/preferences/{customerId}", ct);

    public Task<ApiResult<NotificationPreferences>> ReplaceNotificationPreferencesAsync(long customerId, NotificationPreferences choices, CancellationToken ct) =>
        SendAsync<NotificationPreferences>(HttpMethod.Put, $"/notifications/preferences/{customerId}", new NotificationPreferencesRequest(
            choices.EmailConfirmations, choices.EmailCancellations, choices.EmailReminders,
            choices.SmsConfirmations, choices.SmsCancellations, choices.SmsReminders), ct);

    public Task<ApiResult<ClinicNotificationSettings>> ClinicNotificationSettingsAsync(long clinicId, CancellationToken ct) =>
        GetAsync<ClinicNotificationSettings>($"/notifications/clinics/{clinicId}/settings", ct);

    public Task<ApiResult<ClinicNotificationSettings>> ReplaceClinicNotificationSettingsAsync(long clinicId, IReadOnlyList<int> reminderLeadHours, string? senderName, CancellationToken ct) =>
        SendAsync<ClinicNotificationSettings>(HttpMethod.Put, $"/notifications/clinics/{clinicId}/settings",
            new ClinicNotificationSettingsRequest(reminderLeadHours, senderName), ct);

    // Plumbing

    private Task<ApiResult<T>> GetAsync<T>(string url, CancellationToken ct) => SendAsync<T>(HttpMethod.Get, url, null, ct);

    private async Task<ApiResult<T>> SendAsync<T>(HttpMethod method, string url, object? body, CancellationToken ct,
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: ApiJson.Options);
        }
        configure?.Invoke(request);
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return new ApiResult<T>(response.StatusCode, default, await ApiProblem.ReadAsync(response, ct));
            }
            var value = typeof(T) == typeof(Unit) || response.StatusCode == HttpStatusCode.NoContent
                ? default
                : await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct);
            return new ApiResult<T>(response.StatusCode, value, null, response.Headers.Location);
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.CircuitBreaker.BrokenCircuitException or Polly.Timeout.TimeoutRejectedException
                                       || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning(ex, "{Method} {Url} did not get an answer", method, url);
            return new ApiResult<T>(HttpStatusCode.ServiceUnavailable, default, ApiProblem.Unreachable("ClinicBooking"));
        }
    }

    private static string Url(string path, params (string Name, string? Value)[] query) =>
        QueryHelpers.AddQueryString(path, query.Where(q => !string.IsNullOrWhiteSpace(q.Value)).Select(q => KeyValuePair.Create(q.Name, q.Value)));

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Id(long? id) => id?.ToString(CultureInfo.InvariantCulture);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>An answer with no body (204).</summary>
public readonly record struct Unit;

/// <summary>What a patient searches for; <see cref="Mode"/> is in-person, online, or null for either.</summary>
public sealed record SlotFilter(string? Specialization, DateOnly? From, DateOnly? To, long? ClinicId, long? DoctorId, string? Mode = null);
