import { useEffect, useState } from 'react';
import { api, unwrap, type StatsHistory } from '../api/client';
import { bytes, percent } from './format';
import { niceMax, RANGES, segments, type RangeName, type TimedValue } from './history-path';
import { useFetched } from '../state/live';

const W = 480;
const H = 96;
/** How often a shown range is re-read (a 304 when nothing changed: the route has an ETag). */
const REFRESH_MS = 30_000;

type Point = StatsHistory['points'][number];

function Chart({ label, series, format, data }: { label: string; series: { name: string; className: string; pick: (p: Point) => number | undefined }[]; format: (n: number) => string; data: StatsHistory }) {
  const from = Date.parse(data.since);
  const to = Date.parse(data.until);
  const lines = series.map((s) => ({
    ...s,
    values: data.points.flatMap((p): TimedValue[] => {
      const v = s.pick(p);
      return v === undefined ? [] : [{ time: Date.parse(p.time), value: v }];
    }),
  }));
  const max = niceMax(lines.flatMap((l) => l.values.map((v) => v.value)));
  const last = lines.map((l) => `${l.name} ${l.values.length > 0 ? format((l.values.at(-1) as TimedValue).value) : '–'}`).join(' · ');
  return (
    <figure className="history-chart">
      <figcaption>
        {label}: <strong>{last}</strong> <span className="muted">(scale {format(max)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`${label} history`} preserveAspectRatio="none">
        <line x1="0" y1={H - 1} x2={W} y2={H - 1} className="history-axis" />
        <line x1="0" y1="1" x2={W} y2="1" className="history-grid" />
        {lines.flatMap((l) =>
          segments(l.values, data.resolutionMs, { width: W, height: H, from, to, max }).map((pts, i) => (
            <polyline key={`${l.name}-${i}`} points={pts} fill="none" className={l.className} strokeWidth="1.5" />
          )),
        )}
      </svg>
    </figure>
  );
}

/** CPU, memory and network over 1 h / 24 h / 7 d for one container or one group (GET /api/v1/stats/history). */
export function HistoryChart({ container, group }: { container?: string; group?: string }) {
  const [range, setRange] = useState<RangeName>('1h');
  const { value, error, reload } = useFetched(
    async () => unwrap(await api.GET('/api/v1/stats/history', { params: { query: { ...(container ? { container } : { group }), since: range } } })),
    [container, group, range],
  );
  useEffect(() => {
    const timer = window.setInterval(reload, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [container, group, range]);
  return (
    <section className="history" aria-label="Resource history" data-testid="history">
      <div className="row">
        <h3>History</h3>
        {(Object.keys(RANGES) as RangeName[]).map((r) => (
          <button type="button" key={r} aria-pressed={r === range} onClick={() => setRange(r)}>
            {r}
          </button>
        ))}
      </div>
      {error && <p className="error">{error}</p>}
      {value && value.points.length === 0 && <p className="muted">No history recorded in this range yet.</p>}
      {value && value.points.length > 0 && (
        <div className="charts">
          <Chart label="CPU" data={value} format={percent} series={[{ name: 'cpu', className: 'history-line', pick: (p) => p.cpuPercent }]} />
          <Chart label="Memory" data={value} format={bytes} series={[{ name: 'used', className: 'history-line', pick: (p) => p.memoryBytes }]} />
          <Chart
            label="Network"
            data={value}
            format={(n) => `${bytes(n)}/s`}
            series={[
              { name: 'in', className: 'history-line', pick: (p) => p.netRxBytesPerSec },
              { name: 'out', className: 'history-line-alt', pick: (p) => p.netTxBytesPerSec },
            ]}
          />
        </div>
      )}
    </section>
  );
}
