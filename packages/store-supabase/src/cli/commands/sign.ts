import {
  createEd25519Signer,
  getEd25519PublicKey,
  isFactoredError,
  type JsonObject,
  LIMITS,
  type Platform,
  specNameProblem,
  specVersionProblem,
} from '@factoredui/core';
import { CliError, type CommandSpec, requireOption, stringOption, timeOption } from '../args.js';
import { assertSpecValid, loadSigningKey, readJsonFile, writeOutput } from '../files.js';
import { checkKeyId } from './keygen.js';

/** The default output of `sign spec.json`: `spec.signed.json` next to it. */
export function signedPath(specFile: string): string {
  return specFile.endsWith('.json')
    ? `${specFile.slice(0, -5)}.signed.json`
    : `${specFile}.signed.json`;
}

/** `--version` as a spec version (an integer from 1 to LIMITS.specVersionMax). */
function parseVersion(text: string): number {
  const version = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  const problem = specVersionProblem(version);
  if (problem)
    throw new CliError(`--version "${text}": ${problem.replace(/, got .*$/, '')}.`, {
      exitCode: 2,
      command: 'sign',
    });
  return version;
}

export const signCommand: CommandSpec = {
  name: 'sign',
  summary:
    'Validate an SDUI spec and write it as a signed envelope bound to its name, platform and version.',
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
    name: {
      type: 'string',
      value: '<name>',
      description: 'Required. The spec name (slot) the signature is bound to.',
    },
    platform: {
      type: 'string',
      value: '<platform>',
      description: 'Required. The platform the signature is bound to (web, ios...).',
    },
    version: {
      type: 'string',
      value: '<n>',
      description: `Required. The version the signature is bound to: an integer from 1 to ${LIMITS.specVersionMax}, above every version already published for (name, platform).`,
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
    'The name, platform and version are signed: clients refuse the envelope in any other slot, and never accept a lower version after seeing a higher one.',
    'Example:\n  factoredui sign banner.json --key signing-key.json --name checkout-banner --platform web --version 3',
  ],
  async run(io, args) {
    // The binding is checked first: nothing is read or signed for an unbound envelope.
    const name = requireOption(args, 'name', 'sign');
    const platform = requireOption(args, 'platform', 'sign') as Platform;
    const version = parseVersion(requireOption(args, 'version', 'sign'));
    const nameProblem = specNameProblem(name);
    if (nameProblem)
      throw new CliError(`--name: ${nameProblem}.`, { exitCode: 2, command: 'sign' });
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
    let envelope: Awaited<ReturnType<ReturnType<typeof createEd25519Signer>['sign']>>;
    let publicKey: string;
    try {
      const signer = createEd25519Signer({ privateKey: key.privateKey, keyId });
      publicKey = getEd25519PublicKey(key.privateKey);
      envelope = await signer.sign(spec as JsonObject, {
        name,
        platform,
        version,
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
        `slot:       ${envelope.name} (${envelope.platform}) version ${envelope.version}`,
        `spec_hash:  ${envelope.spec_hash}`,
        `key id:     ${envelope.key_id}`,
        `public key: ${publicKey}`,
        '',
      ].join('\n'),
    );
  },
};
