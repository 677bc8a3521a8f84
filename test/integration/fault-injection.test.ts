// bench/faults.ts in a shorter form: the platform as supervised processes under a steady load of
// contract operations and writes, while licences is killed with kill -9, mra is slowed past its
// deadline and the engine is paused. What it counts, not how fast: every answer whole or naming
// what it misses, the operations that touch nothing broken whole, and no acknowledged write lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReport, runLoad, type LoadReport } from '../../bench/fault-load';
import { faultPhases, startFaultRig, type FaultRig } from '../../bench/fault-rig';

let rig: FaultRig;
let report: LoadReport;

beforeAll(async () => {
  rig = await startFaultRig({ kcsRows: 150, slowable: 'mra', slowableTimeoutMs: 1_000, log: () => {} });
  report = await runLoad({
    graphqlUrl: rig.graphqlUrl,
    issuer: rig.issuer,
    kcsFile: rig.kcsFile,
    clients: 4,
    writeEvery: 5,
    phases: faultPhases(rig, 'mra', { durationMs: 3_000, slowDelayMs: 5_000, enginePauseMs: 3_000, killed: 'licences' }),
  });
  console.log(describeReport(report));
}, 300_000);

afterAll(() => rig?.stop());

const phase = (name: string) => report.phases.find((stats) => stats.phase === name)!;

describe('under load, with parts of the platform failing', () => {
  it('answers every request whole, or with each missing part named', () => {
    expect(report.phases.map(({ phase: name, failed, failures }) => ({ name, failed, failures }))).toEqual(
      report.phases.map(({ phase: name }) => ({ name, failed: 0, failures: [] })),
    );
  });

  it('answers the operations that touch nothing broken whole, in every phase', () => {
    expect(report.phases.map(({ phase: name, untouchedNotWhole }) => [name, untouchedNotWhole])).toEqual(report.phases.map(({ phase: name }) => [name, 0]));
    expect(phase('licences killed').untouched).toBeGreaterThan(0);
    expect(phase('mra slow').untouched).toBeGreaterThan(0);
  });

  it('felt each fault: partial answers while it lasted', () => {
    expect(phase('licences killed').partial).toBeGreaterThan(0);
    expect(phase('mra slow').partial).toBeGreaterThan(0);
  });

  it('had licences started again by its supervisor, with no manual step', () => {
    expect(rig.supervisors.get('licences')?.restarts).toBe(1);
    expect(rig.supervisors.get('licences')?.lastExit).toBe('signal SIGKILL');
  });

  it('loses no acknowledged write', () => {
    expect(report.writesAcknowledged).toBeGreaterThan(0);
    expect(report.writesLost).toEqual([]);
  });

  it('is whole again once every part is back', () => {
    const recovered = phase('recovered');
    expect(recovered.requests).toBeGreaterThan(0);
    expect(recovered.whole).toBe(recovered.requests);
  });
});
