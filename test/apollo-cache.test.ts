import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, type TestApp, type TestUser } from './helpers/app';

/**
 * Stock clients cache the API with no custom code: Apollo Client 4's InMemoryCache, an HTTP link
 * and a graphql-ws link, against the running server. Every object a client caches has an id,
 * and events and mutation results carry the objects they change.
 */

const ME = gql`
  query Me {
    me {
      id
      wallet {
        id
        balance
        held
        version
        status
      }
    }
  }
`;

const BALANCE_WITH_WALLET = gql`
  subscription BalanceWithWallet {
    balanceChanged {
      version
      balance
      wallet {
        id
        balance
        held
        version
        status
      }
    }
  }
`;

/** The event as it was before `wallet` existed: the client cannot tell which cached object changed. */
const BALANCE_WITHOUT_WALLET = gql`
  subscription BalanceWithoutWallet {
    balanceChanged {
      walletId
      version
      balance
    }
  }
`;

function stockClient(t: TestApp, token: string): { apollo: ApolloClient; ws: Client } {
  const ws = createClient({ url: t.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const http = new HttpLink({ uri: t.url, headers: { authorization: `Bearer ${token}` } });
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    new GraphQLWsLink(ws),
    http,
  );
  return { apollo: new ApolloClient({ link, cache: new InMemoryCache() }), ws };
}

describe('Apollo Client 4 (InMemoryCache) against the running server', () => {
  let t: TestApp;
  let user: TestUser;
  let client: { apollo: ApolloClient; ws: Client };
  const warnings: string[] = [];
  let restoreWarn: () => void;

  beforeAll(async () => {
    t = await startTestApp({ PRICE_BOOK: 'synfluencer', SIGNUP_BONUS: '100' });
    user = await t.signUp();
    client = stockClient(t, user.token);
    const warn = jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
    restoreWarn = () => warn.mockRestore();
  });
  afterAll(async () => {
    restoreWarn?.();
    client?.apollo.stop();
    await client?.ws.dispose();
    await t?.stop();
  });

  const cachedBalance = () => client.apollo.cache.readQuery<{ me: { wallet: { balance: string; version: string } } }>({ query: ME })?.me.wallet;

  /** Subscribes through Apollo and resolves with the first event whose version is above `after`. */
  function nextEvent(query: typeof BALANCE_WITH_WALLET, after: bigint): { event: Promise<unknown>; stop: () => void } {
    let stop = () => undefined as void;
    const event = new Promise<unknown>((resolve, reject) => {
      const subscription = client.apollo.subscribe({ query }).subscribe({
        next: (result) => {
          const data = result.data as { balanceChanged: { version: string } } | undefined;
          if (data && BigInt(data.balanceChanged.version) > after) resolve(data);
        },
        error: reject,
      });
      stop = () => subscription.unsubscribe();
    });
    return { event, stop: () => stop() };
  }

  const settle = () => new Promise((resolve) => setTimeout(resolve, 300)); // the subscription starts lazily

  it('without `wallet` on the event, the cached me.wallet stays stale (the problem)', async () => {
    await client.apollo.query({ query: ME, fetchPolicy: 'network-only' });
    const before = cachedBalance()!;
    const live = nextEvent(BALANCE_WITHOUT_WALLET, BigInt(before.version));
    await settle();
    await t.chargeOk(user, { feature: 'talking_head', quantity: 10, idempotencyKey: 'stale-1' });
    await live.event;
    live.stop();
    expect(cachedBalance()!.balance).toBe(before.balance); // nothing told the cache which Wallet changed
  });

  it('with `wallet: Wallet!` on the event, cache.readQuery of me { wallet } shows the new balance: no refetch, no custom code', async () => {
    const { data } = await client.apollo.query<{ me: { wallet: { balance: string; version: string } } }>({ query: ME, fetchPolicy: 'network-only' });
    const before = data!.me.wallet;
    const live = nextEvent(BALANCE_WITH_WALLET, BigInt(before.version));
    await settle();
    await t.chargeOk(user, { feature: 'talking_head', quantity: 10, idempotencyKey: 'fresh-1' }); // 10 s of talking head: 1 credit
    await live.event;
    live.stop();
    const after = cachedBalance()!;
    expect(Number(before.balance) - Number(after.balance)).toBeCloseTo(1, 6);
    expect(BigInt(after.version)).toBeGreaterThan(BigInt(before.version));
  });

  it('captureHold and releaseHold update the cached Hold (CAPTURED, RELEASED) from their results alone', async () => {
    const HOLD = gql`
      query HoldState($id: ID!) {
        hold(id: $id) {
          id
          status
          captured
        }
      }
    `;
    const reserve = (key: string) =>
      client.apollo.mutate<{ reserveCredits: { id: string; status: string } }>({
        mutation: gql`
          mutation Reserve($key: String!) {
            reserveCredits(input: { feature: "ai_video", quantity: 60, idempotencyKey: $key }) {
              id
              status
              captured
            }
          }
        `,
        variables: { key },
      });
    const cachedHold = (id: string) => client.apollo.cache.readQuery<{ hold: { status: string; captured: string | null } }>({ query: HOLD, variables: { id } })?.hold;

    const captured = (await reserve('hold-a')).data!.reserveCredits;
    await client.apollo.query({ query: HOLD, variables: { id: captured.id } });
    expect(cachedHold(captured.id)).toMatchObject({ status: 'PENDING', captured: null });
    await client.apollo.mutate({
      mutation: gql`
        mutation Capture($id: ID!) {
          captureHold(id: $id, quantity: 42.5) {
            transaction {
              id
            }
            wallet {
              id
              balance
              held
            }
            hold {
              id
              status
              captured
            }
          }
        }
      `,
      variables: { id: captured.id },
    });
    expect(cachedHold(captured.id)).toMatchObject({ status: 'CAPTURED', captured: '5.525' });

    const released = (await reserve('hold-b')).data!.reserveCredits;
    await client.apollo.query({ query: HOLD, variables: { id: released.id } });
    await client.apollo.mutate({
      mutation: gql`
        mutation Release($id: ID!) {
          releaseHold(id: $id) {
            id
            status
          }
        }
      `,
      variables: { id: released.id },
    });
    expect(cachedHold(released.id)?.status).toBe('RELEASED');
  });

  it('settings merge by id across differently shaped selections, and Apollo warned about no cache data loss', async () => {
    await client.apollo.query({
      query: gql`
        query SettingsA {
          me {
            id
            settings {
              id
              burnAlertThreshold
              lowCreditEmails
            }
          }
        }
      `,
    });
    await client.apollo.mutate({
      mutation: gql`
        mutation SetCap {
          updateSettings(input: { monthlyBudgetCap: "50" }) {
            id
            settings {
              id
              monthlyBudgetCap
            }
          }
        }
      `,
    });
    const settings = (client.apollo.cache.extract() as Record<string, Record<string, unknown>>)[`AccountSettings:${user.accountId}`];
    expect(settings).toMatchObject({ burnAlertThreshold: null, lowCreditEmails: true, monthlyBudgetCap: '50' });
    expect(warnings.filter((w) => /Cache data may be lost|Missing field/i.test(w))).toEqual([]);
  });
});
