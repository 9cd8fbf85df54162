// Runs Ferry's state machines (statemachines/*.asl.json) with aws-local-stepfunctions, a real ASL
// interpreter. Lambda tasks go to the local Lambda host (AWS_ENDPOINT_URL_LAMBDA); child executions
// (states:startExecution.sync) run the child definition here. Requests and results are JSON lines:
//   in:  {"id": "1", "machine": "policy-run", "input": {...}, "name": "execution-name"}
//   out: {"id": "1", "status": "SUCCEEDED", "output": ...} or {"id": "1", "status": "FAILED", "error": "...", "cause": "..."}
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { loadDefinitions, machineArn, region } from './definitions.mjs';

// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks.
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}
const { StateMachine } = await import('aws-local-stepfunctions');

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const folder = args.statemachines ?? 'statemachines';
// Simulated seconds per real second: waits and retry pauses are scaled so the accelerated world's time matches.
const acceleration = Number(args.acceleration ?? 600);
const firstWaitSeconds = 30;
const scaled = (seconds) => Math.max(1, Math.round((seconds * 1000) / acceleration));

const definitions = loadDefinitions(folder);

// Every state, at any depth, so overrides reach states inside Map processors.
function* statesOf(definition) {
  for (const [name, state] of Object.entries(definition.States)) {
    yield [name, state];
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* statesOf(nested);
    for (const branch of state.Branches ?? []) yield* statesOf(branch);
  }
}

const awsConfig = { region, credentials: { accessKeys: { accessKeyId: 'local', secretAccessKey: 'local' } } };
const machines = Object.fromEntries(Object.entries(definitions).map(([name, d]) => [name, new StateMachine(d, { awsConfig })]));

function overridesFor(definition) {
  const taskResourceLocalHandlers = {};
  const waitTimeOverrides = {};
  const retryIntervalOverrides = {};
  for (const [name, state] of statesOf(definition)) {
    // A Wait takes the loop's first interval; the checks themselves compare simulated time with deadlines.
    if (state.Type === 'Wait') waitTimeOverrides[name] = scaled(firstWaitSeconds);
    // Each retrier pauses for its longest delay, scaled, so retries cover as much simulated time as in AWS.
    if (state.Retry) retryIntervalOverrides[name] = state.Retry.map((r) => scaled(r.MaxDelaySeconds ?? r.IntervalSeconds ?? 1));
    if (state.Type === 'Task' && state.Resource.startsWith('arn:aws:states:::states:startExecution')) {
      taskResourceLocalHandlers[name] = (input) => startChild(input);
    }
  }
  return { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides };
}

// The interpreter wraps a failed execution's error; Step Functions reports the error itself.
const unwrap = (error) => (error?.name === 'ExecutionError' && error.cause ? error.cause : error);

// Mimics states:startExecution.sync:2: the child's output as JSON, or States.TaskFailed with the child's error.
async function startChild(input) {
  const name = input.StateMachineArn.split(':stateMachine:ferry-')[1];
  const executionName = input.Name ?? randomUUID();
  try {
    const output = await execute(name, input.Input, executionName);
    return { ExecutionArn: `${input.StateMachineArn}:${executionName}`, Status: 'SUCCEEDED', Output: output };
  } catch (caught) {
    const error = unwrap(caught);
    const failure = new Error(JSON.stringify({ Error: error.name, Cause: error.message }));
    failure.name = 'States.TaskFailed';
    throw failure;
  }
}

function execute(name, input, executionName) {
  const machine = machines[name];
  if (!machine) throw Object.assign(new Error(`No state machine named ${name}`), { name: 'StateMachineDoesNotExist' });
  const context = { Execution: { Id: `${machineArn(name)}:${executionName}`, Name: executionName, Input: input, StartTime: new Date().toISOString() } };
  return machine.run(input, { overrides: overridesFor(definitions[name]), context }).result;
}

const reply = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const running = new Set();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  const run = execute(request.machine, request.input, request.name ?? randomUUID())
    .then((output) => reply({ id: request.id, status: 'SUCCEEDED', output }))
    .catch((caught) => {
      const error = unwrap(caught);
      reply({ id: request.id, status: 'FAILED', error: error.name ?? 'Error', cause: error.message ?? String(error) });
    })
    .finally(() => running.delete(run));
  running.add(run);
});
// Executions still running when input ends are finished before exiting.
lines.on('close', async () => {
  await Promise.all([...running]);
  process.exit(0);
});
reply({ ready: true, machines: Object.keys(machines).sort() });
