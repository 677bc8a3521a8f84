// The Customs Union Performance dashboard: the indicators per Member State and month, the lane
// and detection-rate trends, the follow-up of shared risk information (RIFs, crisis alerts) and
// the trade-flow outliers, drawn with Chart.js from what the graph answers the signed-in caller.
// Bundled by build.ts and served by serve.ts at /dashboard, beside the explorer at /; the caller
// signs in exactly as in the explorer (the same sign-in bar, the same token in sessionStorage).
import { StrictMode, useEffect, useMemo, useRef, useState, type FC, type FormEvent, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import type { Plugin } from 'chart.js';
import { SignInBar, useToken } from '../explorer/sign-in';
import {
  Chart,
  declarationsChart,
  detectionOverPeriod,
  detectionTrendChart,
  flowLabel,
  lanesChart,
  memberStatesOf,
  pointsIn,
  rifFollowUpChart,
  rowsOf,
  selectionReasonChart,
  tradeFlowChart,
  type AnyChartConfiguration,
} from './charts';
import {
  ask,
  INDICATORS_QUERY,
  RIF_FOLLOW_UP_QUERY,
  TRADE_FLOWS_QUERY,
  YEARS_QUERY,
  type IndicatorRow,
  type PeriodInput,
  type RifFollowUpSummary,
  type TradeFlow,
} from './graph';
import './app.css';

type Load<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; value: T };

/** How many trade flows (HS6 × origin) the outlier chart shows. */
const TRADE_FLOWS_SHOWN = 25;
const MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/;

// ---------------------------------------------------------------------------------------------
// Numbers as people read them.

const integer = new Intl.NumberFormat('en-GB');
const euro = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 2 });
const percent = (value: number | null | undefined): string => (value == null ? '—' : `${(value * 100).toFixed(1)}%`);

function currentMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

function monthsBefore(month: string, count: number): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber - 1 - count, 1)).toISOString().slice(0, 7);
}

function lastDayOf(month: string): string {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, monthNumber, 0)).toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// What the page shows, kept in its address (?from=2020-01&until=2020-12&memberState=NL) so a view can be shared.

interface View {
  period: PeriodInput | null;
  /** "EU" for the EU total; a Member State narrows the trends, the RIF follow-up and the trade flows. */
  memberState: string;
}

function viewFromAddress(): View {
  const params = new URLSearchParams(window.location.search);
  const from = params.get('from') ?? '';
  const until = params.get('until') ?? '';
  return {
    period: MONTH.test(from) && MONTH.test(until) && from <= until ? { from, until } : null,
    memberState: /^[A-Z]{2}$/.test(params.get('memberState') ?? '') ? params.get('memberState')! : 'EU',
  };
}

function saveView(view: View): void {
  const params = new URLSearchParams();
  if (view.period) {
    params.set('from', view.period.from);
    params.set('until', view.period.until);
  }
  if (view.memberState !== 'EU') params.set('memberState', view.memberState);
  history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
}

/**
 * With no period in the address, the page opens on the latest year that holds declarations (the
 * demo data is from 2020), asked of the graph; failing that, on the last twelve months.
 */
async function defaultPeriod(token: string, signal: AbortSignal): Promise<PeriodInput> {
  const until = currentMonth();
  const lastTwelve = { from: monthsBefore(until, 11), until };
  try {
    const years = await ask<Pick<IndicatorRow, 'period' | 'declarations'>[]>(
      token,
      'performanceIndicators',
      YEARS_QUERY,
      { period: { from: `${Number(until.slice(0, 4)) - 15}-01`, until } },
      signal,
    );
    const latest = years
      .filter((row) => row.declarations > 0)
      .map((row) => row.period.slice(0, 4))
      .sort()
      .at(-1);
    return latest ? { from: `${latest}-01`, until: `${latest}-12` } : lastTwelve;
  } catch (error) {
    if (signal.aborted) throw error;
    // The month query says why (a missing scope, a subgraph down) in each chart's place.
    return lastTwelve;
  }
}

/** One query's answer, asked again whenever the caller or the variables change. */
function useGraph<T>(token: string | null, field: string, query: string, variables: Record<string, unknown> | null): Load<T> {
  const key = token && variables ? JSON.stringify(variables) : null;
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  useEffect(() => {
    if (!token || !key) return;
    const controller = new AbortController();
    setLoad({ state: 'loading' });
    ask<T>(token, field, query, JSON.parse(key) as Record<string, unknown>, controller.signal).then(
      (value) => setLoad({ state: 'ready', value }),
      (error: unknown) => {
        if (!controller.signal.aborted) setLoad({ state: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => controller.abort();
  }, [token, field, query, key]);
  return load;
}

// ---------------------------------------------------------------------------------------------
// A chart, and what stands in its place while loading, on error, or with nothing to draw.

/** Marks the chart's figure once Chart.js has drawn it, with the number of points drawn: what the browser test waits for. */
const drawnMarker: Plugin = {
  id: 'dashboard-drawn',
  afterRender(chart) {
    const figure = chart.canvas.closest('figure');
    if (!figure) return;
    figure.dataset.points = String(pointsIn(chart));
    figure.dataset.drawn = 'true';
  },
};

const ChartCanvas: FC<{ config: AnyChartConfiguration; label: string }> = ({ config, label }) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, { ...config, plugins: [...(config.plugins ?? []), drawnMarker] });
    return () => chart.destroy();
  }, [config]);
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} />
    </div>
  );
};

function pointsInConfig(config: AnyChartConfiguration): number {
  return config.data.datasets.reduce((sum, dataset) => sum + dataset.data.filter((value) => value != null).length, 0);
}

interface ChartFigureProps {
  /** data-chart: the test's handle on it. */
  name: string;
  title: string;
  /** The query it is drawn from, named in its error. */
  field: string;
  load: Load<unknown>;
  /** Made only once the query answered. */
  config: () => AnyChartConfiguration;
  empty: string;
  children?: ReactNode;
}

const ChartFigure: FC<ChartFigureProps> = ({ name, title, field, load, config, empty, children }) => {
  const made = useMemo(() => (load.state === 'ready' ? config() : undefined), [load, config]);
  const state = load.state === 'ready' ? (made && pointsInConfig(made) > 0 ? 'ready' : 'empty') : load.state;
  return (
    <figure
      className={`chart chart-${state}`}
      data-chart={name}
      data-query={field}
      data-state={state}
      // Set by drawnMarker once Chart.js has drawn; until then, nothing drawn.
      data-points={state === 'ready' ? undefined : '0'}
      data-drawn={state === 'ready' ? undefined : 'false'}
    >
      <figcaption>{title}</figcaption>
      {state === 'loading' && <p className="chart-note">Loading…</p>}
      {load.state === 'error' && (
        <p className="chart-error" role="alert">
          {load.message}
        </p>
      )}
      {state === 'empty' && <p className="chart-note">{empty}</p>}
      {state === 'ready' && made && <ChartCanvas config={made} label={title} />}
      {state === 'ready' && children}
    </figure>
  );
};

// ---------------------------------------------------------------------------------------------
// Tables beside the charts: the figures themselves.

const IndicatorTable: FC<{ rows: IndicatorRow[] }> = ({ rows }) => (
  <div className="table-box">
    <table data-table="indicators">
      <thead>
        <tr>
          <th>Month</th>
          <th>Member State</th>
          <th>Declarations</th>
          <th>Goods items</th>
          <th>Statistical value</th>
          <th>Red / yellow / green</th>
          <th>Controls</th>
          <th>Irregular</th>
          <th>Detection rate</th>
          <th>Revenue at stake</th>
          <th>AEO share</th>
          <th>Control rate AEO / non-AEO</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={`${row.period} ${row.memberState}`} className={row.memberState === 'EU' ? 'row-total' : undefined}>
            <td>{row.period}</td>
            <td>{row.memberState}</td>
            <td>{integer.format(row.declarations)}</td>
            <td>{integer.format(row.goodsItems)}</td>
            <td>{euro.format(row.statisticalValue)}</td>
            <td>
              {percent(row.lanes.red)} / {percent(row.lanes.yellow)} / {percent(row.lanes.green)}
            </td>
            <td>{integer.format(row.controls)}</td>
            <td>{integer.format(row.irregular)}</td>
            <td>{percent(row.detectionRate)}</td>
            <td>{euro.format(row.revenueAtStake)}</td>
            <td>{percent(row.aeoShare)}</td>
            <td>
              {percent(row.aeoControlRate)} / {percent(row.nonAeoControlRate)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const RifTable: FC<{ summaries: RifFollowUpSummary[] }> = ({ summaries }) => (
  <div className="table-box">
    <table data-table="rif-follow-up">
      <thead>
        <tr>
          <th>Member State</th>
          <th>Received</th>
          <th>Acknowledged</th>
          <th>Acted on</th>
          <th>Share acted on</th>
          <th>Median days to act</th>
          <th>Rules created</th>
          <th>Hits</th>
          <th>Confirmed hits</th>
        </tr>
      </thead>
      <tbody>
        {summaries.map((summary) => (
          <tr key={summary.memberState}>
            <td>{summary.memberState}</td>
            <td>{summary.received}</td>
            <td>{summary.acknowledged}</td>
            <td>{summary.actedOn}</td>
            <td>{percent(summary.received > 0 ? summary.actedOn / summary.received : null)}</td>
            <td>{summary.medianDaysToAct == null ? '—' : decimal.format(summary.medianDaysToAct)}</td>
            <td>{summary.rulesCreated}</td>
            <td>{summary.hits}</td>
            <td>{summary.confirmedHits}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const OutlierTable: FC<{ flows: TradeFlow[] }> = ({ flows }) => {
  const outliers = flows.flatMap((flow) => flow.outliers.map((outlier) => ({ flow, outlier })));
  if (outliers.length === 0) return <p className="chart-note">No declaration of these flows lies outside its flow’s band.</p>;
  return (
    <div className="table-box">
      <table data-table="trade-flow-outliers">
        <thead>
          <tr>
            <th>Flow (HS6 · origin)</th>
            <th>MRN</th>
            <th>Item</th>
            <th>Unit value</th>
            <th>Band</th>
          </tr>
        </thead>
        <tbody>
          {outliers.map(({ flow, outlier }) => (
            <tr key={`${outlier.mrn} ${outlier.itemNumber} ${flowLabel(flow)}`}>
              <td>{flowLabel(flow)}</td>
              <td className="mono">{outlier.mrn}</td>
              <td>{outlier.itemNumber}</td>
              <td>{decimal.format(outlier.unitValue)}</td>
              <td>
                {flow.band?.low == null ? '—' : decimal.format(flow.band.low)} – {flow.band?.high == null ? '—' : decimal.format(flow.band.high)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

// ---------------------------------------------------------------------------------------------
// The page.

const Filters: FC<{ view: View; memberStates: string[]; onChange: (view: View) => void }> = ({ view, memberStates, onChange }) => {
  const [from, setFrom] = useState(view.period?.from ?? '');
  const [until, setUntil] = useState(view.period?.until ?? '');
  const [memberState, setMemberState] = useState(view.memberState);
  useEffect(() => {
    setFrom(view.period?.from ?? '');
    setUntil(view.period?.until ?? '');
    setMemberState(view.memberState);
  }, [view]);
  const valid = MONTH.test(from) && MONTH.test(until) && from <= until;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (valid) onChange({ period: { from, until }, memberState });
  };
  const choices = [...new Set(['EU', ...memberStates, view.memberState])];
  return (
    <form className="dashboard-filters" onSubmit={submit}>
      <label>
        From <input type="month" value={from} onChange={(event) => setFrom(event.target.value)} required />
      </label>
      <label>
        until <input type="month" value={until} onChange={(event) => setUntil(event.target.value)} required />
      </label>
      <label>
        Member State{' '}
        <select value={memberState} onChange={(event) => setMemberState(event.target.value)}>
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice === 'EU' ? 'EU total' : choice}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={!valid}>
        Show
      </button>
    </form>
  );
};

const Panels: FC<{ token: string; view: View; onChange: (view: View) => void }> = ({ token, view, onChange }) => {
  const period = view.period;
  const focus = view.memberState;
  const narrowed = focus === 'EU' ? null : focus;
  const indicators = useGraph<IndicatorRow[]>(token, 'performanceIndicators', INDICATORS_QUERY, period && { period });
  // RIFs and crisis alerts published from the period's start up to today: their follow-up goes on after the period.
  const rifWindow = period && { from: `${period.from}-01`, until: [lastDayOf(period.until), new Date().toISOString().slice(0, 10)].sort().at(-1) };
  const rif = useGraph<RifFollowUpSummary[]>(token, 'riskInformationFollowUp', RIF_FOLLOW_UP_QUERY, rifWindow && { ...rifWindow, memberState: narrowed });
  const flows = useGraph<{ edges: { node: TradeFlow }[] }>(
    token,
    'tradeFlows',
    TRADE_FLOWS_QUERY,
    period && { period, memberState: narrowed, first: TRADE_FLOWS_SHOWN },
  );

  const rows = useMemo(() => (indicators.state === 'ready' ? indicators.value.filter((row) => row.office == null) : []), [indicators]);
  const focusRows = useMemo(() => rowsOf(rows, focus), [rows, focus]);
  const flowList = useMemo(() => (flows.state === 'ready' ? flows.value.edges.map((edge) => edge.node) : []), [flows]);
  const summaries = useMemo(() => (rif.state === 'ready' ? [...rif.value].sort((a, b) => a.memberState.localeCompare(b.memberState)) : []), [rif]);
  const tableRows = useMemo(
    () =>
      [...rows].sort(
        (a, b) => a.period.localeCompare(b.period) || (a.memberState === 'EU' ? 1 : b.memberState === 'EU' ? -1 : a.memberState.localeCompare(b.memberState)),
      ),
    [rows],
  );
  const selection = useMemo(() => detectionOverPeriod(focusRows.flatMap((row) => row.detectionBySelectionReason)), [focusRows]);

  const makeDeclarations = useMemo(() => () => declarationsChart(rows), [rows]);
  const makeLanes = useMemo(() => () => lanesChart(focusRows), [focusRows]);
  const makeDetection = useMemo(() => () => detectionTrendChart(focusRows), [focusRows]);
  const makeSelection = useMemo(() => () => selectionReasonChart(focusRows), [focusRows]);
  const makeRif = useMemo(() => () => rifFollowUpChart(summaries), [summaries]);
  const makeFlows = useMemo(() => () => tradeFlowChart(flowList), [flowList]);

  const span = period ? `${period.from} … ${period.until}` : '';
  const where = focus === 'EU' ? 'the EU total' : focus;
  return (
    <>
      <Filters view={view} memberStates={memberStatesOf(rows)} onChange={onChange} />
      {!period ? (
        <p className="chart-note" data-state="loading">
          Finding the latest year with declarations…
        </p>
      ) : (
        <div className="dashboard-grid">
          <ChartFigure
            name="declarations"
            title={`Declarations per Member State and month, ${span}`}
            field="performanceIndicators"
            load={indicators}
            config={makeDeclarations}
            empty={`No declarations lodged in ${span}.`}
          >
            <IndicatorTable rows={tableRows} />
          </ChartFigure>
          <ChartFigure
            name="lanes"
            title={`Lanes: red, yellow and green shares of assessed declarations, ${where}`}
            field="performanceIndicators"
            load={indicators}
            config={makeLanes}
            empty={`No assessed declarations for ${where} in ${span}.`}
          />
          <ChartFigure
            name="detection"
            title={`Detection rate (irregular ÷ controlled) by lane, ${where}`}
            field="performanceIndicators"
            load={indicators}
            config={makeDetection}
            empty={`No controls recorded for ${where} in ${span}.`}
          />
          <ChartFigure
            name="selection-reasons"
            title={`Detection rate by selection reason over ${span}, ${where}`}
            field="performanceIndicators"
            load={indicators}
            config={makeSelection}
            empty={`No controls of selected declarations for ${where} in ${span}.`}
          >
            <p className="chart-note">
              {selection
                .filter((entry) => entry.controls > 0)
                .map((entry) => `${entry.key}: ${entry.irregular} of ${entry.controls}`)
                .join(' · ')}
            </p>
          </ChartFigure>
          <ChartFigure
            name="rif-follow-up"
            title={`Follow-up of RIFs and crisis alerts published ${rifWindow?.from} … ${rifWindow?.until}, per receiving Member State`}
            field="riskInformationFollowUp"
            load={rif}
            config={makeRif}
            empty="No risk information form or crisis alert was published in this window."
          >
            <RifTable summaries={summaries} />
          </ChartFigure>
          <ChartFigure
            name="trade-flows"
            title={`Trade flows (HS6 × origin): unit value against the fair-price band, ${where}, ${span}`}
            field="tradeFlows"
            load={flows}
            config={makeFlows}
            empty={`No trade flows for ${where} in ${span}.`}
          >
            <OutlierTable flows={flowList} />
          </ChartFigure>
        </div>
      )}
    </>
  );
};

const Dashboard: FC = () => {
  const token = useToken();
  const [view, setView] = useState<View>(viewFromAddress);

  useEffect(() => {
    if (!token || view.period) return;
    const controller = new AbortController();
    defaultPeriod(token, controller.signal).then(
      (period) => setView((current) => (current.period ? current : { ...current, period })),
      () => undefined,
    );
    return () => controller.abort();
  }, [token, view.period]);

  useEffect(() => saveView(view), [view]);

  return (
    <>
      <SignInBar />
      <header className="dashboard-header">
        <h1>Customs Union Performance</h1>
        <nav>
          <a href="/">Explorer</a>
        </nav>
      </header>
      <main className="dashboard" data-signed-in={token ? 'true' : 'false'}>
        {token ? (
          <Panels token={token} view={view} onChange={setView} />
        ) : (
          <p className="chart-note">Sign in above to see the indicators: the graph answers nothing to an unknown caller.</p>
        )}
      </main>
    </>
  );
};

const root = document.getElementById('root');
if (!root) throw new Error('dashboard: #root element missing from index.html');
createRoot(root).render(
  <StrictMode>
    <Dashboard />
  </StrictMode>,
);
