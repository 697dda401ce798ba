import { describe, expect, it } from 'vitest';
import { FactoredError } from '../../errors.js';
import { LIMITS } from '../../limits.js';
import { createEd25519Signer, createEd25519Verifier, hashSpec } from '../../sdui/signing.js';
import type { SignedSpecEnvelope } from '../../sdui/types.js';
import type { JsonObject } from '../../util/json.js';
import type { SuiteContext } from '../context.js';
import { expectCode } from '../expect.js';
import { TEST_USERS } from '../harness.js';

// A fixed test key (RFC 8032 test 1 seed): fixtures and signatures are identical on every store.
const TEST_PRIVATE_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const TEST_PUBLIC_KEY = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const signer = createEd25519Signer({ privateKey: TEST_PRIVATE_KEY, keyId: 'conformance' });
const verifier = createEd25519Verifier({ conformance: TEST_PUBLIC_KEY });

/**
 * A spec whose values are hard to round-trip: non-ASCII and escaped strings, floats, a large
 * integer, negative zero, nested arrays and empty containers.
 */
function trickySpec(label: string): JsonObject {
  return {
    spec_version: 1,
    renderer_min: 1,
    root: {
      id: 'root',
      type: 'column',
      props: { gap: 0.1 },
      children: [
        {
          id: 'title',
          type: 'text',
          props: { content: `${label}: café ☕ 𝄞 "quoted" \\ back\nslash {{x}} {user.name}` },
        },
        {
          id: 'pick',
          type: 'select',
          props: {
            label: 'Size',
            options: [
              { label: 'Small', value: 1e-7 },
              { label: 'Big', value: 9007199254740991 },
              { label: 'Neg', value: -0.5 },
              { label: 'Obj', value: { z: [], a: {}, m: [1, [2, [3]]] } },
            ],
          },
          action: { name: 'size.pick', params: { b: true, a: null, c: 1.5e21 } },
        },
      ],
    },
  };
}

async function signed(
  label: string,
  version: number,
  name = 'home',
  platform = 'web',
): Promise<SignedSpecEnvelope> {
  return signer.sign(trickySpec(label), {
    name,
    platform,
    version,
    signedAt: '2026-01-05T10:00:00.000Z',
  });
}

/** Specs capability conformance. */
export function specsConformance(ctx: SuiteContext): void {
  describe('specs', () => {
    it('saves immutable versions under their signed version, per (name, platform)', async () => {
      const store = await ctx.service();
      const first = await store.saveSpec({
        name: 'home',
        platform: 'web',
        envelope: await signed('a', 1),
      });
      const second = await store.saveSpec({
        name: 'home',
        platform: 'web',
        envelope: await signed('b', 2),
      });
      const ios = await store.saveSpec({
        name: 'home',
        platform: 'ios',
        envelope: await signed('c', 1, 'home', 'ios'),
      });
      const other = await store.saveSpec({
        name: 'promo',
        platform: 'web',
        envelope: await signed('d', 1, 'promo'),
      });
      expect([first.version, second.version, ios.version, other.version]).toEqual([1, 2, 1, 1]);
      expect(first).toMatchObject({ name: 'home', platform: 'web', version: 1 });
      expect(Number.isFinite(Date.parse(first.createdAt))).toBe(true);
      const versions = await store.listSpecVersions({ name: 'home', platform: 'web' });
      expect(versions.map((v) => v.version)).toEqual([1, 2]);
      expect(versions[0]?.envelope).toEqual(first.envelope);
    });

    it('keeps the envelope equal as JSON, so its hash and signature still verify', async () => {
      const store = await ctx.service();
      const envelope = await signed('round-trip', 1);
      const saved = await store.saveSpec({ name: 'home', platform: 'web', envelope });
      await store.activateSpec({ name: 'home', platform: 'web', version: saved.version });
      const user = await ctx.user(TEST_USERS.alice);
      const loaded = await user.getActiveSpec({ name: 'home', platform: 'web' });
      expect(loaded?.envelope).toEqual(envelope);
      expect(hashSpec(loaded?.envelope.spec)).toBe(envelope.spec_hash);
      expect(await verifier.verify(loaded?.envelope)).toEqual({ ok: true, keyId: 'conformance' });
      const byVersion = await user.getSpec({
        name: 'home',
        platform: 'web',
        version: saved.version,
      });
      expect(await verifier.verify(byVersion.envelope)).toEqual({ ok: true, keyId: 'conformance' });
    });

    it('concurrent saves of one signed version store it once; the others conflict', async () => {
      const store = await ctx.service();
      const envelopes = await Promise.all([1, 2, 3, 4, 5].map((n) => signed(`c${n}`, 1)));
      const outcomes = await Promise.allSettled(
        envelopes.map((envelope) => store.saveSpec({ name: 'home', platform: 'web', envelope })),
      );
      const saved = outcomes.filter((o) => o.status === 'fulfilled');
      expect(saved).toHaveLength(1);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected')
          expect(outcome.reason).toMatchObject({ code: 'conflict' });
      }
      const versions = await store.listSpecVersions({ name: 'home', platform: 'web' });
      expect(versions.map((v) => v.version)).toEqual([1]);
    });

    it('refuses a version that is not above the saved ones (conflict); gaps are allowed', async () => {
      const store = await ctx.service();
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 3) });
      await expectCode(
        store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('b', 3) }),
        'conflict',
      );
      await expectCode(
        store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('b', 2) }),
        'conflict',
      );
      const later = await store.saveSpec({
        name: 'home',
        platform: 'web',
        envelope: await signed('c', 7),
      });
      expect(later.version).toBe(7);
      const versions = await store.listSpecVersions({ name: 'home', platform: 'web' });
      expect(versions.map((v) => v.version)).toEqual([3, 7]);
    });

    it('does not activate on save; activation points at a version and can move back', async () => {
      const store = await ctx.service();
      expect(await store.getActiveSpec({ name: 'home', platform: 'web' })).toBeNull();
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1) });
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('b', 2) });
      expect(await store.getActiveSpec({ name: 'home', platform: 'web' })).toBeNull();
      expect(
        (await store.activateSpec({ name: 'home', platform: 'web', version: 2 })).version,
      ).toBe(2);
      expect((await store.getActiveSpec({ name: 'home', platform: 'web' }))?.version).toBe(2);
      await store.activateSpec({ name: 'home', platform: 'web', version: 1 });
      const active = await store.getActiveSpec({ name: 'home', platform: 'web' });
      expect(active?.version).toBe(1);
      expect(active?.envelope.spec).toEqual(trickySpec('a'));
      // Idempotent.
      expect(
        (await store.activateSpec({ name: 'home', platform: 'web', version: 1 })).version,
      ).toBe(1);
      // The other platform is untouched.
      expect(await store.getActiveSpec({ name: 'home', platform: 'ios' })).toBeNull();
    });

    it('a new version saved after activation does not change the active one', async () => {
      const store = await ctx.service();
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1) });
      await store.activateSpec({ name: 'home', platform: 'web', version: 1 });
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('b', 2) });
      expect((await store.getActiveSpec({ name: 'home', platform: 'web' }))?.version).toBe(1);
    });

    it('throws not_found for a missing version, on get and activate', async () => {
      const store = await ctx.service();
      await expectCode(store.getSpec({ name: 'home', platform: 'web', version: 1 }), 'not_found');
      await expectCode(
        store.activateSpec({ name: 'home', platform: 'web', version: 1 }),
        'not_found',
      );
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1) });
      await expectCode(store.getSpec({ name: 'home', platform: 'web', version: 2 }), 'not_found');
      await expectCode(
        store.activateSpec({ name: 'home', platform: 'ios', version: 1 }),
        'not_found',
      );
      expect(await store.listSpecVersions({ name: 'nothing', platform: 'web' })).toEqual([]);
    });

    it('rejects malformed input with invalid_input and stores nothing', async () => {
      const store = await ctx.service();
      const envelope = await signed('a', 1);
      await expectCode(store.saveSpec({ name: '', platform: 'web', envelope }), 'invalid_input');
      await expectCode(
        store.saveSpec({ name: 'bad name!', platform: 'web', envelope }),
        'invalid_input',
      );
      await expectCode(store.saveSpec({ name: 'home', platform: '', envelope }), 'invalid_input');
      const broken = [
        { ...envelope, spec_hash: 'nothex' },
        { ...envelope, signature: '' },
        { ...envelope, signed_at: 'yesterday' },
        { ...envelope, key_id: '' },
        { ...envelope, key_id: 'k'.repeat(LIMITS.keyIdChars + 1) },
        { ...envelope, spec: [] },
        null,
      ];
      for (const bad of broken) {
        await expectCode(
          store.saveSpec({
            name: 'home',
            platform: 'web',
            envelope: bad as unknown as SignedSpecEnvelope,
          }),
          'invalid_input',
        );
      }
      await expectCode(
        store.getSpec({ name: 'home', platform: 'web', version: 0 }),
        'invalid_input',
      );
      expect(await store.listSpecVersions({ name: 'home', platform: 'web' })).toEqual([]);
    });

    it('refuses an unbound envelope (no signed name, platform or version) in any slot', async () => {
      const store = await ctx.service();
      const envelope = await signed('a', 1);
      const { name: _n, platform: _p, version: _v, ...unbound } = envelope;
      const variants = [
        unbound,
        { ...unbound, name: 'home' },
        { ...unbound, name: 'home', platform: 'web' },
        { ...envelope, version: null },
      ];
      for (const bad of variants) {
        for (const slot of [
          { name: 'home', platform: 'web' },
          { name: 'promo', platform: 'ios' },
        ]) {
          const error = await expectCode(
            store.saveSpec({ ...slot, envelope: bad as unknown as SignedSpecEnvelope }),
            'invalid_input',
          );
          expect(error.message).toContain('unbound');
          expect(error.message).toContain('factoredui sign');
        }
      }
      expect(await store.listSpecVersions({ name: 'home', platform: 'web' })).toEqual([]);
    });

    it('refuses to save an envelope under another name or platform (no relabeling)', async () => {
      const store = await ctx.service();
      await expectCode(
        store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1, 'promo') }),
        'invalid_input',
      );
      await expectCode(
        store.saveSpec({
          name: 'home',
          platform: 'web',
          envelope: await signed('a', 1, 'home', 'ios'),
        }),
        'invalid_input',
      );
      expect(await store.listSpecVersions({ name: 'home', platform: 'web' })).toEqual([]);
    });

    it('refuses versions that are not integers from 1 to LIMITS.specVersionMax', async () => {
      const store = await ctx.service();
      const envelope = await signed('a', 1);
      for (const version of ['2', Number.NaN, 1.5, 0, -1, 2_147_483_648, 1e300, true, [2]]) {
        const error = await expectCode(
          store.saveSpec({
            name: 'home',
            platform: 'web',
            envelope: { ...envelope, version } as unknown as SignedSpecEnvelope,
          }),
          'invalid_input',
        );
        expect(error.message).toMatch(/version/);
      }
      expect(await store.listSpecVersions({ name: 'home', platform: 'web' })).toEqual([]);
    });

    it('refuses a spec over LIMITS.specBytes or nested deeper than LIMITS.jsonDepth', async () => {
      const store = await ctx.service();
      const envelope = await signed('a', 1);
      const big = {
        ...envelope.spec,
        root: { id: 'root', type: 'text', props: { content: 'x'.repeat(LIMITS.specBytes) } },
      };
      let deep: JsonObject = {};
      for (let i = 0; i < 10_000; i += 1) deep = { d: deep };
      const tooDeep = { ...envelope.spec, root: { id: 'root', type: 'text', props: deep } };
      for (const spec of [big, tooDeep]) {
        const error = await expectCode(
          store.saveSpec({ name: 'home', platform: 'web', envelope: { ...envelope, spec } }),
          'invalid_input',
        );
        expect(error.message).toMatch(
          /bytes of JSON; the limit is 262144|levels deep; the limit is 64/,
        );
      }
      expect(await store.listSpecVersions({ name: 'home', platform: 'web' })).toEqual([]);
    });

    it('user stores read specs but cannot save or activate them', async () => {
      const service = await ctx.service();
      await service.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1) });
      await service.activateSpec({ name: 'home', platform: 'web', version: 1 });
      const user = await ctx.user(TEST_USERS.bob);
      await expectCode(
        user.saveSpec({ name: 'home', platform: 'web', envelope: await signed('b', 2) }),
        'unauthorized',
      );
      await expectCode(
        user.activateSpec({ name: 'home', platform: 'web', version: 1 }),
        'unauthorized',
      );
      expect((await user.getActiveSpec({ name: 'home', platform: 'web' }))?.version).toBe(1);
      expect(await user.listSpecVersions({ name: 'home', platform: 'web' })).toHaveLength(1);
      expect((await user.getSpec({ name: 'home', platform: 'web', version: 1 })).version).toBe(1);
      expect(await service.listSpecVersions({ name: 'home', platform: 'web' })).toHaveLength(1);
    });

    it('a store without a user (anon) never sees a spec', async () => {
      const anonFactory = ctx.harness().anon;
      if (!anonFactory) return;
      const service = await ctx.service();
      await service.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1) });
      await service.activateSpec({ name: 'home', platform: 'web', version: 1 });
      const anon = await anonFactory();
      // Refused outright or filtered out by row-level security: either way, nothing leaks.
      const active = await anon
        .getActiveSpec({ name: 'home', platform: 'web' })
        .catch((e: unknown) => {
          expect(e).toBeInstanceOf(FactoredError);
          expect((e as FactoredError).code).toBe('unauthorized');
          return null;
        });
      expect(active).toBeNull();
      await expectCode(
        anon.saveSpec({ name: 'home', platform: 'web', envelope: await signed('b', 2) }),
        'unauthorized',
      );
    });

    it('announces saves and activations on the specs topic with the spec name', async () => {
      const store = await ctx.service();
      if (!store.subscribe) return;
      const keys: (string | undefined)[] = [];
      const unsubscribe = store.subscribe('specs', (change) => keys.push(change.key));
      await store.saveSpec({ name: 'home', platform: 'web', envelope: await signed('a', 1) });
      await store.activateSpec({ name: 'home', platform: 'web', version: 1 });
      await expect.poll(() => keys.length).toBeGreaterThanOrEqual(2);
      unsubscribe();
      expect(keys.every((key) => key === 'home')).toBe(true);
    });
  });
}
