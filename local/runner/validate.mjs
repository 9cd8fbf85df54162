// Validates every state machine definition with asl-validator and prints one JSON line per file.
import aslValidator from 'asl-validator';
import { loadDefinitions } from './definitions.mjs';

const folder = process.argv[2] ?? 'statemachines';
let failures = 0;
for (const [name, definition] of Object.entries(loadDefinitions(folder))) {
  const { isValid, errorsText } = aslValidator(definition);
  if (!isValid) failures++;
  process.stdout.write(JSON.stringify({ name, valid: isValid, errors: isValid ? null : errorsText('\n') }) + '\n');
}
process.exit(failures === 0 ? 0 : 1);
