import { alertsParticipant, type AlertsPart } from '../../src/modules/alerts/alerts.participant';
import { MessageKind } from '../../src/modules/alerts/message.entity';
import type { WalletBatch } from '../../src/modules/ledger/domain/batch';
import { applyOperations } from '../../src/modules/ledger/domain/apply';
import { CreditSource } from '../../src/modules/ledger/domain/kinds';
import type { LedgerOperation } from '../../src/modules/ledger/domain/operations';
import { SqlParams } from '../../src/modules/ledger/store/params';
import { batchOf, bucket, C, charge, NOW } from './ledger-fixtures';

/** The alerts participant on a batch in memory, as the engine drives it (open, then afterOperation per applied operation). */
function withAlerts(batch: WalletBatch, settings: { burn?: bigint; emails?: boolean } = {}) {
  const committed: string[][] = [];
  const participant = alertsParticipant({ messagesCommitted: (ids) => committed.push(ids), emailsCommitted: () => committed.push(['emails']) });
  const part = participant.open({
    wallet: batch.wallet,
    walletRow: { low_credit_fired: 0, burn_alert_month: null, cap_alert_month: null },
    loaded: { burn_alert_threshold: settings.burn === undefined ? null : settings.burn.toString(), low_credit_emails: settings.emails ?? true, email: 'studio@example.com' },
    now: NOW,
  });
  const run = (...operations: LedgerOperation[]) => applyOperations(batch, operations, (operation, result) => participant.afterOperation!(part, { operation, result, now: NOW }));
  const fired = () => part.messages.map((m) => (m.kind === MessageKind.LOW_CREDITS ? `${m.kind} ${m.data!.threshold}` : m.kind));
  return { participant, part, run, fired, committed };
}

const grant = (amount: bigint): LedgerOperation => ({ type: 'grant', source: CreditSource.PURCHASE, amount, expiresAt: null, idempotencyKey: null, requestHash: null, description: 'pack' });

describe('alert thresholds, once per cycle', () => {
  it('fires 25 %, 10 % and 0 % once each as the balance falls, and again after a credit starts a new cycle', () => {
    const { run, fired, part } = withAlerts(batchOf([bucket(100n * C)]));
    run(charge(70n * C), charge(6n * C), charge(1n * C));
    expect(fired()).toEqual(['LOW_CREDITS 25']);
    run(charge(14n * C), charge(1n * C), charge(8n * C));
    expect(fired()).toEqual(['LOW_CREDITS 25', 'LOW_CREDITS 10', 'LOW_CREDITS 0', 'CREDITS_DEPLETED']);
    expect(part.marks.lowCreditFired).toBe(7);
    run(grant(40n * C));
    expect(part.marks.lowCreditFired).toBe(0);
    // One charge crossing two thresholds fires both, in order; the reference is now 40.
    run(charge(36n * C));
    expect(fired().slice(4)).toEqual(['LOW_CREDITS 25', 'LOW_CREDITS 10']);
    expect(part.messages[4].data).toMatchObject({ threshold: 25, balance: '4', reference: '40' });
    // Worded for any credit (the first cycle's reference is a bucket, the second a grant), not "your last top-up".
    expect(part.messages[0].body).toBe('Your balance is 24 credits, 25 % or less of the 100 credits you had when credits were last added.');
    expect(part.messages.find((m) => m.kind === MessageKind.LOW_CREDITS && m.data!.threshold === 0)!.body).toBe(
      'Your balance has reached 0 credits (0 % of the 100 credits you had when credits were last added). Generation pauses until you add credits.',
    );
    expect(part.emails[0].body).toBe(part.messages[0].body);
    expect(part.emails.map((e) => e.subject)).toEqual([
      'Credits running low: 25 % left',
      'Credits running low: 10 % left',
      'You are out of credits',
      'Credits running low: 25 % left',
      'Credits running low: 10 % left',
    ]);
  });

  it('a refused charge decides nothing; low-credit emails follow the account setting', () => {
    const { run, fired, part } = withAlerts(batchOf([bucket(10n * C)]), { emails: false });
    run(charge(11n * C));
    expect(fired()).toEqual([]);
    run(charge(9n * C));
    expect(fired()).toEqual(['LOW_CREDITS 25', 'LOW_CREDITS 10']);
    expect(part.emails).toEqual([]);
  });

  it('the burn alert and the budget cap each fire once a month', () => {
    const { run, fired, part } = withAlerts(batchOf([bucket(100n * C)], { monthlyBudgetCap: 30n * C }), { burn: 20n * C });
    run(charge(10n * C), charge(10n * C), charge(5n * C));
    expect(fired()).toEqual(['BURN_ALERT']);
    run(charge(5n * C), charge(1n * C));
    expect(fired()).toEqual(['BURN_ALERT', 'BUDGET_CAP_REACHED']);
    expect(part.marks).toMatchObject({ burnAlertMonth: '2026-06', capAlertMonth: '2026-06' });
  });

  it('a review raises what a setting made due (cap or threshold now below the spend) once, and records nothing', () => {
    // The account lowered its cap to 20 and its burn threshold to 15 after 25 were spent (the batch reads both at open).
    const batch = batchOf([bucket(100n * C)], { monthlyBudgetCap: 20n * C, spentThisMonth: 25n * C });
    const { run, fired, part } = withAlerts(batch, { burn: 15n * C });
    const before = batch.wallet;
    const [outcome] = run({ type: 'review', publish: true });
    expect(outcome).toMatchObject({ ok: true, result: { entries: [], before, wallet: before } });
    expect(batch.entries).toEqual([]);
    expect(batch.wallet).toEqual(before); // same state, same version (the settings change took its version itself)
    expect(fired()).toEqual(['BURN_ALERT', 'BUDGET_CAP_REACHED']);
    expect(part.messages[1].data).toMatchObject({ spentThisMonth: '25', cap: '20' });
    run({ type: 'review', publish: false }, { type: 'review', publish: true });
    expect(fired()).toEqual(['BURN_ALERT', 'BUDGET_CAP_REACHED']); // once a month
  });

  it('a review of a wallet below its cap and threshold raises nothing', () => {
    const { run, fired } = withAlerts(batchOf([bucket(100n * C)], { monthlyBudgetCap: 30n * C, spentThisMonth: 25n * C }), { burn: 26n * C });
    run({ type: 'review', publish: false });
    expect(fired()).toEqual([]);
  });

  it('writes its rows as CTEs of the one write statement (a fixed text) and announces them after commit', () => {
    const batch = batchOf([bucket(10n * C)]);
    const { participant, part, run, committed } = withAlerts(batch);
    const quiet = (participant.open as (o: unknown) => AlertsPart)({
      wallet: batch.wallet,
      walletRow: { low_credit_fired: 0, burn_alert_month: null, cap_alert_month: null },
      loaded: { burn_alert_threshold: null, low_credit_emails: true, email: 'x@example.com' },
      now: NOW,
    });
    run(charge(10n * C));
    const textOf = (parts: AlertsPart[]) => participant.writeCtes!(parts.map((p) => ({ wallet: batch.wallet, entries: batch.entries, part: p })), new SqlParams()).join();
    expect(textOf([part])).toBe(textOf([quiet]));
    expect(participant.walletValues!(part)).toEqual([7, null, null]);
    participant.afterCommit!([{ wallet: batch.wallet, entries: batch.entries, part }]);
    expect(committed).toEqual([[batch.wallet.accountId], ['emails']]);
  });
});
