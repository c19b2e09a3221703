#!/usr/bin/env node
// The schema as a product: every type, field, argument, input field, enum value (and root
// field) of an SDL file must carry a description. @graphql-eslint's require-description rule
// with every kind on; exit 1 and a list of what is missing otherwise.
// Usage: node scripts/schema-lint.mjs [schema/schema.graphql]
import path from 'node:path';
import { ESLint } from 'eslint';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';

const file = path.resolve(process.argv[2] ?? 'schema/schema.graphql');

const eslint = new ESLint({
  cwd: path.dirname(file),
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.graphql'],
      languageOptions: { parser: graphqlPlugin.parser, parserOptions: { graphQLConfig: { schema: file } } },
      plugins: { '@graphql-eslint': graphqlPlugin },
      rules: {
        '@graphql-eslint/require-description': [
          'error',
          {
            types: true,
            rootField: true,
            FieldDefinition: true,
            InputValueDefinition: true,
            EnumValueDefinition: true,
            DirectiveDefinition: true,
          },
        ],
      },
    },
  ],
});

const [result] = await eslint.lintFiles([file]);
const missing = result.messages.filter((m) => m.ruleId === '@graphql-eslint/require-description');
const other = result.messages.filter((m) => m.ruleId !== '@graphql-eslint/require-description');
for (const m of [...other, ...missing]) console.error(`${path.relative(process.cwd(), file)}:${m.line}:${m.column} ${m.message}`);
if (result.messages.length > 0) {
  console.error(`schema lint: ${missing.length} missing description(s)${other.length ? `, ${other.length} other problem(s)` : ''}`);
  process.exit(1);
}
console.log(`schema lint: every type, field, argument, input field and enum value of ${path.relative(process.cwd(), file)} is described`);
