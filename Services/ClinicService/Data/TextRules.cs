using FluentValidation;

namespace ClinicBooking.ClinicService.Data;

public static class TextRules
{
    /// <summary>A text field that must not be blank and, trimmed as it is stored, fit its column.</summary>
    public static IRuleBuilderOptions<T, string?> RequiredText<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.NotEmpty().WithMessage("{PropertyName} is required.").TrimmedMaximumLength(maxLength);
}
