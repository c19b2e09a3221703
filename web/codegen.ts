import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the dashboard: every operation in web/src/operations/*.graphql is checked against
 * the committed schema and typed in web/src/gql/ (committed). `npm run codegen:web` after
 * changing an operation or schema/schema.graphql. (The root codegen.yml serves the tests.)
 */
const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/schema.graphql',
  documents: ['web/src/operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { Credits: 'string', DateTime: 'string', JSON: 'Record<string, unknown>' },
      },
    },
  },
};

export default config;
