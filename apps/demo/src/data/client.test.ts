import { FactoredError, isFactoredError, type StoreChange } from '@factoredui/core';
import { describe, expect, it } from 'vitest';
import { connectDemoDatabase, type WorkerLike } from './client.js';
import type { Request, Response } from './protocol.js';

/** A worker stand-in: records requests, and the test answers as the worker would. */
function fakeWorker() {
  const sent: Request[] = [];
  const onMessage: ((event: MessageEvent<Response>) => void)[] = [];
  const onError: ((event: ErrorEvent) => void)[] = [];
  const worker: WorkerLike = {
    postMessage: (message) => sent.push(message),
    addEventListener: ((type: string, listener: never) => {
      if (type === 'message') onMessage.push(listener);
      else onError.push(listener);
    }) as WorkerLike['addEventListener'],
  };
  const reply = (message: Response) => {
    for (const listener of onMessage) listener({ data: message } as MessageEvent<Response>);
  };
  const crash = (message: string) => {
    for (const listener of onError) listener({ message } as ErrorEvent);
  };
  return { worker, sent, reply, crash };
}

describe('the demo database client', () => {
  it('forwards a store call with its identity and resolves with the answer', async () => {
    const { worker, sent, reply } = fakeWorker();
    const store = connectDemoDatabase(worker).store({ role: 'user', userId: 'u1' });
    const answer = store.listEvents({ sessionId: 's1' });
    expect(sent).toEqual([
      {
        kind: 'call',
        id: 1,
        identity: { role: 'user', userId: 'u1' },
        method: 'listEvents',
        args: [{ sessionId: 's1' }],
      },
    ]);
    reply({ kind: 'result', id: 1, value: [] });
    await expect(answer).resolves.toEqual([]);
  });

  it('rebuilds a FactoredError with its code, so callers can branch on it', async () => {
    const { worker, reply } = fakeWorker();
    const store = connectDemoDatabase(worker).store({ role: 'service' });
    const answer = store.getExperiment('missing');
    reply({ kind: 'error', id: 1, error: { code: 'not_found', message: 'No experiment.' } });
    const error = await answer.catch((e: unknown) => e);
    expect(isFactoredError(error, 'not_found')).toBe(true);
    expect((error as FactoredError).message).toBe('No experiment.');
  });

  it('delivers change notifications to the subscribers of their topic only, until unsubscribed', () => {
    const { worker, reply } = fakeWorker();
    const store = connectDemoDatabase(worker).store({ role: 'service' });
    const seen: StoreChange[] = [];
    const stop = store.subscribe?.('governance', (change) => seen.push(change));
    reply({ kind: 'changes', changes: [{ topic: 'events' }, { topic: 'governance', key: 'e1' }] });
    stop?.();
    reply({ kind: 'changes', changes: [{ topic: 'governance' }] });
    expect(seen).toEqual([{ topic: 'governance', key: 'e1' }]);
  });

  it('reports a failed save and the recovery to listeners and in persistence()', () => {
    const { worker, reply } = fakeWorker();
    const client = connectDemoDatabase(worker);
    const statuses: unknown[] = [];
    client.onPersistence((status) => statuses.push(status));
    expect(client.persistence()).toEqual({ ok: true });
    reply({ kind: 'persistence', status: { ok: false, message: 'Quota.' } });
    expect(client.persistence()).toEqual({ ok: false, message: 'Quota.' });
    reply({ kind: 'persistence', status: { ok: true } });
    expect(statuses).toEqual([{ ok: false, message: 'Quota.' }, { ok: true }]);
  });

  it('passes simulation progress on and rebuilds the sweep failures as FactoredErrors', async () => {
    const { worker, sent, reply } = fakeWorker();
    const client = connectDemoDatabase(worker);
    const phases: string[] = [];
    const run = client.simulate({ users: 20 }, (p) => phases.push(p.phase));
    expect(sent[0]).toEqual({ kind: 'simulate', id: 1, users: 20 });
    reply({ kind: 'progress', id: 1, progress: { phase: 'visitors', done: 1, total: 20 } });
    reply({
      kind: 'simulated',
      id: 1,
      result: {
        users: 20,
        events: 300,
        assigned: {},
        completed: {},
        factorValues: 0,
        sweep: {
          evaluatedAt: '2026-01-01T00:00:00.000Z',
          results: [],
          failures: [
            { experimentId: 'x', experimentName: 'n', error: { code: 'conflict', message: 'm' } },
          ],
        },
      },
    });
    const result = await run;
    expect(phases).toEqual(['visitors']);
    expect(result.sweep.failures[0]?.error).toBeInstanceOf(FactoredError);
    expect(result.sweep.failures[0]?.error.code).toBe('conflict');
  });

  it('fails every waiting call and the start-up with `unavailable` when the worker crashes', async () => {
    const { worker, crash } = fakeWorker();
    const client = connectDemoDatabase(worker);
    const call = client.store({ role: 'service' }).listExperiments();
    crash('SyntaxError in the worker');
    for (const promise of [call, client.ready]) {
      const error = await promise.catch((e: unknown) => e);
      expect(isFactoredError(error, 'unavailable')).toBe(true);
      expect((error as Error).message).toMatch(/SyntaxError in the worker.*reload/);
    }
  });
});
