using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>A patient in a real browser (Debian's Chromium) against the real system, through the web app only.</summary>
public sealed class PatientJourneyTests(ClinicBookingApp app, WebBrowser browser)
{
    private readonly WebScenario _scenario = new(app);

    private string WebApp => app.WebAppUrl;

    [Fact]
    public async Task A_patient_signs_up_searches_books_sees_the_booking_and_cancels_it()
    {
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();

        // Sign up (a field error first: the API's problem shown next to the field), then sign in on the identity page.
        await page.OpenAsync($"{WebApp}/signup");
        var email = Http.UniqueEmail("web-patient");
        await page.GetByLabel("Full name").FillAsync("Ann Lee");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("short");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator("#password-error")).ToContainTextAsync("10");
        await Expect(page.GetByLabel("Password")).ToHaveAttributeAsync("aria-invalid", "true");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Password").FillAsync(Tokens.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Follow its link to activate your account");
        await page.AssertAccessibleAsync();

        // The link in the verification mail activates the account; then she signs in.
        var verification = Assert.Single(await app.Inbox.WaitForAsync(email, m => m.Count >= 1, accountMails: true));
        await page.OpenAsync(verification.LinkTo("/account/verify-email").AbsoluteUri);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify my email address" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("your account is active");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await page.SignInOnLoginPageAsync(email, Tokens.Password);
        await Expect(page.GetByText("Ann Lee")).ToBeVisibleAsync();

        // Search by specialization and dates: sorted by time, in the clinic's time with its zone named.
        await page.OpenAsync($"{WebApp}/");
        await page.GetByLabel("Specialization").FillAsync(clinic.Specialization);
        await page.GetByLabel("From", new() { Exact = true }).FillAsync(WebScenario.Day.ToString("yyyy-MM-dd"));
        await page.GetByLabel("To", new() { Exact = true }).FillAsync(WebScenario.Day.ToString("yyyy-MM-dd"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var results = page.Locator("#results article");
        await Expect(results).ToHaveCountAsync(3);
        await Expect(results.First).ToContainTextAsync("Europe/Berlin");
        await Expect(results.Nth(0)).ToContainTextAsync("08:00");
        await Expect(results.Nth(1)).ToContainTextAsync("09:00");
        await Expect(results.Nth(2)).ToContainTextAsync("10:00");
        await Expect(page.Locator("#next-heading")).ToBeVisibleAsync();
        await Expect(page.Locator("#partial")).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("patient-search");

        // The doctor's page lists the same free times.
        await results.First.GetByRole(AriaRole.Link).First.ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/doctors/\d+$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1, Name = "Dr Ada Lee" })).ToBeVisibleAsync();
        await Expect(page.Locator(".times a")).ToHaveCountAsync(3);
        await Expect(page.Locator(".times a").First).ToContainTextAsync("08:00");
        await page.AssertAccessibleAsync();
        await page.GoBackAsync();

        // Book the earliest: one click, a clear answer.
        await results.First.GetByRole(AriaRole.Link, new() { Name = "Book" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/book/\d+"));
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).ClickAsync();
        await BookedAsync(page);
        var bookingId = long.Parse(page.Url.Split('/')[^1]);
        await ConfirmedAsync(page);
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("booking-confirmation");

        // The confirmation mail, as the patient reads it in the local inbox (smtp4dev's page, not ours: no axe).
        await app.Inbox.WaitForAsync(email, m => m.Count >= 1);
        var inbox = await context.NewPageAsync();
        await inbox.GotoAsync(app.Inbox.Url.AbsoluteUri);
        // Its sign-up brought a verification mail too: the confirmation is the one about the booking.
        await inbox.Locator("tr.el-table__row", new() { HasText = email }).Filter(new() { HasText = "Confirmed:" }).First.ClickAsync();
        await Expect(inbox.Locator("iframe").First.ContentFrame.GetByText("your appointment is confirmed.")).ToBeVisibleAsync();
        await inbox.ScreenshotAsync("confirmation-mail");
        await inbox.CloseAsync();
        Assert.Equal(slots[0], (await _scenario.BookingAsync(bookingId)).GetProperty("bookingSlotId").GetInt64());

        // My bookings lists it as upcoming (the list trails the booking by a moment), and cancels it.
        await Http.WaitUntilAsync(async () =>
        {
            await page.GotoAsync($"{WebApp}/bookings");
            return await page.Locator($"#upcoming #booking-{bookingId}").CountAsync() == 1;
        });
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Cancel the appointment") }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("cancelled");
        Assert.Equal("cancelled", BookingApi.Status(await _scenario.BookingAsync(bookingId)));
        Assert.False(await _scenario.Bookings.IsBookedAsync(slots[0]));
        await Http.WaitUntilAsync(async () =>
        {
            await page.GotoAsync($"{WebApp}/bookings");
            return await page.Locator($"#past #booking-{bookingId}").CountAsync() == 1;
        });
        await Expect(page.Locator($"#booking-{bookingId}").Locator("xpath=..")).ToContainTextAsync("cancelled");

        // Signing out ends the session: the bookings page asks to sign in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GotoAsync($"{WebApp}/bookings");
        await page.WaitForPageAsync(new Regex("/account/login"));
    }

    [Fact]
    public async Task A_patient_filters_for_online_appointments_books_one_and_joins_its_video_call_from_my_bookings()
    {
        // One doctor, two shifts today: a video clinic starting in minutes, and an in-person one after it.
        var online = await _scenario.Clinics.OnlineSoonAsync("Telehealth Clinic", "Dr Vida Video");
        var later = online.Start.AddMinutes(40);
        using (var shift = await app.Gateway.PostAsJsonAsync($"/clinics/{online.ClinicId}/timeslots",
                   new { name = "At the clinic", startTime = later.ToString("HH:mm"), endTime = later.AddMinutes(30).ToString("HH:mm") }, TestContext.Current.CancellationToken))
        using (var slot = await app.Gateway.PostAsJsonAsync("/bookingSlots", new
               {
                   doctorId = online.DoctorId,
                   timeSlotId = (await shift.ReadJsonAsync()).GetProperty("id").GetInt64(),
                   date = online.Date,
               }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, slot.StatusCode);
        }
        var patient = await _scenario.NewPatientAsync("Olga Online");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);

        // Both show without a choice; asking for online leaves the video clinic only, and says so.
        await page.OpenAsync($"{WebApp}/?specialization={online.Specialization}&from={online.Date:yyyy-MM-dd}&to={online.Date:yyyy-MM-dd}");
        var results = page.Locator("#results article");
        await Expect(results).ToHaveCountAsync(2);
        await page.GetByLabel("How").SelectOptionAsync(new SelectOptionValue { Label = "Online (video call)" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForPageAsync(new Regex("mode=online"));
        await Expect(results).ToHaveCountAsync(1);
        await Expect(results.First).ToContainTextAsync("Online (video call)");
        await page.AssertAccessibleAsync();

        // Book it: the booking page says it is online and leads to the video call.
        await results.First.GetByRole(AriaRole.Link, new() { Name = "Book" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/book/\d+"));
        await Expect(page.Locator("#mode")).ToHaveTextAsync("Online (video call)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).ClickAsync();
        await BookedAsync(page);
        await ConfirmedAsync(page);
        var bookingId = long.Parse(page.Url.Split('/')[^1]);
        await Expect(page.Locator("#mode")).ToContainTextAsync("Online (video call)");
        await Expect(page.Locator("#video-call")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        // My bookings: the call starts in minutes, so it is open, and the patient joins from the list (its
        // meeting is made just after the booking, and the list trails it by a moment).
        await Http.WaitUntilAsync(async () =>
        {
            await page.GotoAsync($"{WebApp}/bookings");
            return await page.Locator($"#upcoming #booking-{bookingId}").Locator("xpath=..").GetByRole(AriaRole.Link, new() { Name = "Join the video call" }).CountAsync() == 1;
        });
        await page.AssertAccessibleAsync();
        await page.Locator($"#upcoming #booking-{bookingId}").Locator("xpath=..").GetByRole(AriaRole.Link, new() { Name = "Join the video call" }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/video/[0-9a-f]+\?as=patient"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You joined as the patient");
        await page.AssertAccessibleAsync();

        // The appointment's own page (the mail's link) shows the same, in the clinic's time.
        await page.OpenAsync($"{WebApp}/consultations/{bookingId}");
        await Expect(page.Locator("#call-status")).ToContainTextAsync("The video call is open until");
        await Expect(page.Locator("#join")).ToBeVisibleAsync();
        await page.AssertAccessibleAsync();

        // The clinic's staff see the doctor's own link in the day's schedule, and it opens as the doctor.
        var staffEmail = await _scenario.NewStaffAsync(online.ClinicId);
        await using var staffContext = await browser.NewContextAsync();
        var staff = await staffContext.NewPageAsync();
        await staff.SignInAsync(WebApp, staffEmail, Tokens.Password);
        await staff.OpenAsync($"{WebApp}/clinics/{online.ClinicId}/doctors/{online.DoctorId}/schedule?date={online.Date:yyyy-MM-dd}");
        await staff.AssertAccessibleAsync();
        await staff.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Join as doctor") }).ClickAsync();
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You joined as the doctor");
        await Expect(staff.GetByRole(AriaRole.Main)).ToContainTextAsync("The patient joined at");
    }

    [Fact]
    public async Task A_patient_chooses_which_messages_they_get_on_the_notifications_page()
    {
        var patient = await _scenario.NewPatientAsync("Nia Notify");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);

        // From the menu; the defaults: every mail, and texts for what cannot wait (cancellations, reminders).
        await page.GetByRole(AriaRole.Link, new() { Name = "Notifications" }).ClickAsync();
        await page.WaitForPageAsync(new Regex("/notifications$"));
        await page.AssertAccessibleAsync();
        var texts = page.GetByRole(AriaRole.Group, new() { Name = "By text message" });
        var mails = page.GetByRole(AriaRole.Group, new() { Name = "By email" });
        await Expect(mails.GetByLabel("Reminders before an appointment")).ToBeCheckedAsync();
        await Expect(texts.GetByLabel("Reminders before an appointment")).ToBeCheckedAsync();
        await Expect(texts.GetByLabel("Confirmations")).Not.ToBeCheckedAsync();

        await texts.GetByLabel("Reminders before an appointment").UncheckAsync();
        await mails.GetByLabel("Confirmations, with a calendar entry").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save choices" }).ClickAsync();
        await Expect(page.Locator("#outcome")).ToContainTextAsync("Saved");
        await page.AssertAccessibleAsync();
        await page.ScreenshotAsync("notification-preferences");
        await Expect(texts.GetByLabel("Reminders before an appointment")).Not.ToBeCheckedAsync();

        // What NotificationService now holds, as the dispatcher will read it.
        var saved = await app.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>($"/notifications/preferences/{patient.CustomerId}", TestContext.Current.CancellationToken);
        Assert.False(saved.GetProperty("smsReminders").GetBoolean());
        Assert.True(saved.GetProperty("smsCancellations").GetBoolean());
        Assert.False(saved.GetProperty("emailConfirmations").GetBoolean());
        Assert.True(saved.GetProperty("emailReminders").GetBoolean());
    }

    [Fact]
    public async Task A_double_click_or_a_retry_after_a_timeout_books_once()
    {
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        var patient = await _scenario.NewPatientAsync("Dee Double");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);

        // A double click on the button: Chromium sends the form once, others may send it twice. Either way one booking.
        var bookPage = $"{WebApp}/book/{slots[0]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}";
        await page.GotoAsync(bookPage);
        await page.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).DblClickAsync();
        await BookedAsync(page);
        await ConfirmedAsync(page);
        Assert.Equal((1L, 1L), await _scenario.Bookings.CountBookingsAsync(clinic.Shard, slots[0]));

        // The same form sent twice at once (a browser that does not hold back a second click, or two tabs): both
        // posts carry the attempt's one key and land on the same booking.
        await page.GotoAsync($"{WebApp}/book/{slots[2]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}");
        var twice = await FormFieldsAsync(page);
        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => context.APIRequest.PostAsync(
            $"{WebApp}/book/{slots[2]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}", new() { Form = FormOf(context, twice), MaxRedirects = 0 })));
        Assert.All(answers, a => Assert.Equal(302, a.Status));
        Assert.Single(answers.Select(a => a.Headers["location"]).Distinct());
        Assert.Equal((1L, 1L), await _scenario.Bookings.CountBookingsAsync(clinic.Shard, slots[2]));

        // The answer to a booking is lost (the connection drops after the server booked); the person sends the
        // same form again, as the browser's retry would: the same booking, not a second one.
        await page.GotoAsync($"{WebApp}/book/{slots[1]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}");
        var fields = await FormFieldsAsync(page);
        await page.RouteAsync("**/book/**", async route =>
        {
            if (route.Request.Method == "POST")
            {
                await route.FetchAsync();
                await route.AbortAsync("timedout");
                return;
            }
            await route.ContinueAsync();
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).ClickAsync();
        await Http.WaitUntilAsync(async () => (await _scenario.Bookings.CountBookingsAsync(clinic.Shard, slots[1])).All == 1);
        await page.UnrouteAllAsync();
        var retry = await context.APIRequest.PostAsync($"{WebApp}/book/{slots[1]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}",
            new() { Form = FormOf(context, fields), MaxRedirects = 0 });
        Assert.Equal(302, retry.Status);
        Assert.Matches(@"/bookings/\d+$", retry.Headers["location"]);
        Assert.Equal((1L, 1L), await _scenario.Bookings.CountBookingsAsync(clinic.Shard, slots[1]));
    }

    [Fact]
    public async Task Two_browsers_race_for_the_same_slot_and_exactly_one_gets_it()
    {
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        var pages = new List<IPage>();
        var contexts = new List<IBrowserContext>();
        foreach (var name in new[] { "Rae Racer", "Rob Racer" })
        {
            var patient = await _scenario.NewPatientAsync(name);
            var context = await browser.NewContextAsync();
            contexts.Add(context);
            var page = await context.NewPageAsync();
            await page.SignInAsync(WebApp, patient.Email, Tokens.Password);
            await page.GotoAsync($"{WebApp}/book/{slots[0]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}");
            pages.Add(page);
        }
        try
        {
            await Task.WhenAll(pages.Select(p => p.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).ClickAsync()));
            foreach (var page in pages)
            {
                await Expect(page.Locator("#outcome")).ToBeVisibleAsync();
            }
            var outcomes = await Task.WhenAll(pages.Select(p => p.Locator("#outcome").InnerTextAsync()));
            Assert.Single(outcomes, o => o.Contains("has just been taken"));
            Assert.Single(outcomes, o => o.Contains("Booked") || o.Contains("Almost there"));
            var taken = pages[Array.FindIndex(outcomes, o => o.Contains("has just been taken"))];
            await taken.AssertAccessibleAsync();
            Assert.Equal(1L, (await _scenario.Bookings.CountBookingsAsync(clinic.Shard, slots[0])).Active);
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task At_phone_width_a_patient_finds_and_books_with_the_keyboard_alone()
    {
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        var patient = await _scenario.NewPatientAsync("Kim Keys");
        await using var context = await browser.NewContextAsync(new ViewportSize { Width = 375, Height = 740 });
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);

        await page.OpenAsync($"{WebApp}/?specialization={clinic.Specialization}&from={WebScenario.Day:yyyy-MM-dd}&to={WebScenario.Day:yyyy-MM-dd}");
        await AssertFitsAsync(page);
        // From the top of the page: the skip link first, then on by Tab to the first "Book", Enter.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        await TabToAsync(page, "Book");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForPageAsync(new Regex(@"/book/\d+"));
        await page.AssertAccessibleAsync();
        await AssertFitsAsync(page);
        await TabToAsync(page, "Book this appointment");
        await page.Keyboard.PressAsync("Enter");
        await BookedAsync(page);
        await ConfirmedAsync(page);
        await AssertFitsAsync(page);
        Assert.True(await _scenario.Bookings.IsBookedAsync(slots[0]));
    }

    [Fact]
    public async Task Search_pages_on_with_more_and_says_when_some_clinics_did_not_answer()
    {
        // Seven days of three slots: 21 free appointments, one more than a page.
        var (clinic, _) = await _scenario.ClinicWithSlotsAsync();
        await _scenario.Clinics.GenerateAsync(clinic.Id, WebScenario.Day, WebScenario.Day.AddDays(6));
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var search = $"{WebApp}/?specialization={clinic.Specialization}&from={WebScenario.Day:yyyy-MM-dd}&to={WebScenario.Day.AddDays(6):yyyy-MM-dd}";

        await page.OpenAsync(search);
        await Expect(page.Locator("#results article")).ToHaveCountAsync(20);
        var firstPage = await page.Locator("#results time").AllInnerTextsAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "More appointments" }).ClickAsync();
        await Expect(page.Locator("#results article")).ToHaveCountAsync(1);
        await Expect(page.Locator("#results article")).ToContainTextAsync("10:00");
        Assert.DoesNotContain(await page.Locator("#results time").InnerTextAsync(), firstPage);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "More appointments" })).ToHaveCountAsync(0);
        await page.AssertAccessibleAsync();

        // The cell of shard 1 stops: the search still answers with shard 0's clinics, and says some are missing.
        await app.StopAsync(ResourceNames.ClinicCell(1));
        try
        {
            await page.OpenAsync(search);
            await Expect(page.Locator("#partial")).ToContainTextAsync("did not answer");
            await Expect(page.Locator("#results article")).ToHaveCountAsync(20);
        }
        finally
        {
            await app.StartAsync(ResourceNames.ClinicCell(1));
        }
        await page.OpenAsync(search);
        await Expect(page.Locator("#partial")).ToHaveCountAsync(0);
    }

    /// <summary>The post of the booking form has led to the booking's page; if not, fails with what the page said.</summary>
    [Fact]
    public async Task A_patient_pays_for_a_paid_slot_with_the_success_card_and_sees_the_receipt_and_with_the_decline_card_the_slot_is_released()
    {
        // A clinic that asks for payment when booking: 40.00 EUR a visit.
        var (clinic, slots) = await _scenario.ClinicWithSlotsAsync();
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, $"/clinics/{clinic.Id}") { Content = Http.Json("""{"payAtBooking": true}""", "application/merge-patch+json") })
        using (var patched = await app.Gateway.SendAsync(patch, TestContext.Current.CancellationToken))
        {
            Assert.True(patched.IsSuccessStatusCode);
        }
        foreach (var shift in (await _scenario.Clinics.DoctorSlotsAsync(clinic.Doctor, WebScenario.Day, WebScenario.Day)).Select(s => s.GetProperty("timeSlotId").GetInt64()).Distinct())
        {
            await _scenario.Clinics.PriceShiftAsync(shift, new { amount = 40m, currency = "EUR" });
        }
        var patient = await _scenario.NewPatientAsync("Paul Prepaid");
        await using var context = await browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.SignInAsync(WebApp, patient.Email, Tokens.Password);

        // Book: the slot is held while the patient pays, and the booking page asks for the payment.
        await page.OpenAsync($"{WebApp}/book/{slots[0]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).ClickAsync();
        await BookedAsync(page);
        await OutcomeAsync(page, "Held for you: pay to confirm your appointment.");
        await Expect(page.Locator("#price")).ToHaveTextAsync("40.00 EUR");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 40.00 EUR now" }).ClickAsync();

        // The provider's page (the local one, through the gateway): the success card pays and comes back.
        await page.WaitForPageAsync(new Regex("/local-pay/checkout/"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Pay by card");
        await page.AssertAccessibleAsync();
        await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay ") }).ClickAsync();
        await page.WaitForPageAsync(new Regex(@"/checkouts/\d+$"));
        await OutcomeAsync(page, "Thank you: 40.00 EUR was paid by card.");
        await Expect(page.Locator("#receipt")).ToContainTextAsync("Appointment on");
        await Expect(page.Locator("#receipt")).ToContainTextAsync("40.00 EUR");
        await page.AssertAccessibleAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^Your appointment") }).ClickAsync();
        await OutcomeAsync(page, "Booked: your appointment is confirmed.");

        // Another slot, paid with the decline card: refused, nothing taken, and once the time to pay runs out the
        // slot is given back and bookable again.
        await page.OpenAsync($"{WebApp}/book/{slots[1]}?doctorId={clinic.Doctor}&date={WebScenario.Day:yyyy-MM-dd}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Book this appointment" }).ClickAsync();
        await BookedAsync(page);
        var unpaid = page.Url;
        await OutcomeAsync(page, "Held for you: pay to confirm your appointment.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Pay 40.00 EUR now" }).ClickAsync();
        await page.WaitForPageAsync(new Regex("/local-pay/checkout/"));
        await page.GetByLabel("Card number").FillAsync("4000 0000 0000 0002");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay ") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Your card was declined.");
        await page.AssertAccessibleAsync();
        await page.GotoAsync(unpaid);
        await OutcomeAsync(page, "Not booked: it was not paid in time, so the time was given back. Nothing was charged.",
            seconds: (int)ClinicBookingApp.PaymentHold.TotalSeconds + 30);
        await page.AssertAccessibleAsync();
        var other = await _scenario.NewPatientAsync("Olive Other");
        await _scenario.BookAsync(slots[1], other.Token);
    }

    /// <summary>Reloads the page until its outcome says <paramref name="text"/> (the saga and the provider answer a moment later).</summary>
    private static async Task OutcomeAsync(IPage page, string text, int seconds = 30) =>
        await Http.WaitUntilAsync(async () =>
        {
            if ((await page.Locator("#outcome").InnerTextAsync()).Contains(text))
            {
                return true;
            }
            await page.ReloadAsync();
            return false;
        }, seconds: seconds);

    private static async Task BookedAsync(IPage page)
    {
        var booked = new Regex(@"/bookings/\d+$");
        await Http.WaitUntilAsync(async () => booked.IsMatch(page.Url) || await page.Locator("[role=alert]").CountAsync() > 0, seconds: 30);
        if (!booked.IsMatch(page.Url))
        {
            Assert.Fail($"Booking did not lead to the booking's page: {page.Url} says \"{await page.Locator("[role=alert]").First.InnerTextAsync()}\"");
        }
        await page.WaitForLoadStateAsync();
    }

    /// <summary>The booking page says confirmed; a booking still being confirmed is refreshed until it is.</summary>
    private static async Task ConfirmedAsync(IPage page) =>
        await Http.WaitUntilAsync(async () =>
        {
            if ((await page.Locator("#outcome").InnerTextAsync()).Contains("Booked: your appointment is confirmed."))
            {
                return true;
            }
            await page.ReloadAsync();
            return false;
        });

    /// <summary>Nothing is wider than the phone's screen: no sideways scrolling.</summary>
    private static async Task AssertFitsAsync(IPage page) =>
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            $"{page.Url} is wider than {page.ViewportSize?.Width} px.");

    private static async Task TabToAsync(IPage page, string text)
    {
        for (var i = 0; i < 80; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.EvaluateAsync<string>("document.activeElement.textContent.trim()") == text)
            {
                return;
            }
        }
        Assert.Fail($"Tab never reached \"{text}\" on {page.Url}.");
    }

    /// <summary>What the booking form would post: its antiforgery token, its handler name and the attempt's key.</summary>
    private static Task<Dictionary<string, string>> FormFieldsAsync(IPage page) =>
        page.Locator("form[method=post]").Filter(new() { Has = page.Locator("#book") })
            .EvaluateAsync<Dictionary<string, string>>("f => Object.fromEntries(new FormData(f).entries())");

    private static IFormData FormOf(IBrowserContext context, Dictionary<string, string> fields)
    {
        var form = context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }
        return form;
    }
}
