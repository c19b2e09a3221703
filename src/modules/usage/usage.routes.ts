import type { Express, Request, Response } from 'express';
import { once } from 'node:events';
import { GraphQLDateTime } from 'graphql-scalars';
import type { Services } from '../../services';
import { Sql } from '../../db/sql';
import { DomainError, ErrorCode, badInput, notFound } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import { isStorableText } from '../../shared/storable-text';
import { formatCredits } from '../../shared/money';
import { sendJsonError } from '../../shared/http';
import { ApiKeyScope } from '../auth/api-key.entity';
import { TransactionKind } from '../ledger/domain/kinds';
import type { TransactionFilter } from '../ledger/store/transaction-filter';

/** Rows per keyset page: one short query each, so an export never holds a connection or a large result. */
export const EXPORT_CHUNK_ROWS = 1000;

/** Columns, in order; the same fields `transactions` returns. */
const COLUMNS = [
  'id',
  'createdAt',
  'kind',
  'amount',
  'balanceAfter',
  'walletVersion',
  'description',
  'synfluencerId',
  'synfluencerName',
  'feature',
  'platform',
  'automationId',
  'provider',
  'quantity',
  'unit',
  'idempotencyKey',
  'holdId',
] as const;

/**
 * GET /exports/usage.csv?from&to&synfluencerId&feature&platform&automationId&kinds=USAGE,CAPTURE
 *
 * The ledger history as CSV, newest first, with the `transactions` filters and the same bearer
 * auth as GraphQL (API keys need WALLET_READ). Streamed: rows are read in keyset pages over
 * `seq` below the highest seq at the start (so rows committed during the export are not mixed
 * in), and each page is written only after the previous one drained to the client and the
 * credential was found still valid.
 */
export function registerUsageRoutes(app: Express, services: Services): void {
  const sql = new Sql(services.orm);

  app.get('/exports/usage.csv', async (req: Request, res: Response) => {
    let started = false;
    try {
      const principal = await services.auth.authenticate(req.headers.authorization);
      if (!principal) throw new DomainError(ErrorCode.UNAUTHENTICATED, await services.auth.refusalOf(req.headers.authorization));
      if (principal.via === 'apiKey' && !principal.scopes.includes(ApiKeyScope.WALLET_READ)) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'This API key lacks the scope for this operation (needs WALLET_READ)');
      }
      const accountId = principal.accountId;
      const filter = exportFilter(req.query);
      const { conditions, params } = await services.ledger.historyConditions(accountId, filter);

      const [top] = await sql.query<{ seq: string | null }>(`select max(seq)::text as seq from ledger_transaction where account_id = ?`, [accountId]);
      let below = top.seq === null ? null : BigInt(top.seq) + 1n;

      let closed = false;
      res.on('close', () => (closed = true));
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="usage.csv"');
      res.setHeader('cache-control', 'no-store');
      started = true;
      if (!res.write(COLUMNS.join(',') + '\r\n')) await once(res, 'drain');

      while (below !== null && !closed) {
        // Credentials stop working the moment they end (docs/decisions.md, "Credentials and sockets"): a key revoked or a
        // session logged out mid-export cuts the transfer before its next page.
        if (!(await services.auth.authenticate(req.headers.authorization))) throw new DomainError(ErrorCode.UNAUTHENTICATED, 'The credential ended during the export');
        const rows = await sql.query<Record<string, string | number | null>>(
          `select t.seq::text as seq, t.id, t.created_at, t.kind, t.amount::text as amount, t.balance_after::text as balance_after,
                  t.wallet_version::text as wallet_version, t.description, t.synfluencer_id, s.name as synfluencer_name, t.feature, t.platform,
                  t.automation_id, t.provider, t.quantity, t.unit, t.idempotency_key, t.hold_id
             from ledger_transaction t left join synfluencer s on s.id = t.synfluencer_id
            where ${conditions.join(' and ')} and t.seq < ?
            order by t.seq desc limit ?`,
          [...params, below.toString(), EXPORT_CHUNK_ROWS],
        );
        if (rows.length === 0) break;
        const chunk = rows.map(csvLine).join('');
        below = rows.length < EXPORT_CHUNK_ROWS ? null : BigInt(rows[rows.length - 1].seq as string);
        // Backpressure: never read the next page before the client took this one.
        if (!res.write(chunk) && !closed) await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
      res.end();
    } catch (err) {
      if (started) {
        services.log.error({ err }, 'usage export failed after the response started');
        res.destroy(err as Error); // the client sees a truncated transfer, never a CSV that looks complete
        return;
      }
      sendJsonError(res, err, services.log);
    }
  });
}

type Query = Request['query'];

/** A date-time whose positive offset lost its "+" to query-string decoding (a space in its place). */
const UNENCODED_PLUS_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)? \d{2}:?\d{2}$/i;

/** The query string as the filter `transactions` takes; the SQL comes from the ledger's one filter builder. */
function exportFilter(q: Query): TransactionFilter {
  const str = (name: string): string | null => {
    const v = q[name];
    if (v === undefined || v === '') return null;
    if (typeof v !== 'string') throw badInput(`${name} must be given once`);
    // As for GraphQL arguments (input-guard.ts): PostgreSQL cannot compare text it cannot store.
    if (!isStorableText(v)) throw badInput(`${name} must be valid Unicode text without NUL characters`);
    return v;
  };
  // The DateTime scalar's own parser, so the export takes exactly what `transactions` takes (an
  // RFC 3339 date-time with its offset): `new Date` read "2026-12-31junk" as June 12.
  const date = (name: string): Date | null => {
    const v = str(name);
    if (v === null) return null;
    try {
      return GraphQLDateTime.parseValue(v) as Date;
    } catch {
      // A "+" sent unencoded in a query string arrives as a space: "2026-01-01T00:00:00 02:00".
      if (UNENCODED_PLUS_OFFSET.test(v)) {
        throw badInput(`${name} has a space where its offset's "+" should be: a "+" in a query string reads as a space, so encode it as %2B (${name}=${v.replace(' ', '%2B')})`);
      }
      throw badInput(`${name} must be a date-time with its offset, like 2026-12-31T00:00:00Z`);
    }
  };
  const synfluencerId = str('synfluencerId');
  if (synfluencerId && !isUuid(synfluencerId)) throw notFound('Synfluencer');
  return {
    synfluencerId,
    feature: str('feature'),
    platform: str('platform'),
    automationId: str('automationId'),
    kinds: transactionKinds(str('kinds')),
    from: date('from'),
    to: date('to'),
  };
}

function transactionKinds(list: string | null): TransactionKind[] | null {
  if (!list) return null;
  const kinds = list.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = kinds.filter((k) => !(Object.values(TransactionKind) as string[]).includes(k));
  if (unknown.length) throw badInput(`unknown transaction kind(s): ${unknown.join(', ')}`);
  return kinds as TransactionKind[];
}

function csvLine(r: Record<string, string | number | null | Date>): string {
  const cells = [
    cell(r.id),
    cell(new Date(r.created_at as string).toISOString()),
    cell(r.kind),
    cell(formatCredits(BigInt(r.amount as string))),
    cell(formatCredits(BigInt(r.balance_after as string))),
    cell(r.wallet_version),
    text(r.description),
    cell(r.synfluencer_id),
    text(r.synfluencer_name),
    text(r.feature),
    text(r.platform),
    text(r.automation_id),
    text(r.provider),
    cell(r.quantity),
    text(r.unit),
    text(r.idempotency_key),
    cell(r.hold_id),
  ];
  return cells.join(',') + '\r\n';
}

/** RFC 4180 quoting. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Free text a user or partner chose: neutralise spreadsheet formulas (=, +, -, @) before quoting. */
function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return cell(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);
}
