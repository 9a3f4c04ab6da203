import { useLayoutEffect, useRef } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';
import type { Theme } from '../app/theme';
import { useWidth } from '../components/use-width';
import { formatMs, formatPercent } from '../data/format';
import { FLEET_STATUSES, type FleetRow, type VantageLossRows } from './fleet-data';
import { chartPalette } from './palette';

/**
 * The lines of a chart differ by dash and marker as well as colour (never colour alone), and an
 * empty bucket breaks a line instead of bridging it (no line drawn through time nothing came).
 */
const LINE_LOOKS = [
  { strokeDasharray: undefined, legendType: 'line' as const, dot: { r: 2 } },
  { strokeDasharray: '6 3', legendType: 'plainline' as const, dot: { r: 2.5, strokeWidth: 2, fill: 'none' } },
  { strokeDasharray: '2 3', legendType: 'plainline' as const, dot: { r: 2 } },
  { strokeDasharray: '10 3 2 3', legendType: 'plainline' as const, dot: { r: 2.5, strokeWidth: 2, fill: 'none' } },
];
const lineLook = (i: number) => ({ ...LINE_LOOKS[i % LINE_LOOKS.length]!, connectNulls: false, isAnimationActive: false });

const clock = (at: number) => new Date(at).toLocaleTimeString(undefined, { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Fleet charts, in the charts chunk: terminal states per bucket, duplication and gap rates, p95 latencies, loss by vantage. */
export default function FleetCharts({ rows, theme, loss }: { rows: FleetRow[]; theme: Theme; loss?: VantageLossRows }) {
  const ref = useRef<HTMLDivElement>(null);
  const width = useWidth(ref);
  const palette = chartPalette(theme);
  // Each figure's padding and border take 22 px; the pair has a 16 px gutter.
  const inner = width - 22;
  const half = Math.max(300, Math.floor((width - 16) / 2) - 22);
  useLayoutEffect(() => {
    if (width > 0) performance.mark('echoscope:fleet-drawn');
  }, [width, rows]);
  const axis = { stroke: palette.axis, tick: { fill: palette.text, fontSize: 11 } };
  return (
    <div ref={ref} className="fleet-charts">
      {width > 0 && (
        <>
          <figure className="chart" data-testid="chart-terminal-states" aria-label="Sessions by final state per time bucket">
            <figcaption>
              Terminal states over time <span className="muted">(sessions by final status, per bucket in which they ended; open ones where last heard from)</span>
            </figcaption>
            <BarChart width={inner} height={240} data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
              <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="start" tickFormatter={clock} {...axis} minTickGap={24} />
              <YAxis allowDecimals={false} width={36} {...axis} />
              {FLEET_STATUSES.map((status) => (
                <Bar key={status} dataKey={status} stackId="status" fill={palette.status[status]} isAnimationActive={false} name={status} />
              ))}
              <Tooltip labelFormatter={(label) => clock(Number(label))} isAnimationActive={false} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
            </BarChart>
          </figure>
          <div className="chart-pair">
            <figure className="chart" data-testid="chart-rates" aria-label="Duplication and gap rate over time">
              <figcaption>Duplication and gap rate</figcaption>
              <LineChart width={half} height={220} data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
                <XAxis dataKey="start" tickFormatter={clock} {...axis} minTickGap={24} />
                <YAxis width={48} tickFormatter={formatPercent} {...axis} />
                <Line dataKey="duplicationRate" name="duplicates / events" stroke={palette.duplicate} {...lineLook(0)} />
                <Line dataKey="gapRate" name="missing / expected" stroke={palette.replay} {...lineLook(1)} />
                <Tooltip labelFormatter={(label) => clock(Number(label))} formatter={(v) => formatPercent(Number(v))} isAnimationActive={false} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
              </LineChart>
            </figure>
            <figure className="chart" data-testid="chart-fleet-latency" aria-label="TTFT and inter-token p95 over time">
              <figcaption>TTFT and inter-token latency, p95</figcaption>
              <LineChart width={half} height={220} data={rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
                <XAxis dataKey="start" tickFormatter={clock} {...axis} minTickGap={24} />
                <YAxis width={56} tickFormatter={(v: number) => formatMs(v)} {...axis} />
                <Line dataKey="ttftP95" name="TTFT p95" stroke={palette.delivery} {...lineLook(0)} />
                <Line dataKey="interTokenP95" name="inter-token p95" stroke={palette.latency} {...lineLook(1)} />
                <Tooltip labelFormatter={(label) => clock(Number(label))} formatter={(v) => formatMs(Number(v))} isAnimationActive={false} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
              </LineChart>
            </figure>
          </div>
          {loss !== undefined && loss.vantages.length > 0 && (
            <figure className="chart" data-testid="chart-vantage-loss" data-vantages={loss.vantages.length} aria-label="Delivery loss by vantage over time">
              <figcaption>
                Delivery loss by vantage{' '}
                <span className="muted">
                  (of the sessions seen from two or more vantages: what each client lost of what the others — a tap included — got, per bucket in which they ended)
                </span>
              </figcaption>
              <LineChart width={inner} height={220} data={loss.rows} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
                <CartesianGrid stroke={palette.grid} strokeDasharray="3 3" />
                <XAxis dataKey="start" tickFormatter={clock} {...axis} minTickGap={24} />
                <YAxis width={48} tickFormatter={formatPercent} {...axis} />
                {loss.vantages.map((vantage, i) => (
                  <Line key={vantage} dataKey={vantage} name={vantage} stroke={palette.attempts[i % palette.attempts.length]} {...lineLook(i)} />
                ))}
                <Tooltip labelFormatter={(label) => clock(Number(label))} formatter={(v) => formatPercent(Number(v))} isAnimationActive={false} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
              </LineChart>
            </figure>
          )}
        </>
      )}
    </div>
  );
}
