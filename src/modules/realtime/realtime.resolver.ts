import { Arg, Authorized, ID, Resolver, Root, Subscription, type SubscribeResolverData } from 'type-graphql';
import { me, type Context } from '../auth/context';
import { Role } from '../accounts/account.entity';
import { DomainError, ErrorCode, badInput } from '../../shared/errors';
import { isUuid } from '../../shared/ids';
import type { MessageRow } from '../alerts/messages.service';
import { LowCreditAlertType, MessageType } from '../alerts/messages.types';
import { toMessageType } from '../alerts/messages.resolver';
import type { BalanceEvent, LowCreditEvent } from './realtime.hub';
import { WalletBalanceType } from './realtime.types';
import { toWalletType } from '../ledger/ledger.mappers';

type Data = SubscribeResolverData<unknown, { accountId?: string | null; afterVersion?: string | null }, Context>;

/** Subscriptions watch the caller's own account; an admin session may name another with `accountId`. */
function watchedAccount({ context, args }: Data): string {
  const p = me(context);
  const accountId = args.accountId;
  if (!accountId || accountId === p.accountId) return p.accountId;
  if (p.via !== 'session' || p.role !== Role.ADMIN) throw new DomainError(ErrorCode.FORBIDDEN, 'Only admins may watch another account');
  if (!isUuid(accountId)) throw new DomainError(ErrorCode.NOT_FOUND, 'Account not found');
  return accountId;
}

/** Wallet versions are PostgreSQL bigints that start at 0. */
const MAX_VERSION = 2n ** 63n - 1n;
const VERSION_RANGE = `a whole number from 0 to ${MAX_VERSION}, as a decimal string`;

function parseVersion(v: string | null | undefined): bigint | null {
  if (v === null || v === undefined) return null;
  if (!/^-?\d+$/.test(v)) throw badInput(`afterVersion must be a wallet version: ${VERSION_RANGE}`);
  const version = BigInt(v);
  if (version < 0n || version > MAX_VERSION) throw badInput(`afterVersion ${v} is out of range: a wallet version is ${VERSION_RANGE}`);
  return version;
}

const toBalance = (e: BalanceEvent): WalletBalanceType => ({
  walletId: e.walletId,
  accountId: e.accountId,
  balance: e.balance,
  held: e.held,
  spentThisMonth: e.spentThisMonth,
  status: e.status,
  version: e.version.toString(),
  cause: e.cause,
  wallet: toWalletType(e),
});

@Resolver()
export class RealtimeResolver {
  @Authorized('WALLET_READ')
  @Subscription(() => WalletBalanceType, {
    description:
      "The caller's wallet after every committed change, in increasing version order (bursts may be coalesced to the latest state; every committed change reaches a connected subscriber within 2 seconds). With afterVersion older than the current version, the first event is the current state, so a reconnecting client converges at once. Needs WALLET_READ for API keys.",
    subscribe: (d: Data) => d.context.services.realtime.balance(watchedAccount(d), parseVersion(d.args.afterVersion)),
  })
  balanceChanged(
    @Root() e: BalanceEvent,
    @Arg('afterVersion', () => String, { nullable: true, description: 'The last wallet version the client saw: a decimal string of a whole number from 0 to 9223372036854775807 (BAD_USER_INPUT otherwise); null = start with the next change.' }) _afterVersion: string | null,
    @Arg('accountId', () => ID, { nullable: true, description: 'Admins only: watch another account.' }) _accountId: string | null,
  ): WalletBalanceType {
    return toBalance(e);
  }

  @Authorized('WALLET_READ')
  @Subscription(() => LowCreditAlertType, {
    description:
      'Fired when the balance first falls to 25 %, 10 % and 0 % of the balance after the most recent top-up, allocation or grant; each threshold once per such cycle.',
    subscribe: (d: Data) => d.context.services.realtime.lowCreditAlerts(watchedAccount(d)),
  })
  lowCreditAlert(
    @Root() e: LowCreditEvent,
    @Arg('accountId', () => ID, { nullable: true, description: 'Admins only: watch another account.' }) _accountId: string | null,
  ): LowCreditAlertType {
    return { threshold: e.threshold, balance: e.balance, reference: e.reference, createdAt: e.createdAt };
  }

  @Authorized('WALLET_READ')
  @Subscription(() => MessageType, {
    description: 'Every new message of the account (alerts, purchases, refunds, renewals), as it commits.',
    subscribe: (d: Data) => d.context.services.realtime.messages(watchedAccount(d)),
  })
  messageAdded(
    @Root() m: MessageRow,
    @Arg('accountId', () => ID, { nullable: true, description: 'Admins only: watch another account.' }) _accountId: string | null,
  ): MessageType {
    return toMessageType(m);
  }
}
