import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../../config';
import type { Sql } from '../../db/sql';
import type { Logger } from '../../shared/logger';
import { BackgroundWorker, backoffMs } from '../../shared/background-worker';

interface OutboxRow {
  id: string;
  to_address: string;
  subject: string;
  body: string;
  attempts: number;
}

/** How long a claimed email is reserved for the instance sending it (longer than any SMTP timeout). */
const LEASE_MS = 60_000;
const BATCH = 20;

/**
 * Sends the emails that committed alerts queued in `email_outbox`, after commit and off the
 * charge path: a charge never waits for SMTP and never fails because of it. Rows are
 * claimed with `for update skip locked` and a lease, so several instances can run this
 * worker without sending an email twice at once; a failed send is retried with exponential
 * backoff (`EMAIL_RETRY_BASE_MS` doubling up to `EMAIL_RETRY_MAX_MS`) until
 * `EMAIL_MAX_ATTEMPTS`. Without `SMTP_URL` the email is logged instead (development).
 */
export class EmailOutboxWorker extends BackgroundWorker {
  private readonly transport: Transporter | null;

  constructor(private readonly deps: { sql: Sql; config: Config; log: Logger }) {
    super(deps.config.email.pollMs);
    const url = deps.config.smtpUrl;
    this.transport = url
      ? nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 } as never)
      : null;
  }

  override async stop(): Promise<void> {
    await super.stop();
    this.transport?.close();
  }

  protected async run(): Promise<void> {
    try {
      for (;;) {
        const rows = await this.deps.sql.query<OutboxRow>(
          `with due as (select id from email_outbox
                         where sent_at is null and failed_at is null and next_attempt_at <= now()
                         order by next_attempt_at limit ? for update skip locked)
           update email_outbox e set attempts = e.attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond'
             from due where e.id = due.id
           returning e.id, e.to_address, e.subject, e.body, e.attempts`,
          [BATCH, LEASE_MS],
        );
        await Promise.all(rows.map((r) => this.send(r)));
        if (rows.length < BATCH || this.stopping) return;
      }
    } catch (err) {
      this.deps.log.error({ err }, 'email outbox run failed');
    }
  }

  private async send(r: OutboxRow): Promise<void> {
    const e = this.deps.config.email;
    try {
      if (this.transport) {
        await this.transport.sendMail({ from: e.from, to: r.to_address, subject: r.subject, text: r.body });
      } else {
        this.deps.log.info({ to: r.to_address, subject: r.subject, body: r.body }, 'email (SMTP_URL not set: logged instead of sent)');
      }
      await this.deps.sql.query('update email_outbox set sent_at = now(), last_error = null where id = ?', [r.id]);
    } catch (err) {
      const giveUp = r.attempts >= e.maxAttempts;
      const delay = backoffMs(r.attempts, e.retryBaseMs, e.retryMaxMs);
      this.deps.log.warn({ err, emailId: r.id, attempts: r.attempts, giveUp, retryInMs: giveUp ? null : delay }, 'email send failed');
      await this.deps.sql
        .query(
          `update email_outbox set last_error = ?, failed_at = case when ? then now() end,
                  next_attempt_at = now() + ? * interval '1 millisecond' where id = ?`,
          [String((err as Error).message ?? err).slice(0, 1000), giveUp, delay, r.id],
        )
        .catch((e2) => this.deps.log.error({ err: e2 }, 'could not record email failure (the lease expires and it is retried)'));
    }
  }
}
