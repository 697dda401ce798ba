import {
  createDevSpecSigner,
  createEd25519Signer,
  createEd25519Verifier,
  FactoredError,
  generateEd25519Keypair,
  type JsonObject,
  nextSpecVersion,
  publishSpec,
  type SignedSpecEnvelope,
} from '@factoredui/core';
import { createMemoryDatabase, createMemoryStore } from '@factoredui/store-memory';
import { describe, expect, it } from 'vitest';

const SECRET = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const signer = createEd25519Signer({ privateKey: SECRET, keyId: 'k1' });
const verifier = createEd25519Verifier({ k1: PUBLIC });
const GREETING = { name: 'greeting', platform: 'web', version: 1 } as const;
const spec: JsonObject = {
  spec_version: 1,
  renderer_min: 1,
  root: { id: 'hello', type: 'text', props: { content: 'Hello' } },
};

function stores() {
  const database = createMemoryDatabase();
  return {
    service: createMemoryStore({ database, role: 'service' }),
    user: createMemoryStore({ database, userId: 'u1' }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<FactoredError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FactoredError);
  return error as FactoredError;
}

describe('publishSpec', () => {
  it('saves and activates a verified, valid spec', async () => {
    const { service, user } = stores();
    const envelope = await signer.sign(spec, GREETING);
    const stored = await publishSpec(service, {
      name: 'greeting',
      platform: 'web',
      envelope,
      verifier,
    });
    expect(stored.version).toBe(1);
    expect((await user.getActiveSpec({ name: 'greeting', platform: 'web' }))?.version).toBe(1);
    const second = await publishSpec(service, {
      name: 'greeting',
      platform: 'web',
      envelope: await signer.sign(spec, {
        ...GREETING,
        version: await nextSpecVersion(service, GREETING),
      }),
      activate: false,
    });
    expect(second.version).toBe(2);
    expect((await user.getActiveSpec({ name: 'greeting', platform: 'web' }))?.version).toBe(1);
  });

  it('refuses what clients would refuse, and stores nothing', async () => {
    const { service } = stores();
    const other = await generateEd25519Keypair();
    const cases = [
      {
        code: 'verification_failed',
        envelope: await createEd25519Signer({ privateKey: other.privateKey, keyId: 'k1' }).sign(
          spec,
          GREETING,
        ),
      },
      { code: 'verification_failed', envelope: await createDevSpecSigner().sign(spec, GREETING) },
      {
        code: 'invalid_input',
        envelope: await signer.sign(spec, { ...GREETING, name: 'elsewhere' }),
      },
      {
        code: 'invalid_input',
        envelope: await signer.sign(spec, { ...GREETING, platform: 'ios' }),
      },
      {
        code: 'invalid_input',
        envelope: await signer.sign(
          { ...spec, root: { id: 'x', type: 'text', props: {} } },
          GREETING,
        ),
      },
      {
        code: 'invalid_input',
        envelope: { ...(await signer.sign(spec, GREETING)), spec_hash: 'bad' },
      },
      {
        // Unbound (the FactoredUI 0.5 format): refused before anything else, with the fix.
        code: 'invalid_input',
        envelope: (({ name: _n, platform: _p, version: _v, ...rest }) => rest)(
          await signer.sign(spec, GREETING),
        ),
      },
    ];
    for (const { code, envelope } of cases) {
      const error = await rejection(
        publishSpec(service, {
          name: 'greeting',
          platform: 'web',
          envelope: envelope as SignedSpecEnvelope,
          verifier,
        }),
      );
      expect(error.code).toBe(code);
    }
    expect(await service.listSpecVersions({ name: 'greeting', platform: 'web' })).toEqual([]);
  });

  it('needs the service role', async () => {
    const { user } = stores();
    const error = await rejection(
      publishSpec(user, {
        name: 'greeting',
        platform: 'web',
        envelope: await signer.sign(spec, GREETING),
      }),
    );
    expect(error.code).toBe('unauthorized');
  });
});
