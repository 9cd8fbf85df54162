namespace Ferry.Aws.Runtime;

/// <summary>One page of a listing and the token (EC2 nextToken, RDS Marker, Backup NextToken) of the next, null on the last.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextToken)
{
    /// <summary>Follows the tokens until the last page.</summary>
    public static async Task<IReadOnlyList<T>> AllAsync(Func<string?, CancellationToken, Task<Page<T>>> page, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? token = null;
        do
        {
            var next = await page(token, cancellationToken).ConfigureAwait(false);
            items.AddRange(next.Items);
            token = next.NextToken;
        }
        while (token is not null);
        return items;
    }
}
