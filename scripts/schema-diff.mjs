#!/usr/bin/env node
// Schema evolution guard: compares schema/schema.graphql (what the code serves) with
// schema/released.graphql (the last released contract) using @graphql-inspector/core.
// A breaking change fails (exit 1) unless it is released deliberately with
// `npm run schema:release` (which moves released.graphql; see CHANGELOG.md).
// Usage: node scripts/schema-diff.mjs [released.graphql] [current.graphql]
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { CriticalityLevel, diff } from '@graphql-inspector/core';

const releasedFile = path.resolve(process.argv[2] ?? 'schema/released.graphql');
const currentFile = path.resolve(process.argv[3] ?? 'schema/schema.graphql');
const load = (file) => buildSchema(fs.readFileSync(file, 'utf8'));

const changes = await diff(load(releasedFile), load(currentFile));
const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
const dangerous = changes.filter((c) => c.criticality.level === CriticalityLevel.Dangerous);
const safe = changes.length - breaking.length - dangerous.length;

for (const c of dangerous) console.log(`  dangerous: ${c.message}`);
for (const c of breaking) console.error(`  BREAKING: ${c.message}`);
const summary = `schema diff against ${path.relative(process.cwd(), releasedFile)}: ${breaking.length} breaking, ${dangerous.length} dangerous, ${safe} safe change(s)`;
if (breaking.length > 0) {
  console.error(summary);
  console.error(
    'A breaking change would break partners built on the released schema. Make the change additive (new field, optional argument, deprecation), ' +
      'or release it deliberately: note it in CHANGELOG.md and run `npm run schema:release`.',
  );
  process.exit(1);
}
console.log(summary);
