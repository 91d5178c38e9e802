using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// Reads an entity from a row of a raw SQL statement (one that also returns other columns, such as the
/// booking saga's, which return the booking with its outbox row) by EF Core's own mapping: the model's column
/// names and value converters, so a column added to the model is read without another mapping by hand.
/// </summary>
public sealed class EntityRows<T> where T : class
{
    private sealed record Column(string Name, PropertyInfo Property, Func<DbDataReader, int, object> Read, Func<object, object?> FromProvider);

    private readonly Column[] _columns;

    public EntityRows(IModel model)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        _columns = [.. entity.GetProperties().Where(p => p.PropertyInfo is not null).Select(p =>
        {
            var converter = p.GetTypeMapping().Converter;
            var stored = converter?.ProviderClrType ?? p.ClrType;
            return new Column(p.GetColumnName(table)!, p.PropertyInfo!, Reader(Nullable.GetUnderlyingType(stored) ?? stored),
                converter is null ? value => value : converter.ConvertFromProvider);
        })];
    }

    public T Read(DbDataReader reader)
    {
        // Its required members (a compile-time rule) are all set from the row.
        var entity = Activator.CreateInstance<T>();
        foreach (var column in _columns)
        {
            var ordinal = reader.GetOrdinal(column.Name);
            column.Property.SetValue(entity, reader.IsDBNull(ordinal) ? null : column.FromProvider(column.Read(reader, ordinal)));
        }
        return entity;
    }

    /// <summary><c>reader.GetFieldValue&lt;stored&gt;(ordinal)</c>: the type Npgsql reads the column as (timestamptz as DateTimeOffset).</summary>
    private static Func<DbDataReader, int, object> Reader(Type stored)
    {
        var read = typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!.MakeGenericMethod(stored);
        return (reader, ordinal) => read.Invoke(reader, [ordinal])!;
    }
}
