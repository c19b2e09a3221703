import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics (process_*, nodejs_*: CPU, memory, heap, handles, event-loop lag,
 * GC), collected once per process into a registry of their own; each app's registry takes them in
 * with `Registry.merge` (metrics.ts).
 *
 * Once per process because they describe the process, not an app, and because collecting them
 * starts a GC PerformanceObserver and an event-loop delay histogram that prom-client offers no way
 * to stop (prometheus/client_js#494). Collected into an app's registry, they kept that registry,
 * its scrape gauges and through them the whole stopped app reachable for the life of the process.
 */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}
