import pino from 'pino';
import { API_KEY_REFRESH_MS, CredentialCache, type CachedApiKey } from '../../src/modules/auth/credential-cache';

// The API-key cache (src/modules/auth/credential-cache.ts): a stale entry is answered at once and
// re-read in the background; a revocation is never undone by a re-read that raced it.

interface Principal {
  accountId: string;
  role: string;
}

/** A `load` whose answers the test releases one at a time, counting the calls. */
function controlledLoad() {
  const pending: { resolve: (value: CachedApiKey<Principal>) => void; reject: (err: Error) => void }[] = [];
  const load = jest.fn(() => new Promise<CachedApiKey<Principal>>((resolve, reject) => pending.push({ resolve, reject })));
  const answer = (role: string) => pending.shift()!.resolve({ principal: { accountId: 'a1', role }, keyId: 'k1' });
  const fail = () => pending.shift()!.reject(new Error('database unavailable'));
  return { load, answer, fail, pending };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Caches key h1 with role USER through `control`, then lets the entry go stale. */
async function cacheThenAge(control: ReturnType<typeof controlledLoad>): Promise<void> {
  const first = cache.apiKey('h1', control.load);
  control.answer('USER');
  await first;
  now += API_KEY_REFRESH_MS;
}

let now = 1_000_000;
let cache: CredentialCache<Principal>;
beforeEach(() => {
  now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  cache = new CredentialCache<Principal>(pino({ level: 'silent' }));
  cache.setListening(true);
});
afterEach(() => jest.restoreAllMocks());

it('reads a key once, then answers from the cache without calling load', async () => {
  const { load, answer } = controlledLoad();
  const first = cache.apiKey('h1', load);
  answer('USER');
  expect(await first).toEqual({ accountId: 'a1', role: 'USER' });
  now += API_KEY_REFRESH_MS - 1;
  expect(await cache.apiKey('h1', load)).toEqual({ accountId: 'a1', role: 'USER' });
  expect(load).toHaveBeenCalledTimes(1);
});

it('answers a stale entry at once and refreshes it in the background, one refresh at a time', async () => {
  const control = controlledLoad();
  const { load, answer } = control;
  await cacheThenAge(control);
  // Both answered from the stale entry without waiting; only one re-read starts.
  expect(await cache.apiKey('h1', load)).toEqual({ accountId: 'a1', role: 'USER' });
  expect(await cache.apiKey('h1', load)).toEqual({ accountId: 'a1', role: 'USER' });
  expect(load).toHaveBeenCalledTimes(2);
  answer('ADMIN');
  await settle();
  expect(await cache.apiKey('h1', load)).toEqual({ accountId: 'a1', role: 'ADMIN' });
  expect(load).toHaveBeenCalledTimes(2);
});

it('a revocation during a background refresh is not undone when the refresh returns', async () => {
  const control = controlledLoad();
  const { load, answer, pending } = control;
  await cacheThenAge(control);
  await cache.apiKey('h1', load); // starts the refresh
  cache.revoked({ kind: 'apiKey', id: 'k1' });
  answer('USER'); // the refresh read the row before the revocation committed
  await settle();
  // Not cached: the next use waits for a database read (where the key is now revoked).
  const next = cache.apiKey('h1', load);
  expect(load).toHaveBeenCalledTimes(3);
  expect(pending).toHaveLength(1);
  pending.shift()!.resolve({ principal: null, keyId: 'k1' });
  expect(await next).toBeNull();
});

it('a failed refresh keeps the entry, and the next use after it retries', async () => {
  const control = controlledLoad();
  const { load, answer, fail } = control;
  await cacheThenAge(control);
  await cache.apiKey('h1', load);
  fail();
  await settle();
  expect(await cache.apiKey('h1', load)).toEqual({ accountId: 'a1', role: 'USER' });
  expect(load).toHaveBeenCalledTimes(3);
  answer('USER');
  await settle();
});

it('caches nothing while the revocation channel is down', async () => {
  const { load, answer } = controlledLoad();
  cache.setListening(false);
  const first = cache.apiKey('h1', load);
  answer('USER');
  await first;
  const second = cache.apiKey('h1', load);
  expect(load).toHaveBeenCalledTimes(2);
  answer('USER');
  await second;
});
