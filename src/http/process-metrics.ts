import { readdirSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, type Registry } from 'prom-client';

let sharedDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;

/** One sampler per process (tests build many apps): a 20 ms timer that holds no loop open. */
function eventLoopDelay(): ReturnType<typeof monitorEventLoopDelay> {
  if (!sharedDelay) {
    sharedDelay = monitorEventLoopDelay({ resolution: 20 });
    sharedDelay.enable();
  }
  return sharedDelay;
}

/**
 * The few process metrics worth their cost, read at scrape time only, under prom-client's
 * default names (with our gdm_ prefix): CPU, resident memory, heap used, open file
 * descriptors, start time and event-loop delay. prom-client's collectDefaultMetrics also
 * keeps a GC-duration observer running on every collection, per-heap-space gauges, active
 * handles and resources and more (issue 13: memory and work at idle for little use).
 */
export function registerProcessMetrics(registry: Registry): void {
  const registers = [registry];
  new Counter({
    name: 'gdm_process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds',
    registers,
    collect() {
      const usage = process.cpuUsage();
      this.reset();
      this.inc((usage.user + usage.system) / 1e6);
    },
  });
  new Gauge({
    name: 'gdm_process_resident_memory_bytes',
    help: 'Resident memory size in bytes',
    registers,
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'gdm_nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes',
    registers,
    collect() {
      this.set(process.memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'gdm_process_open_fds',
    help: 'Number of open file descriptors (Linux only)',
    registers,
    collect() {
      try {
        this.set(readdirSync('/proc/self/fd').length - 1); // minus the one readdir itself opened
      } catch {
        // not Linux: left out rather than a wrong 0
      }
    },
  });
  const started = Math.round(Date.now() / 1000 - process.uptime());
  new Gauge({ name: 'gdm_process_start_time_seconds', help: 'Start time of the process since unix epoch in seconds', registers }).set(started);
  const delay = eventLoopDelay();
  new Gauge({
    name: 'gdm_nodejs_eventloop_lag_p99_seconds',
    help: 'The 99th percentile of the event loop delay since the last scrape (of any registry in this process), in seconds',
    registers,
    collect() {
      this.set(delay.count > 0 ? delay.percentile(99) / 1e9 : 0);
      delay.reset();
    },
  });
}
