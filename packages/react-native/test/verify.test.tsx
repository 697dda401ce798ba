import type { SpecVerifier } from '@factoredui/core';
import {
  createEd25519Signer,
  createEd25519Verifier,
  generateEd25519Keypair,
  nextSpecVersion,
  publishSpec,
  type SignedSpecEnvelope,
  type Spec,
} from '@factoredui/core';
import {
  createNativeSpecVerifier,
  FactoredProvider,
  SpecView,
  useSpec,
} from '@factoredui/react-native';
import { cleanup, render, screen, waitFor } from '@testing-library/react-native';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStores } from './helpers.js';

const hero = (content: string): Spec => ({
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'hero', type: 'text', props: { content, variant: 'title' } },
});

let keys: { publicKey: string; privateKey: string };
let envelope: SignedSpecEnvelope;

beforeAll(async () => {
  keys = await generateEd25519Keypair();
  const signer = createEd25519Signer({ privateKey: keys.privateKey, keyId: 'k1' });
  envelope = await signer.sign(hero('Summer sale'), { name: 'hero', platform: 'ios', version: 1 });
});

/** The spec `hero` through useSpec, with the reasons of rejected versions below it. */
function Hero({ verifier }: { verifier: SpecVerifier }) {
  const { spec, rejections } = useSpec('hero', { baseline: hero('Welcome'), verifier });
  return (
    <>
      <SpecView spec={spec} />
      {rejections.map((rejection) => (
        <SpecView key={rejection.reason} spec={hero(`rejected: ${rejection.reason}`)} />
      ))}
    </>
  );
}

/** Hermes: a `crypto` global (from a getRandomValues polyfill) without `subtle`. */
function removeSubtle() {
  const { getRandomValues } = globalThis.crypto;
  vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
}

beforeEach(() => removeSubtle());
afterEach(async () => {
  await cleanup();
  vi.unstubAllGlobals();
});

describe('spec verification on Hermes (no crypto.subtle)', () => {
  it('the core verifier without hashes fails closed there; the native one verifies', async () => {
    expect(globalThis.crypto.subtle).toBeUndefined();
    const plain = await createEd25519Verifier({ k1: keys.publicKey }).verify(envelope);
    expect(plain).toMatchObject({ ok: false, reason: 'verification_unavailable' });
    const native = createNativeSpecVerifier({ k1: keys.publicKey });
    expect(await native.verify(envelope)).toEqual({ ok: true, keyId: 'k1' });
  });

  it('still refuses altered specs, other keys and unknown key ids', async () => {
    const native = createNativeSpecVerifier({ k1: keys.publicKey });
    const altered = { ...envelope, spec: hero('Everything free') };
    expect(await native.verify(altered)).toMatchObject({ ok: false, reason: 'hash_mismatch' });
    const other = await generateEd25519Keypair();
    expect(await createNativeSpecVerifier({ k1: other.publicKey }).verify(envelope)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(await createNativeSpecVerifier({ k2: keys.publicKey }).verify(envelope)).toMatchObject({
      ok: false,
      reason: 'unknown_key',
    });
  });

  it('gives the same answers as WebCrypto where both exist', async () => {
    vi.unstubAllGlobals();
    expect(globalThis.crypto.subtle).toBeDefined();
    const webCrypto = createEd25519Verifier({ k1: keys.publicKey });
    const native = createNativeSpecVerifier({ k1: keys.publicKey });
    const altered = { ...envelope, spec: hero('Everything free') };
    for (const candidate of [envelope, altered]) {
      expect(await native.verify(candidate)).toEqual(await webCrypto.verify(candidate));
    }
  });

  it('useSpec renders the published, verified spec on a native screen', async () => {
    const { user, service } = createStores();
    const slot = { name: 'hero', platform: 'ios' } as const;
    const signer = createEd25519Signer({ privateKey: keys.privateKey, keyId: 'k1' });
    const published = await signer.sign(hero('Autumn collection'), {
      ...slot,
      version: await nextSpecVersion(service, slot),
    });
    await publishSpec(service, { ...slot, envelope: published });

    await render(
      <FactoredProvider store={user} adapter={null} capture={false}>
        <Hero verifier={createNativeSpecVerifier({ k1: keys.publicKey })} />
      </FactoredProvider>,
    );
    await waitFor(() =>
      expect(screen.getByRole('heading', { name: 'Autumn collection' })).toBeOnTheScreen(),
    );

    // The same screen with the core verifier and no hashes: the baseline, and the reason.
    await screen.rerender(
      <FactoredProvider store={user} adapter={null} capture={false}>
        <Hero verifier={createEd25519Verifier({ k1: keys.publicKey })} />
      </FactoredProvider>,
    );
    await waitFor(() =>
      expect(
        screen.getByRole('heading', { name: 'rejected: verification_unavailable' }),
      ).toBeOnTheScreen(),
    );
    expect(screen.getByRole('heading', { name: 'Welcome' })).toBeOnTheScreen();
  });
});
