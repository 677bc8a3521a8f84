import { describe, expect, it } from 'vitest';
import { KeyLock } from '../../subgraphs/kit/key-lock';

/** A run that records when it starts and ends, and ends when told to. */
function controlledRun(lock: KeyLock, keys: string[], name: string, log: string[]) {
  let finish!: () => void;
  const finished = new Promise<void>((done) => (finish = done));
  const started = new Promise<void>((onStart) => {
    void lock.run(keys, async () => {
      log.push(`${name} starts`);
      onStart();
      await finished;
      log.push(`${name} ends`);
    });
  });
  return { started, finish };
}

const tick = () => new Promise((done) => setTimeout(done, 5));

describe('KeyLock', () => {
  it('runs writes of one key one after another, in the order they came', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const first = controlledRun(lock, ['ens:1'], 'first', log);
    const second = controlledRun(lock, ['ens:1'], 'second', log);
    await first.started;
    await tick();
    expect(log).toEqual(['first starts']);
    first.finish();
    await second.started;
    second.finish();
    await tick();
    expect(log).toEqual(['first starts', 'first ends', 'second starts', 'second ends']);
  });

  it('lets writes of different keys run at the same time', async () => {
    const lock = new KeyLock();
    const log: string[] = [];
    const one = controlledRun(lock, ['ens:1'], 'one', log);
    const two = controlledRun(lock, ['ens:2'], 'two', log);
    await Promise.all([one.started, two.started]);
    expect(log).toEqual(['one starts', 'two starts']);
    one.finish();
    two.finish();
  });

  it('never deadlocks on key sets that overlap, claimed in opposite orders', async () => {
    const lock = new KeyLock();
    const order: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, (_, index) => {
        const keys = index % 2 ? ['a', 'b', `own:${index}`] : [`own:${index}`, 'b', 'a'];
        return lock.run(keys, async () => {
          await tick();
          order.push(String(index));
        });
      }),
    );
    expect(order).toEqual(Array.from({ length: 50 }, (_, index) => String(index)));
    expect(lock.size).toBe(0);
  });

  it('releases the keys of a run that fails, and passes its error on', async () => {
    const lock = new KeyLock();
    await expect(
      lock.run(['ens:1'], async () => {
        throw new Error('engine gone');
      }),
    ).rejects.toThrow('engine gone');
    expect(await lock.run(['ens:1'], async () => 'next')).toBe('next');
    expect(lock.size).toBe(0);
  });
});
