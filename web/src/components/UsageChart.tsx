import type { CreditDisplay } from '../lib/money';
import { formatCount, formatCredits, toMicros } from '../lib/money';
import { bucketLabel, type Period } from '../lib/time';

/**
 * Spend per bucket as an SVG bar chart. Hand-drawn rather than a chart library: at most a few
 * dozen bars, no zoom or streaming, so ~80 lines of SVG cost nothing in the bundle (uPlot would
 * add ~20 KB gzipped and draws to a canvas a screen reader cannot read); every bar has a text
 * title and the figures are also in the breakdown tables.
 */
const W = 640;
const H = 180;
const PAD = { top: 12, right: 0, bottom: 1, left: 0 };

export function UsageChart(props: { buckets: { start: string; total: string; count: number }[]; period: Period; timeZone: string; display: CreditDisplay }) {
  const { buckets, period, timeZone, display } = props;
  const totals = buckets.map((b) => toMicros(b.total));
  const max = totals.reduce((m, v) => (v > m ? v : m), 0n);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(buckets.length, 1);
  const barW = Math.max(2, slot * 0.7);
  const labelEvery = Math.ceil(buckets.length / 5); // five or six labels fit even at 360 px
  const peak = buckets[totals.indexOf(max)];
  const summary =
    max === 0n
      ? `No spend in these ${buckets.length} periods.`
      : `Spend per ${period.toLowerCase()} over ${buckets.length} periods; the highest was ${formatCredits(peak.total, display)} (${bucketLabel(peak.start, period, timeZone)}).`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} className="axis" />
        {buckets.map((b, i) => {
          // Bar heights are the only floats here: a ratio for drawing, never an amount.
          const h = max === 0n ? 0 : (Number((totals[i] * 10_000n) / max) / 10_000) * innerH;
          const x = PAD.left + i * slot + (slot - barW) / 2;
          return (
            <g key={b.start}>
              <rect x={x} y={PAD.top + innerH - h} width={barW} height={Math.max(h, totals[i] > 0n ? 1 : 0)} className="bar">
                <title>{`${bucketLabel(b.start, period, timeZone)}: ${formatCredits(b.total, display)} (${formatCount(b.count)} ${b.count === 1 ? 'charge' : 'charges'})`}</title>
              </rect>
            </g>
          );
        })}
      </svg>
      {/* Labels in HTML: the SVG stretches to the card's width, text must not. */}
      <div className="ticks" aria-hidden="true" style={{ gridTemplateColumns: `repeat(${buckets.length}, 1fr)` }}>
        {buckets.map((b, i) => (
          <span key={b.start}>{i % labelEvery === 0 ? bucketLabel(b.start, period, timeZone) : ''}</span>
        ))}
      </div>
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  );
}
