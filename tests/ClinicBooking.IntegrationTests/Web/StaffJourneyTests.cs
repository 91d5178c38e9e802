using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>Clinic staff and administrators in a real browser, through the web app only.</summary>
public sealed class StaffJourneyTests(ClinicBookingApp app, WebBrowser browser)
{
    private readonly WebScenario _scenario = new(app);

    private string WebApp => app.WebAppUrl;

    [Fact]
    public async Task A_staff_member_sets_up_a_doctor_generates_slots_and_sees_a_patients_booking_in_the_day_schedule()
    {
        var clinicId = (await _scenario.Clinics.CreateClinicAsync(shard: 0, name: "Riverside Clinic")).GetProperty("id").GetInt64();
        var staffEmail = await _scenario.NewStaffAsync(clinicId);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, staffEmail, Tokens.Password);

        // "My clinic" leads straight to the only clinic this account works for.
        await page.GetByRole(AriaRole.Link, new() { Name = "My clinic" }).ClickAsync();
        await page.WaitForPageAsync($"{WebApp}/clinics/{clinicId}");
        await page.AssertAccessibleAsync();

        // Add a doctor (an empty name first: the API's message next to the field).
        var specialization = $"Derm-{Guid.NewGuid():N}"[..12];
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}/doctors");
        await page.GetByLabel("Specialization").FillAsync(specialization);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add doctor" }).ClickAsync();
        await Expect(page.Locator("#name-error")).ToContainTextAsync("required");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Name").FillAsync("Dr Ada Lee");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add doctor" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToBeVisibleAsync();
        await Expect(page.Locator("#doctors")).ToContainTextAsync("Dr Ada Lee");

        // Add a shift with a price (one that is not a number first: said next to the field).
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}/shifts");
        await page.GetByLabel("Name").FillAsync("Morning");
        await page.GetByLabel("Starts").FillAsync("09:00");
        await page.GetByLabel("Ends").FillAsync("11:00");
        await page.GetByLabel("Amount").FillAsync("forty");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add shift" }).ClickAsync();
        await Expect(page.Locator("[id='price.amount-error']")).ToContainTextAsync("must be a number");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Amount").FillAsync("45.50");
        await page.GetByLabel("Currency").FillAsync("EUR");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add shift" }).ClickAsync();
        await Expect(page.Locator("#shifts")).ToContainTextAsync("Morning");
        await Expect(page.Locator("#shifts")).ToContainTextAsync("45.50 EUR");
        await page.AssertAccessibleAsync();

        // The doctor's weekly template: Morning, every day.
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}/doctors");
        await page.GetByRole(AriaRole.Link, new() { Name = "Dr Ada Lee", Exact = true }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/doctors/\d+$"));
        await page.AssertAccessibleAsync();
        var doctorId = long.Parse(new Regex(@"/doctors/(\d+)$").Match(page.Url).Groups[1].Value);
        await page.GetByLabel("Morning on Every day").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save template" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Template saved");
        await Expect(page.GetByLabel("Morning on Every day")).ToBeCheckedAsync();

        // Generate the slots of the day.
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}/generate");
        await page.GetByLabel("From", new() { Exact = true }).FillAsync($"{WebScenario.Day:yyyy-MM-dd}");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync($"{WebScenario.Day:yyyy-MM-dd}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Created");
        await page.AssertAccessibleAsync();
        var slots = await _scenario.Clinics.DoctorSlotsAsync(doctorId, WebScenario.Day, WebScenario.Day);
        Assert.NotEmpty(slots);
        Assert.All(slots, s => Assert.Equal(45.50m, s.GetProperty("price").GetProperty("amount").GetDecimal()));

        // A patient books the first slot (through the API); the day schedule names them and how to reach them.
        var patient = await _scenario.NewPatientAsync("Pat Patient");
        var slotId = slots[0].GetProperty("id").GetInt64();
        var bookingId = await _scenario.BookAsync(slotId, patient.Token);
        var schedule = $"{WebApp}/clinics/{clinicId}/doctors/{doctorId}/schedule?date={WebScenario.Day:yyyy-MM-dd}";
        await Http.WaitUntilAsync(async () =>
        {
            await page.GotoAsync(schedule);
            return (await page.Locator("tr.booked").AllInnerTextsAsync()).Any(row => row.Contains("Pat Patient"));
        });
        var booked = page.Locator("tr.booked");
        await Expect(booked).ToHaveCountAsync(1);
        await Expect(booked).ToContainTextAsync("09:00");
        await Expect(booked).ToContainTextAsync(patient.Email);
        await Expect(booked).ToContainTextAsync("+44 20 7946 0000");
        await Expect(page.Locator("tr.free")).ToHaveCountAsync(slots.Count - 1);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("staff-schedule");
        // The week view shows the same booking.
        await page.OpenAsync(schedule + "&view=week");
        await Expect(page.Locator("tr.booked")).ToContainTextAsync("Pat Patient");

        // Deactivating the doctor is refused while the slot is booked, and says which appointment is in the way.
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}/doctors/{doctorId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate Dr Ada Lee" }).ClickAsync();
        await Expect(page.Locator("#deactivate-problem .blockers li")).ToHaveCountAsync(1);
        await Expect(page.Locator("#deactivate-problem")).ToContainTextAsync("Dr Ada Lee");
        await page.AssertAccessibleAsync();

        // Cancel the booking from the schedule, after a confirmation step.
        await page.GotoAsync(schedule);
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Cancel booking at") }).ClickAsync();
        await Expect(page.Locator("#booking")).ToContainTextAsync("Pat Patient");
        await page.AssertAccessibleAsync();
        Assert.Equal("confirmed", BookingApi.Status(await _scenario.BookingAsync(bookingId)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, cancel the booking" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("cancelled");
        await Expect(page.Locator("tr.booked")).ToHaveCountAsync(0);
        Assert.Equal("cancelled", BookingApi.Status(await _scenario.BookingAsync(bookingId)));

        // Now nothing is in the way: the doctor is deactivated.
        await page.GotoAsync($"{WebApp}/clinics/{clinicId}/doctors/{doctorId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate Dr Ada Lee" }).ClickAsync();
        await page.WaitForPageAsync($"{WebApp}/clinics/{clinicId}/doctors");
        await Expect(page.Locator("#doctors")).ToContainTextAsync("deactivated");
    }

    [Fact]
    public async Task A_staff_member_sets_the_clinics_reminders_and_sender_name()
    {
        var clinicId = (await _scenario.Clinics.CreateClinicAsync(shard: 0, name: "Riverside Clinic")).GetProperty("id").GetInt64();
        var staffEmail = await _scenario.NewStaffAsync(clinicId);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, staffEmail, Tokens.Password);

        await page.OpenAsync($"{WebApp}/clinics/{clinicId}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications" }).Last.ClickAsync();
        await page.WaitForPageAsync($"{WebApp}/clinics/{clinicId}/notifications");
        await page.AssertAccessibleAsync();
        // The platform's reminders until the clinic chooses: 24 and 2 hours.
        await Expect(page.GetByLabel("First reminder")).ToHaveValueAsync("24");
        await Expect(page.GetByLabel("Second reminder")).ToHaveValueAsync("2");

        // Too far ahead: the API's message next to the boxes.
        await page.GetByLabel("Third reminder").FillAsync("400");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save notifications" }).ClickAsync();
        await Expect(page.Locator("#reminderLeadHours-error")).ToContainTextAsync("336");
        await page.AssertAccessibleAsync();

        await page.GetByLabel("First reminder").FillAsync("48");
        await page.GetByLabel("Second reminder").FillAsync("");
        await page.GetByLabel("Third reminder").FillAsync("");
        await page.GetByLabel("Mails come from").FillAsync("Riverside Clinic");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save notifications" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Saved");
        await Expect(page.GetByLabel("First reminder")).ToHaveValueAsync("48");
        await page.AssertAccessibleAsync();

        var saved = await app.Gateway.GetFromJsonAsync<JsonElement>($"/notifications/clinics/{clinicId}/settings", TestContext.Current.CancellationToken);
        Assert.Equal([48], saved.GetProperty("reminderLeadHours").EnumerateArray().Select(h => h.GetInt32()));
        Assert.Equal("Riverside Clinic", saved.GetProperty("senderName").GetString());
    }

    [Fact]
    public async Task A_staff_member_marks_a_doctor_away_and_the_booked_patient_is_told()
    {
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        var patient = await _scenario.NewPatientAsync("Ava Away");
        var booking = await _scenario.BookAsync(slots[0], patient.Token);
        var staffEmail = await _scenario.NewStaffAsync(clinic.Id);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, staffEmail, Tokens.Password);

        await page.OpenAsync($"{WebApp}/clinics/{clinic.Id}/doctors/{clinic.Doctor}");
        // The last day before the first: the API's message next to the field, nothing cancelled.
        await page.GetByLabel("First day away").FillAsync(WebScenario.Day.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Last day away").FillAsync(WebScenario.Day.AddDays(-1).ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark away and cancel those appointments" }).ClickAsync();
        await Expect(page.Locator("#to-error")).ToContainTextAsync("on or after");
        await page.AssertAccessibleAsync();
        Assert.Equal("confirmed", BookingApi.Status(await _scenario.BookingAsync(booking)));

        await page.GetByLabel("Last day away").FillAsync(WebScenario.Day.ToString("yyyy-MM-dd"));
        await page.GetByLabel("Note for the clinic's staff").FillAsync("Conference");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark away and cancel those appointments" }).ClickAsync();
        await Expect(page.Locator("#away-outcome")).ToContainTextAsync("1 booking(s) cancelled, 3 free slot(s) removed");
        await Expect(page.Locator("#absences")).ToContainTextAsync("Conference");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("doctor-away");

        var cancelled = await _scenario.BookingAsync(booking);
        Assert.Equal(("cancelled", Messages.CancelReasons.DoctorAbsent), (BookingApi.Status(cancelled), cancelled.GetProperty("reason").GetString()));
        var mails = await app.Inbox.WaitForAsync(patient.Email, m => m.Any(x => x.Subject.StartsWith("Cancelled:", StringComparison.Ordinal)));
        Assert.Contains("Dr Ada Lee is unavailable that day", mails.Single(m => m.Subject.StartsWith("Cancelled:", StringComparison.Ordinal)).Text);
    }

    [Fact]
    public async Task The_desk_charges_takes_payment_and_gives_credit_a_patient_uses_a_coupon_and_reads_the_receipt_and_an_administrator_sees_the_totals()
    {
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        foreach (var shift in (await _scenario.Clinics.DoctorSlotsAsync(clinic.Doctor, WebScenario.Day, WebScenario.Day)).Select(s => s.GetProperty("timeSlotId").GetInt64()).Distinct())
        {
            await _scenario.Clinics.PriceShiftAsync(shift, new { amount = 50m, currency = "EUR" });
        }
        var patient = await _scenario.NewPatientAsync("Petra Payer");
        await _scenario.BookAsync(slots[0], patient.Token);
        var staffEmail = await _scenario.NewStaffAsync(clinic.Id);

        // The clinic's staff make a coupon: 10.00 EUR off.
        await using var staffContext = await browser.NewContextAsync();
        var desk = await staffContext.NewPageAsync();
        await desk.SignInAsync(WebApp, staffEmail, Tokens.Password);
        await desk.OpenAsync($"{WebApp}/clinics/{clinic.Id}/coupons");
        await desk.GetByLabel("Code").FillAsync("TEN-OFF");
        await desk.GetByLabel("Amount off").FillAsync("10");
        await desk.GetByLabel("Currency of the amount").FillAsync("eur");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Create coupon" }).ClickAsync();
        await Expect(desk.Locator("#outcome")).ToContainTextAsync("Coupon TEN-OFF created");
        await Expect(desk.Locator("#coupons")).ToContainTextAsync("10.00 EUR off");
        await desk.AssertAccessibleAsync();

        // The patient finds the invoice in My bookings (made a moment after the booking) and uses the coupon.
        await using var patientContext = await browser.NewContextAsync();
        var page = await patientContext.NewPageAsync();
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);
        await Http.WaitUntilAsync(async () =>
        {
            await page.OpenAsync($"{WebApp}/bookings");
            return await page.Locator("#invoices a").CountAsync() == 1;
        });
        await page.AssertAccessibleAsync();
        await page.Locator("#invoices a").ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/invoices/\d+$"));
        var invoiceId = long.Parse(page.Url.Split('/')[^1]);
        await page.GetByLabel("Coupon code").FillAsync("no-such");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply coupon" }).ClickAsync();
        await Expect(page.Locator("#code-error")).ToContainTextAsync("no coupon NO-SUCH");
        await page.GetByLabel("Coupon code").FillAsync("ten-off");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply coupon" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToHaveTextAsync("Your coupon was applied.");
        await Expect(page.Locator("#receipt")).ToContainTextAsync("coupon discount");
        await Expect(page.Locator("#receipt .outstanding")).ToContainTextAsync("40.00 EUR");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pay 40.00 EUR by card" })).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        // The desk: the invoice in the clinic's list, an X-ray added, the rest taken at the desk, 15.00 given back as credit.
        await desk.GetByRole(AriaRole.Link, new() { Name = "Payments" }).ClickAsync();
        await desk.WaitForPageAsync($"{WebApp}/clinics/{clinic.Id}/payments");
        await Expect(desk.Locator("#invoices")).ToContainTextAsync("Petra Payer");
        await desk.AssertAccessibleAsync();
        await desk.GetByRole(AriaRole.Link, new() { Name = $"Invoice {invoiceId}" }).ClickAsync();
        await desk.GetByLabel("What for").FillAsync("X-ray");
        await desk.GetByLabel("Charge amount (EUR)").FillAsync("30");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Add charge" }).ClickAsync();
        await Expect(desk.Locator("#outcome")).ToHaveTextAsync("The charge was added to the invoice.");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Record payment" }).ClickAsync();
        await Expect(desk.Locator("#outcome")).ToHaveTextAsync("The payment was recorded.");
        await Expect(desk.Locator("#invoice-summary")).ToContainTextAsync("paid");
        await desk.GetByLabel("Credit amount (EUR)").FillAsync("15");
        await desk.GetByLabel("Reason (the patient reads it)").FillAsync("The doctor ran late");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Issue credit" }).ClickAsync();
        await Expect(desk.Locator("#outcome")).ToContainTextAsync("The credit was issued");
        await Expect(desk.Locator("#credit")).ToHaveTextAsync("15.00 EUR");
        await desk.AssertAccessibleAsync();
        // Paid at the desk: there is no card to refund to, and the page says so.
        await desk.GetByLabel("Refund amount (EUR)").FillAsync("5");
        await desk.GetByRole(AriaRole.Button, new() { Name = "Refund to card" }).ClickAsync();
        await Expect(desk.GetByRole(AriaRole.Alert)).ToContainTextAsync("was paid by card");
        await desk.AssertAccessibleAsync();

        // The patient's receipt and credit.
        await page.OpenAsync($"{WebApp}/invoices/{invoiceId}");
        await Expect(page.Locator("#receipt")).ToContainTextAsync("X-ray");
        await Expect(page.Locator("#receipt")).ToContainTextAsync("at the clinic's desk");
        await Expect(page.Locator("#receipt .outstanding")).ToContainTextAsync("0.00 EUR");
        await page.OpenAsync($"{WebApp}/bookings");
        await Expect(page.Locator("#credit")).ToContainTextAsync("15.00 EUR at Riverside Clinic");
        await page.AssertAccessibleAsync();

        // An administrator sees the clinic's sums, and no invoice; the staff's page of totals is not theirs.
        await using var adminContext = await browser.NewContextAsync();
        var admin = await adminContext.NewPageAsync();
        await admin.SignInAsync(WebApp, ClinicBookingApp.AdministratorEmail, app.AdministratorPassword);
        await admin.GetByRole(AriaRole.Link, new() { Name = "Payments", Exact = true }).ClickAsync();
        await admin.WaitForPageAsync($"{WebApp}/admin/payments");
        var row = admin.Locator($"#totals tr:has(a[href='/clinics/{clinic.Id}'])");
        await Expect(row).ToContainTextAsync("80.00 EUR");
        await Expect(row).ToContainTextAsync("10.00 EUR");
        await Expect(row).ToContainTextAsync("15.00 EUR");
        await admin.AssertAccessibleAsync();
        Assert.Equal(404, await desk.OpenAsync($"{WebApp}/admin/payments"));
        Assert.Equal(404, await page.OpenAsync($"{WebApp}/clinics/{clinic.Id}/invoices/{invoiceId}"));
    }

    [Fact]
    public async Task Staff_of_one_clinic_cannot_reach_another_clinics_pages_or_data()
    {
        var (mine, _) = await _scenario.ClinicWithSlotsAsync();
        var (other, otherSlots) = await _scenario.ClinicWithSlotsAsync();
        var patient = await _scenario.NewPatientAsync("Olive Other");
        await _scenario.BookAsync(otherSlots[0], patient.Token);
        var staffEmail = await _scenario.NewStaffAsync(mine.Id);
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, staffEmail, Tokens.Password);

        string[] othersPages =
        [
            $"/clinics/{other.Id}", $"/clinics/{other.Id}/doctors", $"/clinics/{other.Id}/shifts", $"/clinics/{other.Id}/generate",
            $"/clinics/{other.Id}/staff", $"/clinics/{other.Id}/doctors/{other.Doctor}", $"/clinics/{other.Id}/doctors/{other.Doctor}/schedule",
            $"/clinics/{other.Id}/slots/{otherSlots[0]}/cancel",
            // The other clinic's doctor and slot under this staff member's own clinic.
            $"/clinics/{mine.Id}/doctors/{other.Doctor}", $"/clinics/{mine.Id}/doctors/{other.Doctor}/schedule",
            $"/clinics/{mine.Id}/slots/{otherSlots[0]}/cancel",
            "/admin/clinics",
        ];
        foreach (var path in othersPages)
        {
            Assert.Equal(404, await page.OpenAsync(WebApp + path));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
            Assert.DoesNotContain("Olive Other", await page.ContentAsync());
        }

        // Their own clinic's pages open.
        Assert.Equal(200, await page.OpenAsync($"{WebApp}/clinics/{mine.Id}/doctors/{mine.Doctor}/schedule?date={WebScenario.Day:yyyy-MM-dd}"));
        await Expect(page.Locator("tr.free").First).ToBeVisibleAsync();
    }

    /// <summary>
    /// Reads the administrators' list of all clinics page by page through "More clinics", to the last page:
    /// no clinic appears twice, and the clinic appears once, with its status.
    /// </summary>
    private async Task AssertListedAsync(IPage page, string name, string status)
    {
        await page.OpenAsync($"{WebApp}/admin/clinics");
        var row = page.Locator("#clinics tr", new() { HasText = name });
        var more = page.GetByRole(AriaRole.Link, new() { Name = "More clinics" });
        var listed = new HashSet<string>();
        var foundOn = new List<int>();
        for (var pages = 1; ; pages++)
        {
            var links = await page.Locator("#clinics tbody th a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
            Assert.All(links, link => Assert.True(listed.Add(link), $"{link} is listed again on page {pages}."));
            if (await row.CountAsync() > 0)
            {
                foundOn.Add(pages);
                await Expect(row.Locator("td").Last).ToHaveTextAsync(status);
                await page.AssertAccessibleAsync();
            }
            if (await more.CountAsync() == 0)
            {
                Assert.True(pages > 1, $"All {listed.Count} clinics are on one page: the list did not page.");
                TestContext.Current.TestOutputHelper?.WriteLine($"{listed.Count} clinics on {pages} pages; {name} on page(s) {string.Join(", ", foundOn)}.");
                break;
            }
            // Every page after the first has an "after" in its address: wait for this link's own.
            var next = await more.GetAttributeAsync("href") ?? "";
            await more.ClickAsync();
            await page.WaitForPageAsync(WebApp + next);
        }
        Assert.Single(foundOn);
    }

    [Fact]
    public async Task An_administrator_creates_a_clinic_and_its_staff_with_mistakes_shown_next_to_their_fields()
    {
        // The list shows 50 clinics to a page: more than a page of clinics, however many the tests that ran
        // before made, so reading it goes through "More clinics".
        var listed = await app.Gateway.GetFromJsonAsync<JsonElement>("/clinics?limit=51&includeInactive=true", TestContext.Current.CancellationToken);
        for (var count = listed.GetProperty("items").GetArrayLength(); count <= 50; count++)
        {
            await _scenario.Clinics.CreateClinicIdAsync();
        }
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, ClinicBookingApp.AdministratorEmail, app.AdministratorPassword);

        await page.GetByRole(AriaRole.Link, new() { Name = "Clinics", Exact = true }).ClickAsync();
        await page.WaitForPageAsync($"{WebApp}/admin/clinics");
        await page.AssertAccessibleAsync();
        var name = $"Hillside {Guid.NewGuid():N}"[..16];
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Time zone").FillAsync("Mars/Olympus");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create clinic" }).ClickAsync();
        await Expect(page.Locator("#timeZone-error")).ToContainTextAsync("IANA");
        await Expect(page.GetByLabel("Time zone")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Name")).ToHaveValueAsync(name);
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Time zone").FillAsync("Europe/London");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create clinic" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/clinics/\d+\?saved=created$"));
        var clinicId = long.Parse(new Regex(@"/clinics/(\d+)").Match(page.Url).Groups[1].Value);
        await page.AssertAccessibleAsync();

        // Its first staff member; then the staff member signs in and manages it.
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}/staff");
        var email = Http.UniqueEmail("desk");
        await page.GetByLabel("Name").FillAsync("Dana Desk");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(Tokens.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add staff account" }).ClickAsync();
        await Expect(page.Locator("#staff")).ToContainTextAsync(email);
        await page.AssertAccessibleAsync();

        // Edit, then deactivate the clinic: its page says so, and the list of all clinics shows it deactivated.
        await page.OpenAsync($"{WebApp}/clinics/{clinicId}");
        await page.GetByLabel("Address").FillAsync("2 Hill Rd");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save details" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("saved");
        await Expect(page.GetByLabel("Address")).ToHaveValueAsync("2 Hill Rd");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Deactivate {name}" }).ClickAsync();
        await page.WaitForPageAsync($"{WebApp}/clinics/{clinicId}?saved=deactivated");
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Clinic deactivated");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Deactivate {name}" })).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        await AssertListedAsync(page, name, "deactivated");
        // A hand-edited page link: the list says why it cannot show that page.
        Assert.Equal(200, await page.OpenAsync($"{WebApp}/admin/clinics?after=nonsense"));
        await Expect(page.Locator("#list-problem")).ToBeVisibleAsync();

        await using var staffContext = await browser.NewContextAsync();
        var staff = await staffContext.NewPageAsync();
        await staff.SignInAsync(WebApp, email, Tokens.Password);
        Assert.Equal(200, await staff.OpenAsync($"{WebApp}/clinics/{clinicId}/staff"));
        await Expect(staff.GetByRole(AriaRole.Button, new() { Name = "Add staff account" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Pages_not_for_an_account_unknown_pages_and_malformed_links_answer_plainly()
    {
        var patient = await _scenario.NewPatientAsync("Nora Nobody");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        Assert.Equal(404, await page.OpenAsync($"{WebApp}/no-such-page"));
        Assert.Equal(404, await page.OpenAsync($"{WebApp}/doctors/1"));
        Assert.Equal(404, await page.OpenAsync($"{WebApp}/doctors/abc"));
        // A hand-edited search link: the search shows its defaults, never an error page.
        Assert.Equal(200, await page.OpenAsync($"{WebApp}/?from=yesterday&to=2026-13-45&clinicId=x&doctorId=%00&after=nonsense"));
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);
        Assert.Equal(404, await page.OpenAsync($"{WebApp}/admin/clinics"));
        Assert.Equal(200, await page.OpenAsync($"{WebApp}/clinics"));
        await Expect(page.GetByText("does not work for a clinic")).ToBeVisibleAsync();
        Assert.Equal(404, await page.OpenAsync($"{WebApp}/bookings/{(64L << 30) | 1}"));
        Assert.Equal(200, await page.OpenAsync($"{WebApp}/book/1?doctorId=abc&date=never"));
        await Expect(page.Locator("#outcome")).ToContainTextAsync("no longer free");
        Assert.Equal(200, await page.OpenAsync($"{WebApp}/denied"));
    }
}
