import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildGraphQLSchema } from '../schema';

/** Writes schema/schema.graphql; with --check, fails when the committed file is stale. */
async function main(): Promise<void> {
  const file = path.join(__dirname, '..', '..', '..', 'schema', 'schema.graphql');
  const sdl = `# Generated from the code by \`npm run schema:emit\`. Do not edit.\n\n${printSchema(lexicographicSortSchema(await buildGraphQLSchema()))}\n`;
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (current !== sdl) {
      console.error('schema/schema.graphql is stale: run `npm run build && npm run schema:emit` and commit it.');
      process.exit(1);
    }
    console.log('schema/schema.graphql is up to date');
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sdl);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
