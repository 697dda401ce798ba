import { createRuntimeLocks } from '@factoredui/react-native';
import { describe, expect, it } from 'vitest';

describe('createRuntimeLocks', () => {
  it('holds a lock until the callback settles; ifAvailable gets null meanwhile', async () => {
    const locks = createRuntimeLocks();
    let release!: () => void;
    const held = locks.request('q', {}, () => new Promise<void>((r) => (release = r)));
    expect(await locks.request('q', { ifAvailable: true }, (lock) => lock)).toBeNull();
    expect(await locks.request('other', { ifAvailable: true }, (lock) => lock)).not.toBeNull();
    const order: string[] = [];
    const waiting = locks.request('q', {}, () => void order.push('second'));
    order.push('first-done');
    release();
    await held;
    await waiting;
    expect(order).toEqual(['first-done', 'second']);
    // Released after a throw too: the next request is granted.
    await expect(
      locks.request('q', {}, () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await locks.request('q', { ifAvailable: true }, (lock) => lock)).not.toBeNull();
  });

  it('a new runtime (a restart) holds nothing of the old one', async () => {
    const before = createRuntimeLocks();
    void before.request('queue-of-tab-1', {}, () => new Promise<void>(() => {})); // never settles
    const after = createRuntimeLocks();
    expect(
      await after.request('queue-of-tab-1', { ifAvailable: true }, (lock) => lock),
    ).not.toBeNull();
  });
});
