// The dashboard's charts as Chart.js configurations, each made from the graph's answers alone.
// Only the Chart.js parts used here are registered, so the bundle carries nothing else.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
} from 'chart.js';
import type { DetectionRate, IndicatorRow, RifFollowUpSummary, TradeFlow } from './graph';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
);
Chart.defaults.font.family = 'system-ui, sans-serif';
// Drawn at once: the page is read, not watched, and a screenshot never catches a chart mid-way.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

export { Chart };
// Any chart type: the dashboard mixes bars, lines and points.
export type AnyChartConfiguration = ChartConfiguration<'bar' | 'line' | 'scatter', unknown[], unknown>;

export const LANE_COLOURS: Record<string, string> = { GREEN: '#2e7d32', YELLOW: '#f2b705', RED: '#c62828' };
const PALETTE = ['#1f5fa8', '#d9480f', '#2b8a3e', '#862e9c', '#c2255c', '#0b7285', '#5c940d', '#e67700', '#364fc7', '#a61e4d'];
export const colour = (index: number): string => PALETTE[index % PALETTE.length]!;

const percentAxis = { min: 0, ticks: { callback: (value: string | number) => `${Math.round(Number(value) * 100)}%` } };
const percentLabel = (label: string, value: number | null | undefined): string => `${label}: ${value == null ? '—' : `${(value * 100).toFixed(1)}%`}`;

/** The EU total row, or a Member State's, for every office: one row per month. */
export function rowsOf(rows: IndicatorRow[], memberState: string): IndicatorRow[] {
  return rows.filter((row) => row.memberState === memberState && row.office == null).sort((a, b) => a.period.localeCompare(b.period));
}

export function monthsOf(rows: IndicatorRow[]): string[] {
  return [...new Set(rows.map((row) => row.period))].sort();
}

export function memberStatesOf(rows: IndicatorRow[]): string[] {
  return [...new Set(rows.filter((row) => row.memberState !== 'EU').map((row) => row.memberState))].sort();
}

/** Declarations lodged per Member State and month, stacked: the EU total row is their sum. */
export function declarationsChart(rows: IndicatorRow[]): AnyChartConfiguration {
  const months = monthsOf(rows);
  const datasets: ChartDataset<'bar', (number | null)[]>[] = memberStatesOf(rows).map((memberState, index) => {
    const byMonth = new Map(rowsOf(rows, memberState).map((row) => [row.period, row.declarations]));
    return { label: memberState, data: months.map((month) => byMonth.get(month) ?? null), backgroundColor: colour(index), stack: 'declarations' };
  });
  return {
    type: 'bar',
    data: { labels: months, datasets },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: 'declarations' } } } },
  };
}

/** Red, yellow and green shares of the assessed declarations, per month. */
export function lanesChart(rows: IndicatorRow[]): AnyChartConfiguration {
  const lane = (label: string, pick: (row: IndicatorRow) => number): ChartDataset<'bar', (number | null)[]> => ({
    label,
    data: rows.map((row) => (row.lanes.assessed > 0 ? pick(row) : null)),
    backgroundColor: LANE_COLOURS[label],
    stack: 'lanes',
  });
  return {
    type: 'bar',
    data: {
      labels: rows.map((row) => row.period),
      datasets: [lane('RED', (row) => row.lanes.red), lane('YELLOW', (row) => row.lanes.yellow), lane('GREEN', (row) => row.lanes.green)],
    },
    options: {
      scales: { x: { stacked: true }, y: { ...percentAxis, max: 1, stacked: true } },
      plugins: { tooltip: { callbacks: { label: (item) => percentLabel(item.dataset.label ?? '', item.parsed.y) } } },
    },
  };
}

/** Irregular ÷ controlled per month: overall, and for each lane the controls were in. */
export function detectionTrendChart(rows: IndicatorRow[]): AnyChartConfiguration {
  const lanes = [...new Set(rows.flatMap((row) => row.detectionByLane.map((entry) => entry.key)))].sort();
  const datasets: ChartDataset<'line', (number | null)[]>[] = [
    { label: 'all controls', data: rows.map((row) => row.detectionRate), borderColor: '#222', backgroundColor: '#222', borderWidth: 3, spanGaps: true },
    ...lanes.map((key, index) => ({
      label: key,
      data: rows.map((row) => row.detectionByLane.find((entry) => entry.key === key)?.rate ?? null),
      borderColor: LANE_COLOURS[key] ?? colour(index),
      backgroundColor: LANE_COLOURS[key] ?? colour(index),
      borderDash: [6, 3],
      spanGaps: true,
    })),
  ];
  return {
    type: 'line',
    data: { labels: rows.map((row) => row.period), datasets },
    options: {
      scales: { y: percentAxis },
      plugins: { tooltip: { callbacks: { label: (item) => percentLabel(item.dataset.label ?? '', item.parsed.y) } } },
    },
  };
}

/** Sums each key's controls and irregular findings over the months, then divides. */
export function detectionOverPeriod(entries: DetectionRate[]): DetectionRate[] {
  const totals = new Map<string, { controls: number; irregular: number }>();
  for (const entry of entries) {
    const total = totals.get(entry.key) ?? { controls: 0, irregular: 0 };
    total.controls += entry.controls;
    total.irregular += entry.irregular;
    totals.set(entry.key, total);
  }
  return [...totals].map(([key, { controls, irregular }]) => ({ key, controls, irregular, rate: controls > 0 ? irregular / controls : null }));
}

/** Detection rate over the period by why the declaration was selected: rule, profile, random, RIF, crisis alert. */
export function selectionReasonChart(rows: IndicatorRow[]): AnyChartConfiguration {
  const totals = detectionOverPeriod(rows.flatMap((row) => row.detectionBySelectionReason)).filter((entry) => entry.controls > 0);
  return {
    type: 'bar',
    data: {
      labels: totals.map((entry) => entry.key),
      datasets: [{ label: 'detection rate', data: totals.map((entry) => entry.rate), backgroundColor: totals.map((_entry, index) => colour(index)) }],
    },
    options: {
      indexAxis: 'y',
      scales: { x: percentAxis },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => {
              const entry = totals[item.dataIndex];
              return `${percentLabel('detection rate', item.parsed.x)} (${entry?.irregular ?? 0} irregular of ${entry?.controls ?? 0} controls)`;
            },
          },
        },
      },
    },
  };
}

/** Per receiving Member State: received, acknowledged, acted on, rules made, and what controls found. */
export function rifFollowUpChart(summaries: RifFollowUpSummary[]): AnyChartConfiguration {
  const series: [string, (summary: RifFollowUpSummary) => number][] = [
    ['received', (summary) => summary.received],
    ['acknowledged', (summary) => summary.acknowledged],
    ['acted on', (summary) => summary.actedOn],
    ['rules created', (summary) => summary.rulesCreated],
    ['hits', (summary) => summary.hits],
    ['confirmed hits', (summary) => summary.confirmedHits],
  ];
  return {
    type: 'bar',
    data: {
      labels: summaries.map((summary) => summary.memberState),
      datasets: series.map(([label, pick], index) => ({ label, data: summaries.map(pick), backgroundColor: colour(index) })),
    },
    options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  };
}

export const flowLabel = (flow: TradeFlow): string => `${flow.commodityCode} · ${flow.origin}`;

/**
 * Each flow's fair-price band as a floating bar, its own unit value as a dot, and every declaration
 * outside the band as a red cross: on a log scale when the flows' unit values span decades.
 */
export function tradeFlowChart(flows: TradeFlow[]): AnyChartConfiguration {
  const labels = flows.map(flowLabel);
  const values = flows.flatMap((flow) => [flow.band?.low, flow.band?.high, flow.unitValue, ...flow.outliers.map((outlier) => outlier.unitValue)]);
  const known = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
  const logarithmic = known.length > 0 && known.every((value) => value > 0) && Math.max(...known) / Math.min(...known) > 100;
  return {
    type: 'bar',
    data: {
      labels,
      datasets: [
        {
          type: 'bar',
          label: 'fair-price band',
          data: flows.map((flow) => (flow.band?.low != null && flow.band.high != null ? [flow.band.low, flow.band.high] : null)),
          backgroundColor: 'rgba(31, 95, 168, 0.25)',
          borderColor: '#1f5fa8',
          borderWidth: 1,
          order: 3,
        },
        {
          type: 'scatter',
          label: 'flow unit value',
          data: flows.flatMap((flow) => (flow.unitValue == null ? [] : [{ x: flowLabel(flow), y: flow.unitValue }])),
          backgroundColor: '#1f5fa8',
          pointRadius: 4,
          order: 2,
        },
        {
          type: 'scatter',
          label: 'outliers',
          data: flows.flatMap((flow) => flow.outliers.map((outlier) => ({ x: flowLabel(flow), y: outlier.unitValue }))),
          backgroundColor: '#c62828',
          borderColor: '#c62828',
          pointStyle: 'crossRot',
          pointRadius: 6,
          borderWidth: 2,
          order: 1,
        },
      ] as ChartDataset<'bar' | 'scatter', unknown[]>[],
    },
    options: {
      scales: {
        x: { type: 'category', ticks: { autoSkip: false, maxRotation: 60, minRotation: 45 } },
        y: {
          type: logarithmic ? 'logarithmic' : 'linear',
          title: { display: true, text: 'unit value (statistical value ÷ net mass)' },
          // Room above the highest band, which would otherwise touch the top edge.
          afterDataLimits: (scale) => {
            scale.max *= logarithmic ? 2 : 1.05;
          },
        },
      },
    },
  };
}

/** How many points a chart holds: what the page reports in data-points once it is drawn. */
export function pointsIn(chart: Chart): number {
  return chart.data.datasets.reduce((sum, dataset) => sum + (dataset.data as unknown[]).filter((value) => value != null).length, 0);
}
