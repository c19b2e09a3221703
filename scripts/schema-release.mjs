#!/usr/bin/env node
// Releases the schema deliberately: schema/schema.graphql becomes schema/released.graphql (the
// contract npm test diffs against), and CHANGELOG.md's "Unreleased" section becomes the given
// version, dated today, with a fresh empty "Unreleased" above it.
// Usage: npm run schema:release -- <version>      e.g. npm run schema:release -- 2.1.0
import fs from 'node:fs';

const version = process.argv[2];
if (!version || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
  console.error('usage: npm run schema:release -- <version>   (semantic version, e.g. 2.1.0)');
  process.exit(2);
}
const changelog = fs.readFileSync('CHANGELOG.md', 'utf8');
if (!changelog.includes('\n## Unreleased\n')) {
  console.error('CHANGELOG.md has no "## Unreleased" section to release');
  process.exit(1);
}
if (changelog.includes(`\n## ${version} `)) {
  console.error(`CHANGELOG.md already has a ${version} section`);
  process.exit(1);
}
const today = new Date().toISOString().slice(0, 10);
fs.writeFileSync('CHANGELOG.md', changelog.replace('\n## Unreleased\n', `\n## Unreleased\n\n## ${version} (${today})\n`));
fs.copyFileSync('schema/schema.graphql', 'schema/released.graphql');
console.log(`released schema ${version}: schema/released.graphql updated, CHANGELOG.md section "${version} (${today})" opened; commit both`);
