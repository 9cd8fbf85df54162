using System.Text.Json.Serialization;
using Ferry.Core.Digest;
using Ferry.Core.Runs;

namespace Ferry.Functions;

/// <summary>
/// The step contracts' JSON (camelCase, enums as names), source-generated for fast cold starts. Reading is
/// strict (a missing or null required field is an error naming it), so nulls are written out, not left out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true,
    AllowOutOfOrderMetadataProperties = true,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(OpenSessionInput))]
[JsonSerializable(typeof(OpenSessionOutput))]
[JsonSerializable(typeof(DiscoverInput))]
[JsonSerializable(typeof(DiscoverOutput))]
[JsonSerializable(typeof(ResourceKey))]
[JsonSerializable(typeof(PlanOutput))]
[JsonSerializable(typeof(Job))]
[JsonSerializable(typeof(OutcomeInput))]
[JsonSerializable(typeof(OutcomeOutput))]
[JsonSerializable(typeof(CloseSessionInput))]
[JsonSerializable(typeof(CloseSessionOutput))]
[JsonSerializable(typeof(RetentionInput))]
[JsonSerializable(typeof(RetentionOutput))]
[JsonSerializable(typeof(RestoreInput))]
[JsonSerializable(typeof(DigestInput))]
[JsonSerializable(typeof(DigestOutput))]
public sealed partial class FerryJson : JsonSerializerContext;
