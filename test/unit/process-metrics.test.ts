import v8 from 'node:v8';
import vm from 'node:vm';
import { Gauge } from 'prom-client';
import type { MetricsConfig } from '../../src/config';
import { Metrics } from '../../src/modules/metrics/metrics';

v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

const config: MetricsConfig = { enabled: true, token: undefined, port: undefined, host: '127.0.0.1', operationNames: [], maxOperationNames: 100 };

interface App {
  metrics: Metrics;
  buffer: Buffer;
}

/** An app holding its Metrics, whose registry has a scrape gauge holding the app (as scrape-gauges.ts does); only a WeakRef to it escapes. */
function abandonedApp(): WeakRef<App> {
  const app: App = { metrics: new Metrics(config), buffer: Buffer.alloc(8 * 1024 * 1024) };
  new Gauge({ name: 'app_bytes', help: 'bytes the app holds', registers: [app.metrics.registry], collect() { this.set(app.buffer.length); } });
  return new WeakRef(app);
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
  }
}

describe('process metrics', () => {
  it('every app registry shows the default process metrics, as the same objects', async () => {
    const first = new Metrics(config);
    const second = new Metrics(config);
    const names = (await first.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'credits_http_requests_total']));
    expect(second.registry.getSingleMetric('nodejs_gc_duration_seconds')).toBe(first.registry.getSingleMetric('nodejs_gc_duration_seconds'));
    expect(await second.text()).toContain('process_cpu_user_seconds_total');
  });

  it('an app that is no longer referenced is collected: the GC observer and event-loop histogram do not hold it', async () => {
    const refs = [abandonedApp(), abandonedApp(), abandonedApp()];
    // Scraped once, as a running app is: prom-client's collectors run.
    for (const ref of refs) await ref.deref()?.metrics.text();
    await settle();
    expect(refs.map((ref) => (ref.deref() === undefined ? 'collected' : 'still reachable'))).toEqual(['collected', 'collected', 'collected']);
  });
});
