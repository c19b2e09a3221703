import perfHooks from 'node:perf_hooks';

/*
 * Jest runs each test file with its own copy of every module, but Node's core modules are shared
 * by the whole worker. prom-client's default metrics (collected once per copy of the module,
 * src/modules/metrics/process-metrics.ts) start a GC PerformanceObserver and an event-loop delay
 * histogram that it offers no way to stop (prometheus/client_js#494). perf_hooks keeps the
 * observer for the life of the worker, and its callback holds the finished test file's whole
 * module registry: a worker's heap grew with every file, and the last took longer than jest's
 * 500 ms to exit. So the observers and histograms a test file creates are stopped after it
 * (setupFilesAfterEnv, jest.config.js). A process running the service has one copy of each module
 * and needs none of this.
 */
const hooks = perfHooks as { -readonly [K in keyof typeof perfHooks]: (typeof perfHooks)[K] };
const { PerformanceObserver, monitorEventLoopDelay } = hooks;
const stops: (() => void)[] = [];

hooks.PerformanceObserver = class extends PerformanceObserver {
  constructor(callback: ConstructorParameters<typeof PerformanceObserver>[0]) {
    super(callback);
    stops.push(() => this.disconnect());
  }
};
hooks.monitorEventLoopDelay = (options) => {
  const histogram = monitorEventLoopDelay(options);
  stops.push(() => histogram.disable());
  return histogram;
};

afterAll(() => {
  hooks.PerformanceObserver = PerformanceObserver;
  hooks.monitorEventLoopDelay = monitorEventLoopDelay;
  for (const stop of stops.splice(0)) stop();
});
