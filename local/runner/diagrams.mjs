// Draws every state machine of statemachines/*.asl.json as a Mermaid flowchart in the README, between the markers
// below (the generator owns everything between them): states as nodes, Next/Default/Choice edges, Catch edges
// dashed, Map and Parallel processors as subgraphs, choice rules as short edge labels.
//   node local/runner/diagrams.mjs [folder] [readme]           rewrites the diagrams that differ
//   node local/runner/diagrams.mjs --check [folder] [readme]   changes nothing; exits 1 naming each file whose diagram differs
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const start = '<!-- state-machine-diagrams:start (written by node local/runner/diagrams.mjs; do not edit) -->';
const end = '<!-- state-machine-diagrams:end -->';
const fileMarker = (file) => `<!-- diagram: ${file} -->`;

// Mermaid ids allow letters, digits and underscores; a processor's states are prefixed with its id, so equal names in
// different scopes stay different nodes.
const id = (scope, name) => `${scope}${name.replace(/[^A-Za-z0-9]/g, '_')}`;

// Text inside quoted labels: Mermaid reads #entity; codes, and quotes or angle brackets would end or open markup.
const text = (s) => s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');

// The last segment of a JSONPath: $.wait.stage -> stage.
const field = (path) => path.replace(/^\$+\.?/, '').split('.').pop() || path;

const comparisons = {
  Equals: '=', LessThan: '<', GreaterThan: '>', LessThanEquals: '≤', GreaterThanEquals: '≥',
};

// A choice rule in a few words: "stage = Snapshot", "ready = false", "flow present", "index < count".
function rule(r) {
  if (r.And) return r.And.map(rule).join(' and ');
  if (r.Or) return r.Or.map(rule).join(' or ');
  if (r.Not) return `not (${rule(r.Not)})`;
  const name = field(r.Variable ?? '');
  for (const [key, value] of Object.entries(r)) {
    if (key === 'IsPresent') return value ? `${name} present` : `${name} absent`;
    if (key === 'IsNull') return value ? `${name} null` : `${name} not null`;
    const match = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals|Matches)(Path)?$/.exec(key);
    if (!match) continue;
    const [, , op, path] = match;
    const operand = path ? field(value) : String(value);
    return op === 'Matches' ? `${name} ~ ${operand}` : `${name} ${comparisons[op]} ${operand}`;
  }
  return '?';
}

// A Catch's errors in a few words: "error" for States.ALL, else the names without their Exception suffix.
function caught(errors) {
  if (errors.includes('States.ALL')) return 'error';
  const names = errors.map((e) => e.replace(/Exception$/, ''));
  return names.length > 2 ? `${names.slice(0, 2).join(', ')}…` : names.join(', ');
}

// What a Task runs, when its name does not say it: the step function or the child state machine.
function runs(state) {
  const step = /^\$\{(\w+)FunctionArn\}$/.exec(state.Resource ?? '')?.[1];
  if (step) return { step };
  // A service integration: arn:aws:states:::events:putEvents -> events:putEvents.
  const service = /^arn:aws:states:::(\w+:\w+)$/.exec(state.Resource ?? '')?.[1];
  if (service) return { step: service };
  const machine = /^\$\{(\w+)Arn\}$/.exec(state.Parameters?.StateMachineArn ?? '')?.[1];
  if (machine) return { machine: machine.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() };
  return {};
}

function node(nodeId, name, state) {
  switch (state.Type) {
    case 'Choice':
      return `${nodeId}{"${text(name)}"}`;
    case 'Wait':
      return `${nodeId}(["${text(name)}"])`;
    case 'Succeed':
    case 'Fail':
      return `${nodeId}((("${text(name)}")))`;
    case 'Task': {
      const { step, machine } = runs(state);
      if (machine) return `${nodeId}[["${text(name)}<br/>child: ${text(machine)}"]]`;
      return step && step !== name ? `${nodeId}["${text(name)}<br/>(${text(step)})"]` : `${nodeId}["${text(name)}"]`;
    }
    default:
      return `${nodeId}["${text(name)}"]`;
  }
}

// The lines of one scope (the machine, or a processor inside it), indented; edges are gathered separately so every
// node is declared inside its own subgraph before any edge names it.
function scope(definition, prefix, indent, edges) {
  const lines = [];
  const entry = `${prefix}__start`;
  lines.push(`${indent}${entry}(("start"))`);
  edges.push(`${entry} --> ${id(prefix, definition.StartAt)}`);
  for (const [name, state] of Object.entries(definition.States)) {
    const self = id(prefix, name);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor || state.Branches) {
      lines.push(`${indent}subgraph ${self}["${text(name)} (${state.Type})"]`);
      lines.push(`${indent}  direction TB`);
      const branches = processor ? [processor] : state.Branches;
      branches.forEach((branch, i) => lines.push(...scope(branch, `${self}_${processor ? '' : `b${i}_`}`, `${indent}  `, edges)));
      lines.push(`${indent}end`);
    } else {
      lines.push(`${indent}${node(self, name, state)}`);
    }
    const to = (target) => id(prefix, target);
    for (const choice of state.Choices ?? []) edges.push(`${self} -->|"${text(rule(choice))}"| ${to(choice.Next)}`);
    if (state.Default) edges.push(`${self} -->|otherwise| ${to(state.Default)}`);
    if (state.Next) edges.push(`${self} --> ${to(state.Next)}`);
    if (state.End) edges.push(`${self} --> ${prefix}__end`);
    for (const c of state.Catch ?? []) edges.push(`${self} -.->|"${text(caught(c.ErrorEquals))}"| ${to(c.Next)}`);
  }
  if (edges.some((e) => e.endsWith(` --> ${prefix}__end`))) lines.push(`${indent}${prefix}__end((("end")))`);
  return lines;
}

export function diagram(definition) {
  const edges = [];
  const lines = scope(definition, '', '  ', edges);
  return ['```mermaid', 'flowchart TD', ...lines, ...[...new Set(edges)].map((e) => `  ${e}`), '```'].join('\n');
}

function section(file, definition) {
  const name = file.replace(/\.asl\.json$/, '');
  return [fileMarker(file), `### ${name}`, '', `\`statemachines/${file}\`: ${definition.Comment ?? ''}`.trimEnd(), '', diagram(definition), ''].join('\n');
}

// The README's diagram of each file, as the generator last wrote it: the text from its marker to the next one.
function current(body) {
  const found = new Map();
  const parts = body.split(/(?=<!-- diagram: )/);
  for (const part of parts) {
    const file = /^<!-- diagram: (\S+) -->/.exec(part)?.[1];
    if (file) found.set(file, part.trimEnd() + '\n');
  }
  return found;
}

const args = process.argv.slice(2);
const check = args.includes('--check');
const [folder = 'statemachines', readme = 'README.md'] = args.filter((a) => !a.startsWith('--'));
const files = readdirSync(folder).filter((f) => f.endsWith('.asl.json')).sort();
const sections = new Map(files.map((f) => [f, section(f, JSON.parse(readFileSync(join(folder, f), 'utf8')))]));

const page = readFileSync(readme, 'utf8');
const from = page.indexOf(start);
const to = page.indexOf(end);
if (from < 0 || to < from) {
  process.stderr.write(`${readme}: no diagram section; add the lines\n${start}\n${end}\nwhere the diagrams belong\n`);
  process.exit(2);
}
const body = page.slice(from + start.length, to);
const written = current(body);
const differing = [...new Set([...sections.keys(), ...written.keys()])]
  .filter((f) => sections.get(f)?.trimEnd() !== written.get(f)?.trimEnd())
  .sort();
const generated = `${start}\n\n${[...sections.values()].join('\n')}\n${end}`;
if (!check && page.slice(from, to + end.length) !== generated) writeFileSync(readme, page.slice(0, from) + generated + page.slice(to + end.length));
for (const file of differing) {
  const why = !sections.has(file) ? 'has a diagram but no longer exists' : !written.has(file) ? 'has no diagram' : 'differs from its diagram';
  process.stdout.write(`${check ? why : 'redrew'}: ${file}\n`);
}
process.exit(check && differing.length > 0 ? 1 : 0);
