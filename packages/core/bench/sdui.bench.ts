/**
 * SDUI engine: validate, hash, sign and verify 1,000 specs of 200 nodes each. Peers in the
 * same run: ajv running the published JSON Schema (vs `validateSpec`) and node:crypto's
 * OpenSSL Ed25519 (vs @noble/ed25519 sign and verify).
 */
import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
} from 'node:crypto';
import Ajv from 'ajv';
import canonicalize from 'canonicalize';
import type { BenchRecord, BenchSuite } from '../../../scripts/bench-types.js';
import {
  canonicalJson,
  createEd25519Signer,
  createEd25519Verifier,
  hashSpec,
  type SignedSpecEnvelope,
  SPEC_JSON_SCHEMA,
  specSigningPayload,
  validateSpec,
} from '../src/sdui/index.js';
import type { JsonObject } from '../src/util/json.js';

const SPECS = 1000;
const NODES = 200;
const RUNS = 3;
const SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';

/** A realistic spec of exactly `NODES` nodes: a column of product cards. */
function makeSpec(seed: number): JsonObject {
  const children: JsonObject[] = [];
  let count = 1; // root
  let card = 0;
  while (count < NODES) {
    const id = `${seed}-${card}`;
    const leaves: JsonObject[] = [
      {
        id: `img-${id}`,
        type: 'image',
        props: { src: `https://cdn.example/{item.sku}-${card}.png`, alt: 'Product' },
      },
      {
        id: `name-${id}`,
        type: 'text',
        props: { content: `Product ${card}: {catalog.items.${card}.name}`, variant: 'title' },
      },
      {
        id: `price-${id}`,
        type: 'chip',
        props: { label: '{catalog.items.0.price} EUR', tone: 'info' },
      },
      {
        id: `qty-${id}`,
        type: 'slider',
        props: { label: 'Quantity', min: 1, max: 10, value: '{cart.qty}' },
        action: {
          name: 'cart.qty',
          params: { sku: `SKU-${seed}-${card}`, value: '{event.value}' },
        },
      },
      {
        id: `buy-${id}`,
        type: 'button',
        props: { label: 'Add to cart', variant: 'primary' },
        action: { name: 'cart.add', params: { sku: `SKU-${seed}-${card}` } },
      },
    ];
    const room = NODES - count - 2; // card + row
    const kept = leaves.slice(0, Math.max(0, Math.min(leaves.length, room)));
    const node: JsonObject = {
      id: `card-${id}`,
      type: 'card',
      props: { title: `Card ${card}` },
      children: [{ id: `row-${id}`, type: 'row', props: { gap: 2, wrap: true }, children: kept }],
    };
    count += 2 + kept.length;
    if (kept.length === 0) {
      delete node.children;
      count -= 1;
    }
    children.push(node);
    card += 1;
  }
  return {
    spec_version: 1,
    renderer_min: 1,
    root: { id: `root-${seed}`, type: 'column', props: { gap: 3 }, children },
  };
}

function countNodes(node: JsonObject): number {
  const kids = (node.children as JsonObject[] | undefined) ?? [];
  return 1 + kids.reduce((n, child) => n + countNodes(child), 0);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/** Runs `fn` over every item `RUNS` times; returns the median total in ms. */
async function measure<T>(items: readonly T[], fn: (item: T) => unknown): Promise<number> {
  const totals: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = process.hrtime.bigint();
    for (const item of items) await fn(item);
    totals.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(totals);
}

function records(name: string, totalMs: number, count: number, notes: string): BenchRecord[] {
  return [
    {
      name: `${name} (ops/s)`,
      value: (count / totalMs) * 1000,
      unit: 'ops/s',
      better: 'higher',
      notes,
    },
    {
      name: `${name} (µs/op)`,
      value: (totalMs * 1000) / count,
      unit: 'µs/op',
      better: 'lower',
      notes,
    },
  ];
}

const suite: BenchSuite = {
  title: 'SDUI engine (1,000 specs of 200 nodes)',
  async run() {
    const specs = Array.from({ length: SPECS }, (_, i) => makeSpec(i));
    if (specs.some((spec) => countNodes(spec.root as JsonObject) !== NODES))
      throw new Error('spec size drifted');
    for (const spec of specs.slice(0, 5))
      if (!validateSpec(spec).valid) throw new Error('bench spec invalid');
    const notes = `${SPECS} specs x ${NODES} nodes, median of ${RUNS} runs`;
    const signer = createEd25519Signer({ privateKey: SECRET, keyId: 'bench' });
    const verifier = createEd25519Verifier({ bench: PUBLIC });
    const jsVerifier = createEd25519Verifier({ keys: { bench: PUBLIC }, nativeEd25519: false });
    const ajvValidate = new Ajv({ allErrors: true, strictTypes: false }).compile(SPEC_JSON_SCHEMA);
    const nodePrivate = createPrivateKey({
      key: Buffer.concat([
        Buffer.from('302e020100300506032b657004220420', 'hex'),
        Buffer.from(SECRET, 'hex'),
      ]),
      format: 'der',
      type: 'pkcs8',
    });
    const nodePublic = createPublicKey(nodePrivate);

    const validate = await measure(specs, (spec) => {
      if (!validateSpec(spec).valid) throw new Error('invalid');
    });
    const ajv = await measure(specs, (spec) => {
      if (!ajvValidate(spec)) throw new Error('invalid');
    });
    for (const spec of specs.slice(0, 5))
      if (canonicalJson(spec) !== canonicalize(spec)) throw new Error('canonical JSON differs');
    const canonical = await measure(specs, (spec) => canonicalJson(spec));
    const canonicalPeer = await measure(specs, (spec) => canonicalize(spec));
    const hash = await measure(specs, (spec) => hashSpec(spec));
    let envelopes: SignedSpecEnvelope[] = [];
    const sign = await measure(specs, async (spec) => {
      envelopes.push(await signer.sign(spec, { name: 'bench', platform: 'web', version: 1 }));
    });
    envelopes = envelopes.slice(0, SPECS);
    const verify = await measure(envelopes, async (envelope) => {
      if (!(await verifier.verify(envelope)).ok) throw new Error('did not verify');
    });
    const verifyJs = await measure(envelopes, async (envelope) => {
      if (!(await jsVerifier.verify(envelope)).ok) throw new Error('did not verify');
    });
    const accept = await measure(envelopes, async (envelope) => {
      if (!(await verifier.verify(envelope)).ok || !validateSpec(envelope.spec).valid)
        throw new Error('rejected');
    });
    const payloads = envelopes.map((e) => ({
      payload: specSigningPayload(e),
      signature: Buffer.from(e.signature, 'hex'),
    }));
    const nodeSignOnly = await measure(payloads, ({ payload }) =>
      nodeSign(null, payload, nodePrivate),
    );
    const nodeVerifyOnly = await measure(payloads, ({ payload, signature }) => {
      if (!nodeVerify(null, payload, nodePublic, signature)) throw new Error('node verify failed');
    });

    return [
      ...records('validateSpec', validate, SPECS, notes),
      ...records('ajv + published JSON Schema (peer)', ajv, SPECS, `${notes}; ajv 8, allErrors`),
      ...records('canonical JSON (RFC 8785)', canonical, SPECS, notes),
      ...records(
        'canonicalize package, RFC 8785 (peer)',
        canonicalPeer,
        SPECS,
        `${notes}; the implementation used before`,
      ),
      ...records('hashSpec (RFC 8785 + SHA-256)', hash, SPECS, notes),
      ...records('sign (hash + Ed25519, noble)', sign, SPECS, notes),
      ...records(
        'verify (hash + Ed25519, WebCrypto)',
        verify,
        SPECS,
        `${notes}; the default verifier on Node 20+, browsers, Deno`,
      ),
      ...records(
        'verify (hash + Ed25519, JavaScript fallback)',
        verifyJs,
        SPECS,
        `${notes}; nativeEd25519: false (React Native, old browsers)`,
      ),
      ...records('verify + validate (client accept path)', accept, SPECS, notes),
      ...records(
        'node:crypto Ed25519 sign, payload only (peer)',
        nodeSignOnly,
        SPECS,
        `${notes}; OpenSSL, no hashing`,
      ),
      ...records(
        'node:crypto Ed25519 verify, payload only (peer)',
        nodeVerifyOnly,
        SPECS,
        `${notes}; OpenSSL, no hashing`,
      ),
    ];
  },
  ratios: [
    {
      label: 'validateSpec vs ajv (ops/s)',
      numerator: 'validateSpec (ops/s)',
      denominator: 'ajv + published JSON Schema (peer) (ops/s)',
    },
    {
      label: 'verify incl. hash (WebCrypto) vs OpenSSL verify alone (ops/s)',
      numerator: 'verify (hash + Ed25519, WebCrypto) (ops/s)',
      denominator: 'node:crypto Ed25519 verify, payload only (peer) (ops/s)',
    },
    {
      label: 'verify: WebCrypto vs JavaScript fallback (ops/s)',
      numerator: 'verify (hash + Ed25519, WebCrypto) (ops/s)',
      denominator: 'verify (hash + Ed25519, JavaScript fallback) (ops/s)',
    },
    {
      label: 'canonical JSON vs the canonicalize package (ops/s)',
      numerator: 'canonical JSON (RFC 8785) (ops/s)',
      denominator: 'canonicalize package, RFC 8785 (peer) (ops/s)',
    },
  ],
};

export default suite;
