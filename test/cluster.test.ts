import fs from 'node:fs';
import { createTestDatabase, withSql } from './helpers/db';
import { compiledServerEnv, freePort, startCompiledServer, waitReady } from './helpers/compiled-server';
import { parsePrometheusText, valueOf } from './helpers/prometheus';

const readPpid = (pid: string): number | null => {
  try {
    return Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  } catch {
    return null;
  }
};

const childrenOf = (pid: number): string[] => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d) && readPpid(d) === pid);

/**
 * WORKERS=2: a supervisor forks two complete instances on one port; SIGTERM drains both. With
 * METRICS_PORT the supervisor answers scrapes with both workers' metrics summed.
 */
it('serves with two cluster workers on one port, sums their metrics on METRICS_PORT, and shuts down cleanly on SIGTERM', async () => {
  const db = await createTestDatabase();
  const metricsPort = await freePort();
  const metricsToken = 'cluster-metrics-token-0123456789';
  const { env, base } = await compiledServerEnv(db.url, { WORKERS: '2', PASSWORD_HASH_COST: '10', METRICS_PORT: String(metricsPort), METRICS_TOKEN: metricsToken });
  const child = startCompiledServer(env);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await waitReady(base);
    const gql = (query: string, token?: string) =>
      fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query }),
      }).then((r) => r.json() as Promise<{ data?: { signUp: { accessToken: string } } & { chargeUsage: { wallet: { balance: string } } } }>);
    const su = await gql('mutation { signUp(input: { email: "c@test.dev", password: "Cluster-Test-1" }) { accessToken } }');
    const token = su.data!.signUp.accessToken;
    // Many connections spread over both workers; every charge lands once.
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => gql(`mutation { chargeUsage(input: { feature: "talking_head", quantity: 1, idempotencyKey: "c${i}" }) { wallet { balance } } }`, token)));
    expect(results.filter((r) => r.data)).toHaveLength(40);
    const balance = await withSql(db.url, (c) => c.query('select balance::text from wallet'));
    expect(balance.rows[0].balance).toBe('1000000'); // 5 - 40 × 0.1
    // One scrape of the supervisor counts the work of both workers exactly once.
    expect((await fetch(`${base}/metrics`)).status).toBe(404); // METRICS_PORT set: nothing on the API port
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(401);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scraped.status).toBe(200);
    const families = parsePrometheusText(await scraped.text());
    expect(valueOf(families, 'credits_ledger_operations_total', { result: 'ok' })).toBe(40);
    expect(valueOf(families, 'credits_ledger_batch_operations_sum')).toBe(40);
    expect(valueOf(families, 'credits_http_requests_total', { method: 'POST', route: '/graphql', status: '200' })).toBe(41); // sign-up + 40 charges
    expect(valueOf(families, 'credits_db_pool_max')).toBe(40); // 2 workers x DB_POOL_SIZE 20
    // Two worker processes under the supervisor.
    const workers = childrenOf(child.pid!);
    expect(workers).toHaveLength(2);
    // A worker that dies is replaced; while the new one starts (it cannot answer yet), a scrape
    // still answers at once with the workers that serve, instead of failing after a timeout.
    process.kill(Number(workers[0]), 'SIGKILL');
    const replaced = Date.now() + 10_000;
    while (!childrenOf(child.pid!).some((pid) => !workers.includes(pid)) && Date.now() < replaced) await new Promise((r) => setTimeout(r, 20));
    const during = Date.now();
    const duringRestart = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(duringRestart.status).toBe(200);
    expect(Date.now() - during).toBeLessThan(4000);
    await waitReady(base);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await db.drop();
  }
});
