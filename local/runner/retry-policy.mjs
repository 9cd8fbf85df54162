// Writes every Task's Retry in statemachines/*.asl.json from statemachines/retry-policy.json, so Ferry's retry
// policy is written once. A Task takes the variant its Resource names in variantByResource, else defaultVariant.
//   node local/runner/retry-policy.mjs [folder]           rewrites the files that differ
//   node local/runner/retry-policy.mjs --check [folder]   changes nothing; exits 1 naming each file that differs
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const policyFile = 'retry-policy.json';

function loadPolicy(folder) {
  return JSON.parse(readFileSync(join(folder, policyFile), 'utf8'));
}

// The Retry a Task gets: its variant's retriers in order, each as written minus its 'why'.
function retryFor(policy, task) {
  const variant = policy.variantByResource[task.Resource] ?? policy.defaultVariant;
  const names = policy.variants[variant];
  if (!names) throw new Error(`${policyFile}: no variant '${variant}'`);
  return names.map((name) => {
    const retrier = policy.retriers[name];
    if (!retrier) throw new Error(`${policyFile}: variant '${variant}' names no retrier '${name}'`);
    const { why, ...asl } = retrier;
    return asl;
  });
}

function* tasks(states) {
  for (const state of Object.values(states)) {
    if (state.Type === 'Task') yield state;
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* tasks(nested.States);
    for (const branch of state.Branches ?? []) yield* tasks(branch.States);
  }
}

// Replaces a Task's Retry where it stands, or adds it after TimeoutSeconds (or Resource), keeping the other fields' order.
function withRetry(task, retry) {
  if ('Retry' in task) {
    task.Retry = retry;
    return;
  }
  const entries = Object.entries(task);
  const after = entries.findIndex(([key]) => key === ('TimeoutSeconds' in task ? 'TimeoutSeconds' : 'Resource'));
  entries.splice(after + 1, 0, ['Retry', retry]);
  for (const key of Object.keys(task)) delete task[key];
  Object.assign(task, Object.fromEntries(entries));
}

function generate(text, policy) {
  const definition = JSON.parse(text);
  for (const task of tasks(definition.States)) withRetry(task, retryFor(policy, task));
  return JSON.stringify(definition, null, 2) + '\n';
}

const args = process.argv.slice(2);
const check = args.includes('--check');
const folder = args.find((a) => !a.startsWith('--')) ?? 'statemachines';
const policy = loadPolicy(folder);
const differing = [];
for (const file of readdirSync(folder).filter((f) => f.endsWith('.asl.json')).sort()) {
  const path = join(folder, file);
  const text = readFileSync(path, 'utf8');
  const generated = generate(text, policy);
  if (generated === text) continue;
  differing.push(file);
  if (!check) writeFileSync(path, generated);
}
for (const file of differing) process.stdout.write(`${check ? 'differs from the retry policy' : 'rewrote'}: ${file}\n`);
process.exit(check && differing.length > 0 ? 1 : 0);
