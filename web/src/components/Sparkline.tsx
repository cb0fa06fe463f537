/** A small line chart in SVG (no inline styles: the CSP forbids them). */
export function Sparkline({ values, label, format }: { values: number[]; label: string; format: (n: number) => string }) {
  const w = 240;
  const h = 48;
  const max = Math.max(1, ...values);
  const points = values.map((v, i) => `${(i / Math.max(1, values.length - 1)) * w},${h - (v / max) * (h - 4) - 2}`).join(' ');
  const last = values.at(-1);
  return (
    <figure className="spark">
      <figcaption>
        {label}: <strong>{last === undefined ? '–' : format(last)}</strong>
      </figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} role="img" aria-label={`${label} over the last ${values.length} samples`}>
        <polyline points={points} fill="none" className="spark-line" strokeWidth="2" />
      </svg>
    </figure>
  );
}
