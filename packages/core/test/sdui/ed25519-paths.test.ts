import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import {
  createEd25519Signer,
  createEd25519Verifier,
  type SignedSpecEnvelope,
  type SpecVerifier,
  specSigningPayload,
} from '@factoredui/core';
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// RFC 8032 section 7.1, TEST 1.
const SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const SPEC = {
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'hello', type: 'text', props: { content: 'Hello' } },
};
const SLOT = { name: 'greeting', platform: 'web', version: 1 } as const;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

const le = (bytes: Uint8Array) => {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i] as number);
  return v;
};
const le32 = (value: bigint) => {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The 8 points of small order, derived from a point of order 8 (not copied from a list). */
function torsionPoints(): InstanceType<typeof ed.Point>[] {
  // A point of order 8: clear the prime-order part of a curve point with a torsion component.
  for (let y = 2n; ; y++) {
    let point: InstanceType<typeof ed.Point>;
    try {
      point = ed.Point.fromBytes(le32(y), false);
    } catch {
      continue;
    }
    const t = point.multiply(L - 1n, false).add(point);
    if (!t.multiply(4n, false).is0()) {
      return Array.from({ length: 8 }, (_, i) =>
        i === 0 ? ed.Point.ZERO : t.multiply(BigInt(i), false),
      );
    }
  }
}

/** A signature with `R = rB + T` that satisfies the cofactored equation, made with the secret key. */
function signWithTorsion(message: Uint8Array, torsion: InstanceType<typeof ed.Point>): Uint8Array {
  const { scalar, pointBytes } = ed.utils.getExtendedPublicKey(hexToBytes(SECRET));
  const r = (le(sha512(concat(message, new Uint8Array([7])))) % (L - 1n)) + 1n;
  const R = ed.Point.BASE.multiply(r).add(torsion).toBytes();
  const k = le(sha512(concat(R, pointBytes, message))) % L;
  return concat(R, le32((r + k * scalar) % L));
}

const nodeKey = createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(PUBLIC, 'hex')]),
  format: 'der',
  type: 'spki',
});

const outcome = async (verifier: SpecVerifier, envelope: unknown) => {
  const result = await verifier.verify(envelope);
  return result.ok ? 'ok' : result.reason;
};

describe('Ed25519: the native (WebCrypto) and JavaScript paths agree on every input', () => {
  let envelope: SignedSpecEnvelope;
  let payload: Uint8Array;
  beforeAll(async () => {
    ed.hashes.sha512 ??= sha512;
    envelope = await createEd25519Signer({ privateKey: SECRET, keyId: 'k' }).sign(SPEC, SLOT);
    payload = specSigningPayload(envelope);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  const native = () => createEd25519Verifier({ keys: { k: PUBLIC } });
  const javascript = () => createEd25519Verifier({ keys: { k: PUBLIC }, nativeEd25519: false });
  const withSignature = (signature: Uint8Array) => ({
    ...envelope,
    signature: bytesToHex(signature),
  });

  it('uses crypto.subtle Ed25519 when the platform has it, and JavaScript when told not to', async () => {
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    expect(await outcome(native(), envelope)).toBe('ok');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[0]).toBe('Ed25519');
    verify.mockClear();
    expect(await outcome(javascript(), envelope)).toBe('ok');
    expect(verify).not.toHaveBeenCalled();
  });

  it('falls back to JavaScript when the platform has no Ed25519 (import refused)', async () => {
    const importKey = vi
      .spyOn(globalThis.crypto.subtle, 'importKey')
      .mockRejectedValue(new DOMException('Unrecognized name.', 'NotSupportedError'));
    const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
    const verifier = native();
    expect(await outcome(verifier, envelope)).toBe('ok');
    expect(await outcome(verifier, withSignature(new Uint8Array(64).fill(1)))).toBe(
      'bad_signature',
    );
    // The refusal is remembered per key: one import attempt, never a native verify.
    expect(importKey).toHaveBeenCalledTimes(1);
    expect(verify).not.toHaveBeenCalled();
  });

  it('falls back to JavaScript for one call when the native verify throws', async () => {
    vi.spyOn(globalThis.crypto.subtle, 'verify').mockRejectedValue(new Error('engine failure'));
    expect(await outcome(native(), envelope)).toBe('ok');
  });

  it('agrees with itself and with OpenSSL on valid, altered, non-canonical and small-order signatures', async () => {
    const valid = hexToBytes(envelope.signature);
    const R = valid.slice(0, 32);
    const S = le(valid.slice(32));
    const torsion = torsionPoints();
    const cases: { label: string; signature: Uint8Array; expected: 'ok' | 'bad_signature' }[] = [
      { label: 'valid', signature: valid, expected: 'ok' },
      // S + L: the same point equation, a malleated signature (RFC 8032 requires S < L).
      { label: 'S + L', signature: concat(R, le32(S + L)), expected: 'bad_signature' },
      { label: 'S = L', signature: concat(R, le32(L)), expected: 'bad_signature' },
      { label: 'S = 0', signature: concat(R, le32(0n)), expected: 'bad_signature' },
      // y >= p: a non-canonical R (y + p still < 2^255 for small y).
      {
        label: 'R non-canonical (y + p)',
        signature: concat(le32(1n + P), le32(S)),
        expected: 'bad_signature',
      },
      {
        label: 'R = -0 (y = 1 with the sign bit)',
        signature: concat(le32(1n + (1n << 255n)), le32(S)),
        expected: 'bad_signature',
      },
      {
        label: 'R not on the curve',
        signature: concat(le32(2n), le32(S)),
        expected: 'bad_signature',
      },
      { label: 'all zero', signature: new Uint8Array(64), expected: 'bad_signature' },
      { label: 'all 0xff', signature: new Uint8Array(64).fill(0xff), expected: 'bad_signature' },
    ];
    for (const [i, t] of torsion.entries()) {
      cases.push({
        label: `R of small order #${i}`,
        signature: concat(t.toBytes(), le32(S)),
        expected: 'bad_signature',
      });
      if (i > 0)
        // Mixed-order R: only the key holder can make it; noble's own cofactored check accepts it.
        cases.push({
          label: `R = rB + T${i} (cofactored equation holds)`,
          signature: signWithTorsion(payload, t),
          expected: 'bad_signature',
        });
    }
    // Every single-bit change of the valid signature.
    for (let bit = 0; bit < 512; bit += 3) {
      const changed = valid.slice();
      changed[bit >> 3] = (changed[bit >> 3] as number) ^ (1 << (bit & 7));
      cases.push({ label: `bit ${bit}`, signature: changed, expected: 'bad_signature' });
    }
    const verifiers = [native(), javascript()];
    const noNative = createEd25519Verifier({ keys: { k: PUBLIC } });
    const problems: string[] = [];
    for (const { label, signature, expected } of cases) {
      const results = [];
      for (const verifier of verifiers)
        results.push(await outcome(verifier, withSignature(signature)));
      const openssl = nodeVerify(null, payload, nodeKey, signature) ? 'ok' : 'bad_signature';
      if (results.some((r) => r !== expected) || openssl !== expected)
        problems.push(`${label}: ${results.join('/')} openssl ${openssl}, expected ${expected}`);
    }
    // The JavaScript fallback forced by a platform without Ed25519, on the edge cases.
    vi.spyOn(globalThis.crypto.subtle, 'importKey').mockRejectedValue(
      new DOMException('no', 'NotSupportedError'),
    );
    for (const { label, signature, expected } of cases.slice(0, 30)) {
      const result = await outcome(noNative, withSignature(signature));
      if (result !== expected) problems.push(`${label} (fallback): ${result}`);
    }
    expect(problems).toEqual([]);
    // The attack the cofactorless rule closes: noble's default and strict checks accept it.
    const mixed = signWithTorsion(payload, torsion[1] as InstanceType<typeof ed.Point>);
    expect(ed.verify(mixed, payload, hexToBytes(PUBLIC), { zip215: false })).toBe(true);
  });

  it('refuses every small-order, non-canonical or off-curve trusted key on both paths', async () => {
    const keys = [
      ...torsionPoints().map((t) => bytesToHex(t.toBytes())),
      bytesToHex(le32(1n + P)), // non-canonical
      bytesToHex(le32(2n)), // not on the curve
      'ff'.repeat(32),
    ];
    for (const key of keys) {
      // A signature the small-order key would accept under a lax rule: S = 0, R = identity.
      const forged = { ...envelope, signature: `01${'00'.repeat(63)}` };
      for (const nativeEd25519 of [true, false]) {
        const verifier = createEd25519Verifier({ keys: { k: key }, nativeEd25519 });
        expect(await outcome(verifier, forged), `${key} native=${nativeEd25519}`).toBe(
          'bad_signature',
        );
        expect(await outcome(verifier, envelope)).toBe('bad_signature');
      }
    }
  });

  it('refuses a nativeEd25519 option that is not a boolean', () => {
    expect(() =>
      createEd25519Verifier({ keys: { k: PUBLIC }, nativeEd25519: 'yes' as never }),
    ).toThrowError(/nativeEd25519/);
  });
});
