// Runs Ferry's state machines (statemachines/*.asl.json) with aws-local-stepfunctions, a real ASL
// interpreter. Lambda tasks go to the local Lambda host (AWS_ENDPOINT_URL_LAMBDA); child executions
// (states:startExecution.sync) run the child definition here. Requests and results are JSON lines:
//   in:  {"id": "1", "machine": "policy-run", "input": {...}, "name": "execution-name", "history": false}
//   out: {"id": "1", "status": "SUCCEEDED", "output": ...} or {"id": "1", "status": "FAILED", "error": "...", "cause": "..."},
//        with, when asked for, "history": [{"type": "StateEntered", "state": "Wait", "stateType": "Wait", "at": "<simulated time>"}, ...]
//        (a Task's StateExited also carries the state's "input" and "output") and "children": the executions its
//        startExecution.sync states ran, each {"machine", "name", "input", "status", "history", "children"}, in start order;
//        always "integrations": the service integrations (events:putEvents, sns:publish) the execution and its children
//        called, in call order, each {"machine", "execution", "state", "resource", "parameters", "result"} (result null when refused).
//
// Time is the simulated world's: every Wait (Seconds, SecondsPath, Timestamp, TimestampPath) and every
// Retry pause (IntervalSeconds, BackoffRate, MaxDelaySeconds, JitterStrategy) lasts its own simulated
// duration, divided by the acceleration (simulated seconds per real second). Task TimeoutSeconds stay in
// real seconds: a step's real run time is not simulated work, and scaling it would time out busy machines.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
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

// Any failure to start is one line on stderr, which the .NET side shows as it is.
const fail = (message) => {
  process.stderr.write(`${message.split('\n')[0]}\n`);
  process.exit(1);
};

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split(/=(.*)/s).slice(0, 2)));
const folder = args.statemachines ?? 'statemachines';
// --substitutions={"Name": "value", ...}: values for ${Name} placeholders other than functions' and machines' ARNs.
let substitutions = {};
try {
  substitutions = JSON.parse(args.substitutions ?? '{}');
} catch (error) {
  fail(`--substitutions must be a JSON object of placeholder values: ${error.message}`);
}
const acceleration = Number(args.acceleration ?? 600);
if (!(acceleration > 0)) fail(`--acceleration must be a positive number of simulated seconds per real second, got ${args.acceleration}`);
// --clock=<simulated ISO time>@<real epoch ms>: the simulated time at a real instant, so Timestamp waits and history use the world's clock.
const [simulatedEpoch, realEpoch] = (args.clock ?? `${new Date().toISOString()}@${Date.now()}`).split('@');
const simulatedNow = (real = Date.now()) => Date.parse(simulatedEpoch) + (real - Number(realEpoch)) * acceleration;
const realMs = (simulatedMs) => Math.max(0, simulatedMs / acceleration);

// A Wait becomes a Task handled here, so its duration is computed from the state's own fields and scaled.
// Parameters resolve the paths with the interpreter's own JSONPath (context included), and pass the
// state's input through, so the output is the Wait's: its input after InputPath, then OutputPath.
const waitResource = 'arn:aws:states:::ferry:scaledWait';
const maxTaskTimeoutSeconds = 2147483; // setTimeout's limit; the pause itself bounds a Wait
function scaledWait(state) {
  const { Type, Seconds, SecondsPath, Timestamp, TimestampPath, ...rest } = state;
  const Parameters = { 'input.$': '$' };
  if (Seconds !== undefined) Parameters.seconds = Seconds;
  if (SecondsPath !== undefined) Parameters['seconds.$'] = SecondsPath;
  if (Timestamp !== undefined) Parameters.timestamp = Timestamp;
  if (TimestampPath !== undefined) Parameters['timestamp.$'] = TimestampPath;
  return { ...rest, Type: 'Task', Resource: waitResource, Parameters, TimeoutSeconds: maxTaskTimeoutSeconds };
}

async function waitFor({ input, seconds, timestamp }) {
  if (seconds !== undefined) {
    if (!Number.isInteger(seconds) || seconds < 0) {
      throw Object.assign(new Error(`Wait seconds must be a non-negative integer, got ${JSON.stringify(seconds)}`), { name: 'States.Runtime' });
    }
    await sleep(realMs(seconds * 1000));
  } else {
    const until = Date.parse(timestamp);
    if (Number.isNaN(until)) throw Object.assign(new Error(`Wait timestamp is not a timestamp: ${JSON.stringify(timestamp)}`), { name: 'States.Runtime' });
    await sleep(realMs(until - simulatedNow()));
  }
  return input;
}

// Retry pauses are the interpreter's own (backoff, cap, jitter) over intervals in real seconds.
function scaledRetrier(retrier) {
  const scaled = { ...retrier, IntervalSeconds: (retrier.IntervalSeconds ?? 1) / acceleration };
  if (retrier.MaxDelaySeconds !== undefined) scaled.MaxDelaySeconds = retrier.MaxDelaySeconds / acceleration;
  return scaled;
}

// Step Functions' optimized integrations Ferry calls, answered here as AWS answers them instead of calling AWS.
// A request AWS refuses fails the Task with the error Step Functions reports.
const maxEventBytes = 256 * 1024;
const integrationError = (name, message) => Object.assign(new Error(message), { name });
const integrations = {
  // Step Functions appends the execution and state machine ARNs to each entry's Resources and fails the
  // Task with EventBridge.FailedEntry when any entry fails. Detail may be given as an object; it is sent as its JSON.
  'arn:aws:states:::events:putEvents': (parameters, { executionArn, machineArn: stateMachineArn }) => {
    const entries = parameters?.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw integrationError('EventBridge.ValidationException', `Entries must hold 1 to 10 entries, got ${Array.isArray(entries) ? entries.length : 'none'}`);
    }
    const sent = entries.map((entry) => ({ ...entry, Resources: [...(entry.Resources ?? []), executionArn, stateMachineArn] }));
    const results = sent.map((entry) => {
      const detail = typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail);
      if (!entry.Source || !entry.DetailType || detail === undefined) {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      const size = Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(detail)
        + entry.Resources.reduce((bytes, r) => bytes + Buffer.byteLength(r), 0);
      if (size > maxEventBytes) return { ErrorCode: 'EntrySizeTooBig', ErrorMessage: `Entry is ${size} bytes, over ${maxEventBytes}` };
      return { EventId: randomUUID() };
    });
    const failed = results.filter((r) => r.ErrorCode).length;
    if (failed > 0) throw integrationError('EventBridge.FailedEntry', JSON.stringify({ Entries: results, FailedEntryCount: failed }));
    return { parameters: { ...parameters, Entries: sent }, result: { Entries: results, FailedEntryCount: 0 } };
  },
  'arn:aws:states:::sns:publish': (parameters) => {
    if (!parameters?.TopicArn && !parameters?.TargetArn && !parameters?.PhoneNumber) {
      throw integrationError('SNS.InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    }
    if (typeof parameters.Message !== 'string' || parameters.Message.length === 0) {
      throw integrationError('SNS.InvalidParameterException', 'Invalid parameter: Message Reason: no value for required parameter');
    }
    if (Buffer.byteLength(parameters.Message) > maxEventBytes) {
      throw integrationError('SNS.InvalidParameterException', `Invalid parameter: Message too long: over ${maxEventBytes} bytes`);
    }
    return { parameters, result: { MessageId: randomUUID() } };
  },
};

// Records the call on the execution's trace (refused calls too, with a null result) and answers it.
function integration(resource) {
  return async (parameters, trace, call) => {
    const record = { machine: call.machine, execution: call.executionName, state: call.state, resource, parameters, result: null };
    trace.integrations.push(record);
    const answer = integrations[resource](parameters, call);
    record.parameters = answer.parameters;
    record.result = answer.result;
    return answer.result;
  };
}

// Rewrites every state, at any depth (Map processors, Parallel branches), and returns the Task states this runner handles.
function scale(definition, handled) {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait') {
      definition.States[name] = scaledWait(state);
      handled[name] = waitFor;
      continue;
    }
    if (state.Retry) state.Retry = state.Retry.map(scaledRetrier);
    if (state.Type === 'Task' && state.Resource.startsWith('arn:aws:states:::states:startExecution')) handled[name] = startChild;
    if (state.Type === 'Task' && integrations[state.Resource]) handled[name] = integration(state.Resource);
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) scale(nested, handled);
    for (const branch of state.Branches ?? []) scale(branch, handled);
  }
  return definition;
}

let StateMachine;
let definitions;
let machines;
const handlers = {};
try {
  ({ StateMachine } = await import('aws-local-stepfunctions'));
  definitions = loadDefinitions(folder, substitutions);
  const awsConfig = { region, credentials: { accessKeys: { accessKeyId: 'local', secretAccessKey: 'local' } } };
  // The test suite validates every definition with asl-validator; validating again here only slows start-up.
  const options = { awsConfig, validationOptions: { noValidate: true } };
  machines = Object.fromEntries(Object.entries(definitions).map(([name, d]) => {
    handlers[name] = {};
    return [name, new StateMachine(scale(structuredClone(d), handlers[name]), options)];
  }));
} catch (error) {
  fail(`${error.message}`);
}

// The interpreter wraps a failed execution's error; Step Functions reports the error itself.
const unwrap = (error) => (error?.name === 'ExecutionError' && error.cause ? error.cause : error);

// Mimics states:startExecution.sync:2: the child's output as JSON, or States.TaskFailed with the child's error.
// trace: the parent's; when its history was asked for (trace.children), this child's record joins it.
async function startChild(input, trace) {
  const name = input.StateMachineArn.split(':stateMachine:ferry-')[1];
  const executionName = input.Name ?? randomUUID();
  const record = trace.children ? { machine: name, name: executionName, input: input.Input, status: 'RUNNING', history: [], children: [] } : undefined;
  trace.children?.push(record);
  try {
    const { result, eventLogs } = execute(name, input.Input, executionName, { children: record?.children, integrations: trace.integrations });
    const history = record ? historyOf(eventLogs, name) : undefined;
    try {
      const output = await result;
      if (record) record.status = 'SUCCEEDED';
      return { ExecutionArn: `${input.StateMachineArn}:${executionName}`, Status: 'SUCCEEDED', Output: output };
    } finally {
      if (record) record.history = await history;
    }
  } catch (caught) {
    if (record) record.status = 'FAILED';
    const error = unwrap(caught);
    const failure = new Error(JSON.stringify({ Error: error.name, Cause: error.message }));
    failure.name = 'States.TaskFailed';
    throw failure;
  }
}

// trace: what the execution and its children record: the executions its startExecution.sync states start
// (in trace.children, when given) and the service integrations they call (trace.integrations).
function execute(name, input, executionName, trace) {
  const machine = machines[name];
  if (!machine) throw Object.assign(new Error(`No state machine named ${name}`), { name: 'StateMachineDoesNotExist' });
  const executionArn = `${machineArn(name).replace(':stateMachine:', ':execution:')}:${executionName}`;
  const context = { Execution: { Id: executionArn, Name: executionName, Input: input, StartTime: new Date().toISOString() } };
  const local = Object.fromEntries(Object.entries(handlers[name]).map(([state, handler]) =>
    [state, (i) => handler(i, trace, { machine: name, executionName, executionArn, machineArn: machineArn(name), state })]));
  return machine.run(input, { overrides: { taskResourceLocalHandlers: local }, context });
}

// A Task's StateExited keeps the state's input and output: what each step was given and returned.
// A Wait runs as a Task here (scaledWait) but is reported as the Wait its definition declares.
async function historyOf(events, machine) {
  const history = [];
  for await (const event of events) {
    const wait = event.state && handlers[machine][event.state.name] === waitFor;
    const stateType = wait ? 'Wait' : event.state?.type ?? null;
    const entry = { type: event.type, state: event.state?.name ?? null, stateType, at: new Date(simulatedNow(event.timestamp)).toISOString() };
    if (event.type === 'StateExited' && stateType === 'Task') {
      entry.input = event.state.input ?? null;
      entry.output = event.state.output ?? null;
    }
    history.push(entry);
  }
  return history;
}

const reply = (message) => process.stdout.write(JSON.stringify(message) + '\n');
const running = new Set();
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  const run = (async () => {
    let message;
    let history;
    const trace = { children: request.history ? [] : undefined, integrations: [] };
    try {
      const { result, eventLogs } = execute(request.machine, request.input, request.name ?? randomUUID(), trace);
      history = request.history ? historyOf(eventLogs, request.machine) : undefined;
      message = { id: request.id, status: 'SUCCEEDED', output: await result };
    } catch (caught) {
      const error = unwrap(caught);
      message = { id: request.id, status: 'FAILED', error: error.name ?? 'Error', cause: error.message ?? String(error) };
    }
    if (history) {
      message.history = await history;
      message.children = trace.children;
    }
    message.integrations = trace.integrations;
    reply(message);
  })().finally(() => running.delete(run));
  running.add(run);
});
// Executions still running when input ends are finished before exiting.
lines.on('close', async () => {
  await Promise.all([...running]);
  process.exit(0);
});
reply({ ready: true, machines: Object.keys(machines).sort() });
