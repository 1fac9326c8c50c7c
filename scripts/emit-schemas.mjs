// Writes the JSON Schemas of Herald's YAML files into docs/schemas/, from the option schemas in the packages' code.
// Run after `pnpm build`: `node scripts/emit-schemas.mjs`. packages/relay/test/config-schema.test.ts and
// packages/drill/test/scenario-schema.test.ts fail when the committed files are not what this writes.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../packages/drill/dist/index.js';
import { relayConfigJsonSchema } from '../packages/relay/dist/index.js';

const schemas = { 'relay-config.schema.json': relayConfigJsonSchema(), 'drill-scenario.schema.json': scenarioJsonSchema() };
for (const [name, schema] of Object.entries(schemas)) {
  const path = fileURLToPath(new URL(`../docs/schemas/${name}`, import.meta.url));
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
