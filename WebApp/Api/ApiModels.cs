namespace ClinicBooking.WebApp.Api;

// The API's answers are the records the services answer with, from Contracts (ClinicBooking.Contracts):
// this client declares none of its own.
