import http from 'node:http';
import * as jose from 'jose';
import { Pool } from 'pg';
import { GraphQLObjectType, GraphQLSchema, GraphQLString, graphql } from 'graphql';

/**
 * The baseline for wallet reads: a bare graphql-js server over node:http answering
 * `{ me { wallet { balance } } }` from the same database, verifying the same ES256 access
 * token. No framework, no validation limits, no logging: the floor the API is compared to.
 */
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 32 });
const publicKeyPem = process.env.JWT_PUBLIC_KEY!;

const Wallet = new GraphQLObjectType({ name: 'Wallet', fields: { balance: { type: GraphQLString } } });
const Account = new GraphQLObjectType({
  name: 'Account',
  fields: {
    wallet: {
      type: Wallet,
      resolve: async (acc: { id: string }) => {
        const r = await pool.query('select balance::text from wallet where account_id = $1', [acc.id]);
        const micros = BigInt(r.rows[0].balance);
        return { balance: `${micros / 1_000_000n}.${(micros % 1_000_000n).toString().padStart(6, '0')}`.replace(/\.?0+$/, '') };
      },
    },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { me: { type: Account, resolve: (_r, _a, ctx: { sub: string }) => ({ id: ctx.sub }) } } }),
});

async function main() {
  const key = await jose.importSPKI(publicKeyPem, 'ES256');
  const server = http.createServer((req, res) => {
    if (req.url === '/readyz') {
      res.end('ok');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
        const { payload } = await jose.jwtVerify(token, key, { algorithms: ['ES256'] });
        const body = JSON.parse(Buffer.concat(chunks).toString());
        const result = await graphql({ schema, source: body.query, contextValue: { sub: payload.sub } });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(result));
      } catch {
        res.statusCode = 401;
        res.end('{}');
      }
    });
  });
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
}

void main();
