// jsii (behind Amazon.CDK.Lib) serves one thread at a time: tests that touch CDK must not run in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
