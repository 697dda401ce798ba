import {
  createEd25519Signer,
  getEd25519PublicKey,
  isFactoredError,
  type JsonObject,
  type Platform,
} from '@factoredui/core';
import { CliError, type CommandSpec, stringOption, timeOption } from '../args.js';
import { assertSpecValid, loadSigningKey, readJsonFile, writeOutput } from '../files.js';
import { checkKeyId } from './keygen.js';

/** The default output of `sign spec.json`: `spec.signed.json` next to it. */
export function signedPath(specFile: string): string {
  return specFile.endsWith('.json')
    ? `${specFile.slice(0, -5)}.signed.json`
    : `${specFile}.signed.json`;
}

export const signCommand: CommandSpec = {
  name: 'sign',
  summary:
    'Validate an SDUI spec and write it as a signed envelope (Ed25519 over its canonical JSON hash).',
  positionals: [{ name: 'spec.json', required: true, description: 'The spec to sign.' }],
  options: {
    key: {
      type: 'string',
      value: '<file|env:NAME>',
      description:
        'Private key: a keygen key file, a file or env var with the hex key. Default: $FACTOREDUI_SIGNING_KEY.',
    },
    'key-id': {
      type: 'string',
      value: '<id>',
      description:
        "Key id written into the envelope. Default: the key file's, or $FACTOREDUI_SIGNING_KEY_ID.",
    },
    name: { type: 'string', value: '<name>', description: 'Bind the signature to this spec name.' },
    platform: {
      type: 'string',
      value: '<platform>',
      description: 'Bind the signature to this platform (web, ios...).',
    },
    'signed-at': {
      type: 'string',
      value: '<time>',
      description: 'Signing time (ISO 8601). Default: now.',
    },
    out: {
      type: 'string',
      value: '<file>',
      description: 'Where to write the envelope. Default: <spec>.signed.json.',
    },
    force: { type: 'boolean', description: 'Replace the output file if it exists.' },
  },
  notes: [
    'Example:\n  factoredui sign banner.json --key signing-key.json --name checkout-banner --platform web',
  ],
  async run(io, args) {
    const specFile = args.positionals[0] ?? '';
    const spec = await readJsonFile(io, specFile, 'Spec');
    if (typeof spec === 'object' && spec !== null && 'spec_hash' in spec) {
      throw new CliError(`${specFile} is already a signed envelope; sign the spec itself.`);
    }
    assertSpecValid(spec, specFile);
    const key = await loadSigningKey(io, stringOption(args, 'key'), 'sign');
    const keyIdOption =
      stringOption(args, 'key-id') ?? key.keyId ?? io.env.FACTOREDUI_SIGNING_KEY_ID;
    if (!keyIdOption) {
      throw new CliError(
        'Missing --key-id (the key source names none and FACTOREDUI_SIGNING_KEY_ID is not set).',
        {
          exitCode: 2,
          command: 'sign',
        },
      );
    }
    const keyId = checkKeyId(keyIdOption, 'sign');
    const signedAt = timeOption(args, 'signed-at', 'sign');
    const name = stringOption(args, 'name');
    const platform = stringOption(args, 'platform') as Platform | undefined;
    let envelope: Awaited<ReturnType<ReturnType<typeof createEd25519Signer>['sign']>>;
    let publicKey: string;
    try {
      const signer = createEd25519Signer({ privateKey: key.privateKey, keyId });
      publicKey = getEd25519PublicKey(key.privateKey);
      envelope = await signer.sign(spec as JsonObject, {
        ...(name !== undefined ? { name } : {}),
        ...(platform !== undefined ? { platform } : {}),
        ...(signedAt !== undefined ? { signedAt } : {}),
      });
    } catch (error) {
      if (isFactoredError(error))
        throw new CliError(`Cannot sign with the key from ${key.source}: ${error.message}`);
      throw error;
    }
    const out = await writeOutput(
      io,
      stringOption(args, 'out') ?? signedPath(specFile),
      `${JSON.stringify(envelope, null, 2)}\n`,
      args.values.force === true,
    );
    io.stdout(
      [
        `Signed ${specFile} -> ${out}`,
        `spec_hash:  ${envelope.spec_hash}`,
        `key id:     ${envelope.key_id}`,
        `public key: ${publicKey}`,
        '',
      ].join('\n'),
    );
  },
};
