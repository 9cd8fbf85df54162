using Amazon.EC2;
using Amazon.EC2.Model;
using Ferry.Aws;
using Ferry.Aws.Runtime;
using Ferry.Local.Runtime;

namespace Ferry.Tests.Shared;

/// <summary>
/// What people and other tools do in an account besides Ferry, which Ferry's port leaves out (a person's own snapshot,
/// a tag someone changed): AWS SDK calls signed as the role on the simulator's endpoint, under the same rules as Ferry's.
/// </summary>
internal static class ByHand
{
    /// <summary>CreateSnapshot of one volume (Ferry snapshots whole instances with CreateSnapshots).</summary>
    public static async Task<Snapshot> CreateSnapshotAsync(LocalAws aws, string role, string region, string volumeId, string description, IReadOnlyDictionary<string, string> tags)
    {
        var (ec2, account) = await ClientAsync(aws, role, region);
        using (ec2)
        {
            var response = await SdkErrors.Call($"ec2:CreateSnapshot in {region}", "CreateSnapshot", account, region, () => ec2.CreateSnapshotAsync(new CreateSnapshotRequest
            {
                VolumeId = volumeId,
                Description = description,
                TagSpecifications = tags.Count == 0 ? null : [new TagSpecification { ResourceType = ResourceType.Snapshot, Tags = [.. tags.Select(t => new Tag(t.Key, t.Value))] }],
            }));
            return response.Snapshot;
        }
    }

    public static async Task CreateTagsAsync(LocalAws aws, string role, string region, IReadOnlyList<string> resourceIds, IReadOnlyDictionary<string, string> tags)
    {
        var (ec2, account) = await ClientAsync(aws, role, region);
        using (ec2)
        {
            await SdkErrors.Call($"ec2:CreateTags in {region}", "CreateTags", account, region, () => ec2.CreateTagsAsync(new CreateTagsRequest
            {
                Resources = [.. resourceIds],
                Tags = [.. tags.Select(t => new Tag(t.Key, t.Value))],
            }));
        }
    }

    private static async Task<(AmazonEC2Client Client, string Account)> ClientAsync(LocalAws aws, string role, string region)
    {
        var session = await aws.Credentials.AssumeAsync(role);
        return (new AmazonEC2Client(AwsPorts.ToSdk(session.Credentials), SdkErrors.Configure(new AmazonEC2Config(), "ec2", region, aws.Options)), session.AccountId);
    }
}
