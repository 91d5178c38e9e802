using System.Reflection;
using System.Text.Json;

namespace ClinicBooking.Contracts.Access;

/// <summary>
/// Who may set a field of a request body: every property of every body declares its owner roles, so a role
/// that may call an operation still cannot set what is not its own (a customer their own <c>isActive</c>, a
/// clinic's staff its <c>isActive</c>). <see cref="FieldOwnership"/> refuses the rest with 403 before the
/// handler runs, and the OpenAPI document shows the owners as <c>x-set-by</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SetByAttribute(params string[] roles) : Attribute
{
    /// <summary>Anyone who may call the operation, signed in or not (e.g. a sign-up's fields).</summary>
    public const string Anyone = "anyone";

    public IReadOnlyList<string> Roles { get; } = roles;
}

/// <summary>The field owners of request types, read once per type, and the one check of a caller against them.</summary>
public static class FieldOwnership
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, IReadOnlyDictionary<string, (PropertyInfo Property, IReadOnlyList<string> Owners)>> Fields = new();

    /// <summary>The fields of <paramref name="type"/> that declare owners, by their JSON (camelCase) name.</summary>
    public static IReadOnlyDictionary<string, (PropertyInfo Property, IReadOnlyList<string> Owners)> Of(Type type) =>
        Fields.GetOrAdd(type, t =>
        {
            var parameters = t.GetConstructors().SelectMany(c => c.GetParameters())
                .Where(p => p.Name is not null).GroupBy(p => p.Name!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            return t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Select(p => (Property: p, Owner: p.GetCustomAttribute<SetByAttribute>()
                    ?? (parameters.TryGetValue(p.Name, out var parameter) ? parameter.GetCustomAttribute<SetByAttribute>() : null)))
                .Where(p => p.Owner is not null)
                .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Property.Name),
                    p => (p.Property, (IReadOnlyList<string>)p.Owner!.Roles), StringComparer.Ordinal);
        });

    public static bool MaySet(this Caller caller, IReadOnlyList<string> owners) =>
        owners.Any(owner => owner == SetByAttribute.Anyone || caller.RoleNames.Contains(owner));

    /// <summary>
    /// The first field among <paramref name="setFields"/> (JSON names) that <paramref name="caller"/> may not
    /// set, with its owners; null when the caller owns them all.
    /// </summary>
    public static (string Field, IReadOnlyList<string> Owners)? FirstNotOwned(Type type, Caller caller, IEnumerable<string> setFields)
    {
        var fields = Of(type);
        foreach (var name in setFields)
        {
            if (fields.TryGetValue(name, out var field) && !caller.MaySet(field.Owners))
            {
                return (name, field.Owners);
            }
        }
        return null;
    }

    /// <summary>The JSON names of the fields of a request object that carry a value.</summary>
    public static IEnumerable<string> SetFields(object request) =>
        Of(request.GetType()).Where(f => f.Value.Property.GetValue(request) is not null).Select(f => f.Key);
}
