import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import {
  bytesToBase64url,
  canonicalJson,
  createDevSpecSigner,
  createEd25519Signer,
  createEd25519Verifier,
  devSignatureVerifier,
  FactoredError,
  generateEd25519Keypair,
  getEd25519PublicKey,
  hashSpec,
  type SignedSpecEnvelope,
  type Spec,
  specSigningPayload,
} from '@factoredui/core';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it, vi } from 'vitest';

// RFC 8032 section 7.1, TEST 1.
const RFC_SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

const SLOT = { name: 'greeting', platform: 'web', version: 1 } as const;

const SPEC = {
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'hello', type: 'text', props: { content: 'Hello, {user.name}!' } },
};

/** Reverses key order at every level, as a database's JSON type may. */
function reorderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorderKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reorderKeys(v)]),
    );
  return value;
}

// The published vector: RFC 8032 TEST 1 key over the payload below; verified with node:crypto.
const VECTOR_SIGNATURE =
  'f415f58c2d33ed0c649923365cc7108d38a522565e4bbb886d4d0a097aa6f51adce714bafaf1e676b0b8a8e1657a62a4e51fbdd18d6ec44ff7685b9ec2d16604';

describe('canonical JSON (RFC 8785)', () => {
  it('matches the RFC 8785 section 3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });
  it('sorts keys by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    ) as Record<string, string>;
    // RFC 8785 lists the values in this order once the keys are sorted.
    const values = [...canonicalJson(input).matchAll(/:"([^"]+)"/g)].map((m) => m[1]);
    expect(values).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });
  it('refuses values that are not plain JSON', () => {
    for (const bad of [{ a: undefined }, { a: Number.NaN }, { a: () => 1 }, new Date(0)])
      expect(() => canonicalJson(bad)).toThrowError(FactoredError);
  });
});

describe('spec hash', () => {
  it('does not change when keys are re-ordered or whitespace changes', () => {
    const hash = hashSpec(SPEC);
    expect(hashSpec(reorderKeys(SPEC))).toBe(hash);
    expect(hashSpec(JSON.parse(JSON.stringify(SPEC, null, 4)))).toBe(hash);
  });
  it('changes when any single value changes', () => {
    const hash = hashSpec(SPEC);
    const changed = structuredClone(SPEC);
    changed.root.props.content = 'Hello, {user.name}?';
    expect(hashSpec(changed)).not.toBe(hash);
    expect(hashSpec({ ...SPEC, renderer_min: 1.0000001 })).not.toBe(hash);
  });
});

describe('Ed25519 signing', () => {
  it('signs a typed Spec without a cast, and the result verifies', async () => {
    const { privateKey, publicKey } = await generateEd25519Keypair();
    const typed: Spec = {
      spec_version: 1,
      renderer_min: 1,
      root: { id: 'hello', type: 'text', props: { content: 'Hi' } },
    };
    const envelope = await createEd25519Signer({ privateKey, keyId: 'k1' }).sign(typed, SLOT);
    const verifier = createEd25519Verifier({ k1: publicKey });
    await expect(verifier.verify(envelope)).resolves.toMatchObject({ ok: true });
  });

  it('reproduces the published test vector (cross-checked with OpenSSL through node:crypto)', async () => {
    const signer = createEd25519Signer({ privateKey: RFC_SECRET, keyId: 'rfc8032-test1' });
    const envelope = await signer.sign(SPEC, { ...SLOT, signedAt: '2026-01-01T00:00:00.000Z' });
    expect(envelope).toEqual({
      spec: SPEC,
      spec_hash: 'fd0e782fe7927ef366e8275204821f49eb09c8969d86c2273ffc77b5076a659e',
      signed_at: '2026-01-01T00:00:00.000Z',
      key_id: 'rfc8032-test1',
      name: 'greeting',
      platform: 'web',
      version: 1,
      signature: VECTOR_SIGNATURE,
    });
    expect(new TextDecoder().decode(specSigningPayload(envelope))).toBe(
      '{"domain":"factoredui.spec.v2","key_id":"rfc8032-test1","name":"greeting","platform":"web","signed_at":"2026-01-01T00:00:00.000Z","spec_hash":"fd0e782fe7927ef366e8275204821f49eb09c8969d86c2273ffc77b5076a659e","version":1}',
    );
    const publicKey = createPublicKey({
      key: Buffer.concat([
        Buffer.from('302a300506032b6570032100', 'hex'),
        Buffer.from(RFC_PUBLIC, 'hex'),
      ]),
      format: 'der',
      type: 'spki',
    });
    expect(
      nodeVerify(
        null,
        specSigningPayload(envelope),
        publicKey,
        Buffer.from(envelope.signature, 'hex'),
      ),
    ).toBe(true);
  });

  it('verifies signatures made by another implementation (node:crypto)', async () => {
    const privateKey = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from(RFC_SECRET, 'hex'),
      ]),
      format: 'der',
      type: 'pkcs8',
    });
    const fields = {
      spec_hash: hashSpec(SPEC),
      signed_at: '2026-02-02T00:00:00.000Z',
      key_id: 'k',
      ...SLOT,
    };
    const signature = nodeSign(null, specSigningPayload(fields), privateKey).toString('hex');
    const verifier = createEd25519Verifier({ k: RFC_PUBLIC });
    expect(await verifier.verify({ spec: SPEC, ...fields, signature })).toEqual({
      ok: true,
      keyId: 'k',
    });
  });

  it('derives the RFC 8032 public key and accepts keys as hex, base64url or bytes', async () => {
    expect(getEd25519PublicKey(RFC_SECRET)).toBe(RFC_PUBLIC);
    const b64 = bytesToBase64url(hexToBytes(RFC_SECRET));
    expect(b64).toHaveLength(43);
    expect(getEd25519PublicKey(b64)).toBe(RFC_PUBLIC);
    expect(getEd25519PublicKey(`${b64}=`)).toBe(RFC_PUBLIC);
    expect(getEd25519PublicKey(hexToBytes(RFC_SECRET))).toBe(RFC_PUBLIC);
    const envelope = await createEd25519Signer(b64, 'b64').sign(SPEC, SLOT);
    const verifier = createEd25519Verifier([
      { keyId: 'b64', publicKey: bytesToBase64url(hexToBytes(RFC_PUBLIC)) },
    ]);
    expect((await verifier.verify(envelope)).ok).toBe(true);
  });

  it('rejects keys of the wrong size or encoding with invalid_input', () => {
    for (const bad of ['abcd', RFC_SECRET.slice(2), 'not base64!', new Uint8Array(31)])
      expect(() => createEd25519Signer({ privateKey: bad, keyId: 'x' })).toThrowError(/32 bytes/);
    expect(() => createEd25519Signer({ privateKey: RFC_SECRET, keyId: '' })).toThrowError(
      FactoredError,
    );
    expect(() => createEd25519Verifier({})).toThrowError(FactoredError);
  });

  it('generates distinct working key pairs', async () => {
    const a = await generateEd25519Keypair();
    const b = await generateEd25519Keypair();
    expect(a.privateKey).toMatch(/^[0-9a-f]{64}$/);
    expect(a.publicKey).not.toBe(b.publicKey);
    expect(getEd25519PublicKey(a.privateKey)).toBe(a.publicKey);
  });
});

describe('verification', () => {
  const signer = createEd25519Signer({ privateKey: RFC_SECRET, keyId: 'old' });
  const verifier = createEd25519Verifier({ old: RFC_PUBLIC });
  const sign = () => signer.sign(SPEC, { ...SLOT, signedAt: '2026-01-01T00:00:00Z' });

  it('accepts an envelope whose spec keys were re-ordered by a database', async () => {
    const envelope = await sign();
    const reordered = reorderKeys(envelope) as SignedSpecEnvelope;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(envelope));
    expect(await verifier.verify(reordered)).toEqual({ ok: true, keyId: 'old' });
  });

  it('rejects a single changed value in the spec (hash_mismatch)', async () => {
    const envelope = await sign();
    const tampered = structuredClone(envelope) as SignedSpecEnvelope & { spec: typeof SPEC };
    tampered.spec.root.props.content = 'Send your password to {attacker}';
    expect(await verifier.verify(tampered)).toMatchObject({ ok: false, reason: 'hash_mismatch' });
  });

  it('hash and signature are checked at once, failures reported hash first, then key, then signature', async () => {
    const envelope = await sign();
    const tampered = structuredClone(envelope) as SignedSpecEnvelope & { spec: typeof SPEC };
    tampered.spec.root.props.content = 'changed';
    const badSignature = `${envelope.signature.slice(0, -2)}${envelope.signature.endsWith('00') ? '01' : '00'}`;
    // Changed spec and broken signature: the spec is reported.
    expect(await verifier.verify({ ...tampered, signature: badSignature })).toMatchObject({
      ok: false,
      reason: 'hash_mismatch',
    });
    // Changed spec and a key nobody trusts: the spec is reported.
    expect(await verifier.verify({ ...tampered, key_id: 'nobody' })).toMatchObject({
      ok: false,
      reason: 'hash_mismatch',
    });
    // Intact spec, unknown key and a broken signature: the key is reported.
    expect(
      await verifier.verify({ ...envelope, key_id: 'nobody', signature: badSignature }),
    ).toMatchObject({ ok: false, reason: 'unknown_key' });
    // A hash provider that fails while the signature is being checked: unavailable, never ok.
    const failingHash = createEd25519Verifier(
      { old: RFC_PUBLIC },
      {
        sha256: () => {
          throw new Error('no SHA-256 today');
        },
      },
    );
    expect(await failingHash.verify(envelope)).toMatchObject({
      ok: false,
      reason: 'verification_unavailable',
    });
  });

  it('rejects a spec re-hashed by an attacker (bad_signature)', async () => {
    const envelope = await sign();
    const spec = { ...SPEC, renderer_min: 1, root: { ...SPEC.root, id: 'evil' } };
    expect(await verifier.verify({ ...envelope, spec, spec_hash: hashSpec(spec) })).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects swapped signed fields: signed_at, key_id, name, platform, version', async () => {
    const envelope = await sign();
    const other = createEd25519Verifier({ old: RFC_PUBLIC, other: RFC_PUBLIC });
    for (const swap of [
      { signed_at: '2027-01-01T00:00:00.000Z' },
      { key_id: 'other' },
      { name: 'checkout' },
      { platform: 'ios' },
      { version: 2 },
      { version: 2e9 },
    ]) {
      expect(await other.verify({ ...envelope, ...swap }), JSON.stringify(swap)).toMatchObject({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('signs renderer_min: changing it breaks the hash, re-hashing breaks the signature', async () => {
    const envelope = await sign();
    const newer = { ...SPEC, renderer_min: 99 };
    expect(await verifier.verify({ ...envelope, spec: newer })).toMatchObject({
      reason: 'hash_mismatch',
    });
    expect(
      await verifier.verify({ ...envelope, spec: newer, spec_hash: hashSpec(newer) }),
    ).toMatchObject({ reason: 'bad_signature' });
  });

  it('refuses an unbound envelope (no signed name, platform or version) before its signature', async () => {
    const envelope = await sign();
    const { name: _n, platform: _p, version: _v, ...unbound } = envelope;
    for (const bad of [unbound, { ...unbound, name: 'greeting' }, { ...envelope, version: null }]) {
      const result = await verifier.verify(bad);
      expect(result).toMatchObject({ ok: false, reason: 'unbound_envelope' });
      if (!result.ok) expect(result.message).toContain('factoredui sign');
    }
  });

  it('refuses versions that are not integers from 1 to LIMITS.specVersionMax', async () => {
    const envelope = await sign();
    for (const version of ['1', Number.NaN, 1.5, 0, -1, 2_147_483_648, Number.POSITIVE_INFINITY]) {
      expect(await verifier.verify({ ...envelope, version }), String(version)).toMatchObject({
        ok: false,
        reason: 'malformed_envelope',
      });
    }
  });

  it('the signer requires a slot and a positive integer version', async () => {
    const sign = (options: unknown) => signer.sign(SPEC, options as typeof SLOT);
    for (const options of [
      undefined,
      {},
      { name: 'greeting', platform: 'web' },
      { name: 'greeting', version: 1 },
      { platform: 'web', version: 1 },
      { ...SLOT, version: '2' },
      { ...SLOT, version: 0 },
      { ...SLOT, version: 1.5 },
      { ...SLOT, name: 'bad name!' },
    ]) {
      await expect(sign(options), JSON.stringify(options)).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
  });

  it('rejects a signature from a key it does not trust, and unknown key ids', async () => {
    const stranger = await generateEd25519Keypair();
    const forged = await createEd25519Signer({
      privateKey: stranger.privateKey,
      keyId: 'old',
    }).sign(SPEC, SLOT);
    expect(await verifier.verify(forged)).toMatchObject({ ok: false, reason: 'bad_signature' });
    const unknown = await createEd25519Signer({
      privateKey: stranger.privateKey,
      keyId: 'new',
    }).sign(SPEC, SLOT);
    const result = await verifier.verify(unknown);
    expect(result).toMatchObject({ ok: false, reason: 'unknown_key' });
    if (!result.ok) expect(result.message).toContain('"new"');
  });

  it('supports key rotation: several keys by key_id', async () => {
    const next = await generateEd25519Keypair();
    const rotated = createEd25519Verifier({ old: RFC_PUBLIC, '2026-02': next.publicKey });
    const byNew = await createEd25519Signer({ privateKey: next.privateKey, keyId: '2026-02' }).sign(
      SPEC,
      SLOT,
    );
    expect(await rotated.verify(await sign())).toEqual({ ok: true, keyId: 'old' });
    expect(await rotated.verify(byNew)).toEqual({ ok: true, keyId: '2026-02' });
    // A signature under one id does not verify under another id's key.
    expect(await rotated.verify({ ...byNew, key_id: 'old' })).toMatchObject({ ok: false });
  });

  it('reports malformed envelopes instead of throwing', async () => {
    const envelope = await sign();
    for (const bad of [
      null,
      'x',
      { ...envelope, spec: null },
      { ...envelope, spec_hash: envelope.spec_hash.toUpperCase() },
      { ...envelope, signed_at: 'soon' },
      { ...envelope, key_id: 3 },
    ]) {
      expect(await verifier.verify(bad)).toMatchObject({ ok: false, reason: 'malformed_envelope' });
    }
    expect(await verifier.verify({ ...envelope, signature: 'zz' })).toMatchObject({
      reason: 'bad_signature',
    });
  });
});

describe('hashing: WebCrypto or injected hash functions', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  const cases = async () => {
    const envelope = await createEd25519Signer({ privateKey: RFC_SECRET, keyId: 'k' }).sign(
      SPEC,
      SLOT,
    );
    const changed = { ...SPEC, renderer_min: 2 };
    return [
      envelope,
      { ...envelope, spec: changed },
      { ...envelope, spec: changed, spec_hash: hashSpec(changed) },
      { ...envelope, name: 'other' },
      { ...envelope, key_id: 'nope' },
      // Change the last hex digit (always a change: `…00` alone was a no-op 1 time in 256).
      {
        ...envelope,
        signature: `${envelope.signature.slice(0, -1)}${envelope.signature.endsWith('0') ? '1' : '0'}`,
      },
      { ...envelope, spec_hash: 'x' },
    ];
  };

  it('gives the same result with WebCrypto and with injected @noble/hashes', async () => {
    const webCrypto = createEd25519Verifier({ k: RFC_PUBLIC });
    const injected = createEd25519Verifier({ keys: { k: RFC_PUBLIC }, sha256, sha512 });
    const positional = createEd25519Verifier({ k: RFC_PUBLIC }, { sha256, sha512 });
    const envelopes = await cases();
    const results = await Promise.all(envelopes.map((e) => webCrypto.verify(e)));
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'ok',
      'hash_mismatch',
      'bad_signature',
      'bad_signature',
      'unknown_key',
      'bad_signature',
      'malformed_envelope',
    ]);
    for (const verifier of [injected, positional])
      expect(await Promise.all(envelopes.map((e) => verifier.verify(e)))).toEqual(results);
  });

  it('fails closed with verification_unavailable when crypto.subtle is missing', async () => {
    const envelopes = await cases();
    const webCrypto = createEd25519Verifier({ k: RFC_PUBLIC });
    const only256 = createEd25519Verifier({ keys: { k: RFC_PUBLIC }, sha256 });
    const injected = createEd25519Verifier({ keys: { k: RFC_PUBLIC }, sha256, sha512 });
    vi.stubGlobal('crypto', { getRandomValues: globalThis.crypto.getRandomValues });
    for (const verifier of [webCrypto, only256]) {
      for (const envelope of envelopes) {
        const result = await verifier.verify(envelope);
        expect(result).toMatchObject({ ok: false, reason: 'verification_unavailable' });
        if (!result.ok) expect(result.message).toMatch(/crypto\.subtle.*\{ sha256, sha512 \}/);
      }
    }
    // Injected hashes need no WebCrypto.
    expect(await injected.verify(envelopes[0])).toEqual({ ok: true, keyId: 'k' });
    expect(await injected.verify(envelopes[2])).toMatchObject({ reason: 'bad_signature' });
    vi.stubGlobal('crypto', undefined);
    expect(await webCrypto.verify(envelopes[0])).toMatchObject({
      ok: false,
      reason: 'verification_unavailable',
    });
  });

  it('fails closed when a hash provider throws or is not a function', async () => {
    const [envelope] = await cases();
    const broken = () => {
      throw new Error('no digest');
    };
    for (const hashes of [{ sha256: broken }, { sha512: broken }]) {
      const verifier = createEd25519Verifier({
        keys: { k: RFC_PUBLIC },
        ...hashes,
        nativeEd25519: false,
      });
      expect(await verifier.verify(envelope)).toMatchObject({
        ok: false,
        reason: 'verification_unavailable',
      });
    }
    // With the platform's Ed25519, a given sha512 is not needed: the signature is checked natively.
    expect(
      await createEd25519Verifier({ k: RFC_PUBLIC }, { sha512: broken }).verify(envelope),
    ).toEqual({ ok: true, keyId: 'k' });
    expect(() =>
      createEd25519Verifier({ keys: { k: RFC_PUBLIC }, sha512: 'sha512' as never }),
    ).toThrowError(FactoredError);
  });
});

describe('development signer and verifier', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('accepts dev-signed specs when not in production, still checking the hash', async () => {
    vi.stubEnv('NODE_ENV', 'development');
    const envelope = await createDevSpecSigner().sign(SPEC, SLOT);
    expect(await devSignatureVerifier.verify(envelope)).toEqual({ ok: true, keyId: 'dev' });
    expect(
      await devSignatureVerifier.verify({ ...envelope, spec: { ...SPEC, renderer_min: 2 } }),
    ).toMatchObject({
      ok: false,
      reason: 'hash_mismatch',
    });
    // A real verifier never accepts a dev envelope.
    expect((await createEd25519Verifier({ dev: RFC_PUBLIC }).verify(envelope)).ok).toBe(false);
  });

  it('refuses to verify anything when NODE_ENV is production', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const envelope = await createEd25519Signer({ privateKey: RFC_SECRET, keyId: 'k' }).sign(
      SPEC,
      SLOT,
    );
    expect(await devSignatureVerifier.verify(envelope)).toMatchObject({
      ok: false,
      reason: 'dev_verifier_in_production',
    });
  });
});
