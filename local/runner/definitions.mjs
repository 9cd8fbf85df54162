// Loads statemachines/*.asl.json with their ${Placeholders} replaced by local ARNs, as CDK's
// DefinitionSubstitutions replace them with deployed ones, and by the given values (facts Ferry.Core declares,
// such as the session event's source, which the .NET side passes in).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const account = '000000000000';
export const region = 'us-east-1';

export const functionArn = (step) => `arn:aws:lambda:${region}:${account}:function:ferry-${step}`;
export const machineArn = (name) => `arn:aws:states:${region}:${account}:stateMachine:ferry-${name}`;
export const topicArn = (name) => `arn:aws:sns:${region}:${account}:ferry-${name}`;

// ${ReplicaArn} names the machine in replica.asl.json.
const kebab = (pascal) => pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

export function substitute(text, values = {}) {
  return text
    .replace(/\$\{([A-Za-z0-9]+)\}/g, (placeholder, name) => values[name] ?? placeholder)
    .replace(/\$\{([A-Za-z0-9]+)FunctionArn\}/g, (_, step) => functionArn(step))
    .replace(/\$\{([A-Za-z0-9]+)TopicArn\}/g, (_, name) => topicArn(kebab(name)))
    .replace(/\$\{([A-Za-z0-9]+)Arn\}/g, (_, name) => machineArn(kebab(name)));
}

export function loadDefinitions(folder, values = {}) {
  const definitions = {};
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.asl.json')).sort()) {
    try {
      definitions[file.replace('.asl.json', '')] = JSON.parse(substitute(readFileSync(join(folder, file), 'utf8'), values));
    } catch (error) {
      throw new Error(`${file}: ${error.message}`);
    }
  }
  return definitions;
}
