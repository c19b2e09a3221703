import pino from 'pino';
import { ApiKeyScope } from '../../src/modules/auth/api-key.entity';
import { CLOSE, SocketRegistry, type SocketHandle } from '../../src/modules/realtime/socket-registry';
import type { Principal } from '../../src/modules/auth/auth.service';
import type { Sql } from '../../src/db/sql';

// Sockets whose revocation was never heard (src/modules/realtime/socket-registry.ts): a credential
// read before a revocation or a LISTEN outage, registered after it, is read again; a socket
// registered with nothing in between costs no read.

const settle = () => new Promise((resolve) => setImmediate(resolve));

function socket(id: string, principal: Partial<Principal>) {
  const ended: number[] = [];
  const handle: SocketHandle = {
    id,
    principal: { accountId: 'acc-1', role: 'USER' as Principal['role'], via: 'apiKey', scopes: [ApiKeyScope.WALLET_READ], expiresAt: null, sessionId: null, apiKeyId: null, ...principal },
    end: (code) => ended.push(code),
  };
  return { handle, ended };
}

function registryEnding(endedKeys: string[], endedSessions: string[] = []) {
  const reads: { sessionIds: readonly string[]; apiKeyIds: readonly string[] }[] = [];
  const registry = new SocketRegistry({
    sql: {} as Sql, // not used by register, revoked or listeningChanged
    instanceId: 'i1',
    limits: { maxSocketsPerAccount: 10, maxSocketsPerApiKey: 10 },
    endedCredentials: async (sessionIds, apiKeyIds) => {
      reads.push({ sessionIds, apiKeyIds });
      return { sessions: new Set(endedSessions.filter((id) => sessionIds.includes(id))), apiKeys: new Set(endedKeys.filter((id) => apiKeyIds.includes(id))) };
    },
    log: pino({ level: 'silent' }),
  });
  return { registry, reads };
}

it('registers without a read when nothing was revoked since the credential was read', async () => {
  const { registry, reads } = registryEnding(['key-1']);
  const s = socket('s1', { apiKeyId: 'key-1' });
  registry.register(s.handle, registry.currentGeneration());
  await settle();
  expect(reads).toEqual([]);
  expect(s.ended).toEqual([]);
});

it('reads the credential again when a revocation was heard between its read and the registration, and ends the socket only if it ended', async () => {
  const { registry, reads } = registryEnding(['key-1']);
  const revokedKey = socket('s1', { apiKeyId: 'key-1' });
  const liveKey = socket('s2', { apiKeyId: 'key-2' });
  const readAt = registry.currentGeneration();
  registry.revoked({ kind: 'apiKey', id: 'key-1' }); // found no socket: s1 is not registered yet
  registry.register(revokedKey.handle, readAt);
  registry.register(liveKey.handle, readAt);
  await settle();
  expect(reads).toEqual([
    { sessionIds: [], apiKeyIds: ['key-1'] },
    { sessionIds: [], apiKeyIds: ['key-2'] },
  ]);
  expect(revokedKey.ended).toEqual([CLOSE.CREDENTIALS_ENDED]);
  expect(liveKey.ended).toEqual([]);
});

it('reads every open socket again when the LISTEN connection is back, in one read, and ends those whose key or session ended', async () => {
  const { registry, reads } = registryEnding(['key-1'], ['session-1']);
  const sockets = [socket('s1', { apiKeyId: 'key-1' }), socket('s2', { apiKeyId: 'key-2' }), socket('s3', { sessionId: 'session-1', via: 'session' }), socket('s4', { sessionId: 'session-2', via: 'session', accountId: 'acc-2' })];
  for (const s of sockets) registry.register(s.handle, registry.currentGeneration());
  registry.listeningChanged(false);
  await settle();
  expect(reads).toEqual([]); // nothing can be read from a lost connection's NOTIFYs; the caches stop trusting instead
  registry.listeningChanged(true);
  await settle();
  expect(reads).toHaveLength(1);
  expect([...reads[0].apiKeyIds].sort()).toEqual(['key-1', 'key-2']);
  expect([...reads[0].sessionIds].sort()).toEqual(['session-1', 'session-2']);
  expect(sockets.map((s) => s.ended)).toEqual([[CLOSE.CREDENTIALS_ENDED], [], [CLOSE.CREDENTIALS_ENDED], []]);
});

it('tries a failed read again with backoff until it succeeds, and reads only the sockets still open', async () => {
  jest.useFakeTimers();
  try {
    const reads: string[][] = [];
    let failuresLeft = 2;
    const registry = new SocketRegistry({
      sql: { query: async () => undefined } as unknown as Sql, // release deletes the socket's row
      instanceId: 'i1',
      limits: { maxSocketsPerAccount: 10, maxSocketsPerApiKey: 10 },
      endedCredentials: async (_sessionIds, apiKeyIds) => {
        reads.push([...apiKeyIds].sort());
        if (failuresLeft-- > 0) throw new Error('connection refused');
        return { sessions: new Set(), apiKeys: new Set(apiKeyIds.filter((id) => id === 'key-1')) };
      },
      log: pino({ level: 'silent' }),
      recheckRetry: { firstMs: 100, maxMs: 150 },
    });
    const revoked = socket('s1', { apiKeyId: 'key-1' });
    const closed = socket('s2', { apiKeyId: 'key-2', accountId: 'acc-2' });
    const live = socket('s3', { apiKeyId: 'key-3', accountId: 'acc-3' });
    for (const s of [revoked, closed, live]) registry.register(s.handle, registry.currentGeneration());
    registry.listeningChanged(true); // the read fails: the database is still unreachable
    await jest.advanceTimersByTimeAsync(0);
    expect(reads).toEqual([['key-1', 'key-2', 'key-3']]);
    expect(revoked.ended).toEqual([]);

    registry.release(closed.handle); // closed meanwhile: not read again
    await jest.advanceTimersByTimeAsync(99);
    expect(reads).toHaveLength(1); // not before the first delay
    await jest.advanceTimersByTimeAsync(1); // second read, fails again: the delay doubles (capped at 150 ms)
    expect(reads).toEqual([['key-1', 'key-2', 'key-3'], ['key-1', 'key-3']]);
    await jest.advanceTimersByTimeAsync(149);
    expect(reads).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1); // third read succeeds
    expect(reads).toHaveLength(3);
    expect(revoked.ended).toEqual([CLOSE.CREDENTIALS_ENDED]);
    expect(live.ended).toEqual([]);

    await jest.advanceTimersByTimeAsync(10_000);
    expect(reads).toHaveLength(3); // nothing more once a read succeeded
  } finally {
    jest.useRealTimers();
  }
});

it('stops retrying when the registry is cleared (the instance stops)', async () => {
  jest.useFakeTimers();
  try {
    let reads = 0;
    const registry = new SocketRegistry({
      sql: { query: async () => undefined } as unknown as Sql,
      instanceId: 'i1',
      limits: { maxSocketsPerAccount: 10, maxSocketsPerApiKey: 10 },
      endedCredentials: async () => {
        reads++;
        throw new Error('connection refused');
      },
      log: pino({ level: 'silent' }),
      recheckRetry: { firstMs: 100, maxMs: 100 },
    });
    registry.register(socket('s1', { apiKeyId: 'key-1' }).handle, registry.currentGeneration());
    registry.listeningChanged(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(reads).toBe(1);
    await registry.clear();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(reads).toBe(1);
  } finally {
    jest.useRealTimers();
  }
});
