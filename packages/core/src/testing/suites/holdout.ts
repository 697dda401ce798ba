import { describe, expect, it } from 'vitest';
import { createFlagClient } from '../../experiments/client.js';
import { isHeldOut } from '../../experiments/decide.js';
import { getHoldout, setHoldout } from '../../experiments/holdout.js';
import {
  concludeExperiment,
  createExperiment,
  startExperiment,
} from '../../experiments/lifecycle.js';
import type { Experiment, NewExperiment } from '../../experiments/types.js';
import { compareHoldout, holdoutReadout } from '../../governance/holdout.js';
import type { FactoredStore } from '../../store/contract.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { testUuid } from '../harness.js';

const T = '2026-01-05T10:00:00.000Z';

function definition(name: string, path: string): NewExperiment {
  return {
    name,
    path,
    variants: [
      { key: 'control', weight: 50 },
      { key: 'treatment', weight: 50 },
    ],
  };
}

async function running(service: FactoredStore, name: string, path: string): Promise<Experiment> {
  return startExperiment(service, (await createExperiment(service, definition(name, path))).id);
}

const USERS = Array.from({ length: 24 }, (_, i) => testUuid(0x401d, i));

/** Holdouts (DESIGN §18): a fixed share of users in no experiment, decided by the store. */
export function holdoutConformance(ctx: SuiteContext): void {
  describe('holdout', () => {
    it('is set by the service role only and read by users; malformed holdouts are invalid_input', async () => {
      const service = await ctx.service();
      const user = await ctx.user(USERS[0] as string);
      expect(await getHoldout(service)).toBeNull();
      expect(await getHoldout(user)).toBeNull();
      const before = Date.now();
      const set = await setHoldout(service, { share: 0.1 });
      expect(set).toMatchObject({ share: 0.1, seed: 'holdout' });
      expect(Date.parse(set.updatedAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(await getHoldout(user)).toEqual(set);
      await expectCode(user.setHoldout({ share: 0, seed: 'holdout' }), 'unauthorized');
      await expectCode(user.setHoldout({ share: 0.5, seed: 'mine' }), 'unauthorized');
      for (const share of [-0.1, 0.6, 0.12345, Number.NaN]) {
        await expectCode(setHoldout(service, { share }), 'invalid_input');
        await expectCode(service.setHoldout({ share, seed: 'holdout' }), 'invalid_input');
      }
      await expectCode(setHoldout(service, { share: 0.2, seed: 'a\u0001b' }), 'invalid_input');
      expect(await getHoldout(service)).toEqual(set);
      const changed = await setHoldout(service, { share: 0.25, seed: 'q4' });
      expect(changed).toMatchObject({ share: 0.25, seed: 'q4' });
      expect(await getHoldout(user)).toEqual(changed);
      const anon = await ctx.harness().anon?.();
      if (anon) expect(await anon.getHoldout()).toBeNull();
    });

    it('held-out users are in no experiment: the store refuses them (cause holdout) whatever they send', async () => {
      const service = await ctx.service();
      const holdout = await setHoldout(service, { share: 0.3, seed: 'hold' });
      const experiments = [
        await running(service, 'holdout-a', 'shop/a'),
        await running(service, 'holdout-b', 'shop/b'),
      ];
      let heldOut = 0;
      for (const userId of USERS) {
        const store = await ctx.user(userId);
        const out = isHeldOut(holdout, userId);
        for (const experiment of experiments) {
          if (out) {
            for (const variantKey of ['control', 'treatment', undefined]) {
              const error = await expectCode(
                store.recordAssignment({
                  userId,
                  experimentId: experiment.id,
                  variantKey,
                  assignedAt: T,
                }),
                'conflict',
              );
              expect(error.details).toMatchObject({ cause: 'holdout' });
            }
            await expectCode(
              store.recordExposure({
                userId,
                experimentId: experiment.id,
                variantKey: 'control',
                sessionId: 's',
                exposedAt: T,
              }),
              'not_found',
            );
          } else {
            await store.recordAssignment({ userId, experimentId: experiment.id });
          }
        }
        if (out) heldOut += 1;
        expect((await store.listAssignments({ userId })).length).toBe(out ? 0 : experiments.length);
      }
      expect(heldOut).toBeGreaterThan(0);
      expect(heldOut).toBeLessThan(USERS.length);
    });

    it('the flag client gives held-out users defaults, concluded winners included', async () => {
      const service = await ctx.service();
      const holdout = await setHoldout(service, { share: 0.4, seed: 'client' });
      const live = await running(service, 'holdout-live', 'shop/a');
      const shipped = await running(service, 'holdout-shipped', 'shop/b');
      await concludeExperiment(service, shipped.id, 'treatment');
      let seen = 0;
      for (const userId of USERS.slice(0, 10)) {
        const store = await ctx.user(userId);
        const client = createFlagClient({ store, ttlMs: 0, sessionId: 'holdout' });
        await client.ready();
        const evaluation = client.evaluate(live.name);
        const winner = client.evaluate(shipped.name);
        if (isHeldOut(holdout, userId)) {
          seen += 1;
          expect(evaluation).toMatchObject({
            inExperiment: false,
            cause: 'holdout',
            variantKey: null,
          });
          expect(winner).toMatchObject({ cause: 'holdout', variantKey: null, reason: 'DEFAULT' });
        } else {
          expect(evaluation.inExperiment).toBe(true);
          expect(winner).toMatchObject({ variantKey: 'treatment', reason: 'STATIC' });
        }
        await client.recordExposure(evaluation);
        const stored = await store.listAssignments({ userId });
        expect(stored.map((a) => a.variantKey)).toEqual(
          evaluation.inExperiment ? [evaluation.variantKey] : [],
        );
        expect(client.getSnapshot().error).toBeNull();
        client.destroy();
      }
      expect(seen).toBeGreaterThan(0);
    });

    it('changing the share never moves an assigned user (stickiness wins); raising it only adds held-out users', async () => {
      const service = await ctx.service();
      await setHoldout(service, { share: 0, seed: 'sticky' });
      const live = await running(service, 'holdout-sticky', 'shop/a');
      const assigned = new Map<string, string>();
      for (const userId of USERS.slice(0, 12)) {
        const store = await ctx.user(userId);
        assigned.set(
          userId,
          (await store.recordAssignment({ userId, experimentId: live.id })).variantKey,
        );
      }
      const raised = await setHoldout(service, { share: 0.5, seed: 'sticky' });
      let nowHeldOut = 0;
      for (const [userId, variantKey] of assigned) {
        const store = await ctx.user(userId);
        if (isHeldOut(raised, userId)) nowHeldOut += 1;
        // Still assigned, to the same variant, and the client still shows it.
        expect((await store.recordAssignment({ userId, experimentId: live.id })).variantKey).toBe(
          variantKey,
        );
        const client = createFlagClient({ store, ttlMs: 0, sessionId: 'sticky' });
        await client.ready();
        expect(client.evaluate(live.name)).toMatchObject({ inExperiment: true, variantKey });
        client.destroy();
      }
      expect(nowHeldOut).toBeGreaterThan(0);
      // New users: exactly those outside the raised holdout get in.
      for (const userId of USERS.slice(12)) {
        const store = await ctx.user(userId);
        if (isHeldOut(raised, userId)) {
          await expectCode(store.recordAssignment({ userId, experimentId: live.id }), 'conflict');
        } else {
          await store.recordAssignment({ userId, experimentId: live.id });
        }
      }
      // Raising the share only adds: everyone held out at 0.3 is held out at 0.5.
      for (const userId of USERS) {
        if (isHeldOut({ share: 0.3, seed: 'sticky' }, userId))
          expect(isHeldOut(raised, userId)).toBe(true);
      }
    });

    it('holdoutReadout compares the holdout with everyone else on a factor (service role only)', async () => {
      const service = await ctx.service();
      const path = 'shop/checkout/summary';
      await expectCode(holdoutReadout(service, { factor: 'error_rate', path }), 'not_found');
      const holdout = await setHoldout(service, { share: 0.4, seed: 'readout' });
      for (const [i, userId] of USERS.slice(0, 16).entries()) {
        const session = {
          id: testUuid(0x5e56, i),
          userId,
          startedAt: T,
          metadata: { platform: 'web' },
        };
        await service.startSession(session);
        await service.insertEvents(
          Array.from({ length: 1 + (i % 3) }, (_, k) => ({
            id: testUuid(0xe7f, i * 8 + k),
            sessionId: session.id,
            userId,
            type: (i + k) % 2 === 0 ? 'error' : 'click',
            path,
            payload: {},
            createdAt: T,
          })),
        );
      }
      await service.recomputeFactors({ asOf: '2026-01-05T11:00:00.000Z' });
      const values = await service.getFactors({ path, factors: ['error_rate'] });
      expect(values.length).toBe(16);
      const readout = await holdoutReadout(service, { factor: 'error_rate', path });
      const expected = compareHoldout(
        values.map((v) => ({ userId: v.userId, value: v.value })),
        holdout,
      );
      expect(readout).toMatchObject({ ...expected, factor: 'error_rate', path });
      expect(readout.holdout.n + readout.rest.n).toBe(16);
      expect(readout.holdout.n).toBeGreaterThan(0);
      const user = await ctx.user(USERS[0] as string);
      await expectCode(holdoutReadout(user, { factor: 'error_rate', path }), 'unauthorized');
    });
  });
}
