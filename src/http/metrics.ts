import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerProcessMetrics } from './process-metrics.js';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  engineUp: Gauge<'engine'>;
  engineSynced: Gauge<'engine'>;
  engineLatency: Gauge<'engine'>;
  containersByState: Gauge<'engine' | 'state'>;
  groupUp: Gauge<'group' | 'status'>;
  eventStreamReconnects: Counter<'engine'>;
  containerCpu: Gauge<'name' | 'group' | 'engine'>;
  containerMemory: Gauge<'name' | 'group' | 'engine'>;
  rateLimitStoreUp: Gauge;
  rateLimitStoreFallbacks: Counter;
}

/**
 * One registry per app instance (tests build many apps in one process, and prom-client's
 * global registry refuses a metric registered twice).
 */
export function createMetrics(): Metrics {
  const registry = new Registry();
  registerProcessMetrics(registry);
  return {
    registry,
    httpRequests: new Counter({
      name: 'gdm_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'gdm_http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    engineUp: new Gauge({ name: 'gdm_engine_up', help: '1 when the Docker engine answers', labelNames: ['engine'], registers: [registry] }),
    engineSynced: new Gauge({ name: 'gdm_engine_synced', help: "1 while the engine's containers are in sync (0: shown stale)", labelNames: ['engine'], registers: [registry] }),
    engineLatency: new Gauge({ name: 'gdm_engine_ping_seconds', help: "The engine's last ping round trip", labelNames: ['engine'], registers: [registry] }),
    containersByState: new Gauge({
      name: 'gdm_containers',
      help: 'Containers by engine and state',
      labelNames: ['engine', 'state'],
      registers: [registry],
    }),
    groupUp: new Gauge({
      name: 'gdm_group_status',
      help: '1 for the current status of each service group (running, partial, stopped, unhealthy, empty)',
      labelNames: ['group', 'status'],
      registers: [registry],
    }),
    eventStreamReconnects: new Counter({
      name: 'gdm_engine_event_stream_reconnects_total',
      help: 'Times the engine events stream was lost and had to be reconnected',
      labelNames: ['engine'],
      registers: [registry],
    }),
    containerCpu: new Gauge({
      name: 'gdm_container_cpu_percent',
      help: 'CPU use of a running container (100 = one core); only with METRICS_CONTAINER_STATS=true',
      labelNames: ['name', 'group', 'engine'],
      registers: [registry],
    }),
    containerMemory: new Gauge({
      name: 'gdm_container_memory_bytes',
      help: 'Memory use of a running container without page cache; only with METRICS_CONTAINER_STATS=true',
      labelNames: ['name', 'group', 'engine'],
      registers: [registry],
    }),
    rateLimitStoreUp: new Gauge({
      name: 'gdm_rate_limit_store_up',
      help: '1 when the rate-limit store answers (always without REDIS_URL); 0 while Redis is away and limits are counted per process',
      registers: [registry],
    }),
    rateLimitStoreFallbacks: new Counter({
      name: 'gdm_rate_limit_store_fallbacks_total',
      help: 'Times Redis (rate limits) was lost and limits fell back to per-process counting',
      registers: [registry],
    }),
  };
}
