using System.Text.Json.Serialization;
using Ferry.Core.Runs;

namespace Ferry.Functions;

/// <summary>The step contracts' JSON (camelCase, enums as names, nulls left out), source-generated for fast cold starts.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(OpenSessionInput))]
[JsonSerializable(typeof(OpenSessionOutput))]
[JsonSerializable(typeof(DiscoverInput))]
[JsonSerializable(typeof(DiscoverOutput))]
[JsonSerializable(typeof(ResourceKey))]
[JsonSerializable(typeof(PlanOutput))]
[JsonSerializable(typeof(ReplicaJob))]
[JsonSerializable(typeof(OutcomeInput))]
[JsonSerializable(typeof(OutcomeOutput))]
[JsonSerializable(typeof(CloseSessionInput))]
[JsonSerializable(typeof(CloseSessionOutput))]
[JsonSerializable(typeof(RetentionInput))]
[JsonSerializable(typeof(RetentionOutput))]
[JsonSerializable(typeof(RestoreInput))]
public sealed partial class FerryJson : JsonSerializerContext;
