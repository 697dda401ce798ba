import {
  createEd25519Verifier,
  envelopeProblem,
  hashSpec,
  isFactoredError,
  type Platform,
  type SignedSpecEnvelope,
} from '@factoredui/core';
import { CliError, type CliIo, type CommandSpec, stringOption } from '../args.js';
import { CONNECTION_NOTE, CONNECTION_OPTIONS, withStore } from '../connect.js';
import { assertSpecValid, readJsonFile } from '../files.js';

async function loadPublicKeys(
  io: CliIo,
  option: string,
  envelopeKeyId: string,
): Promise<Record<string, string>> {
  if (/^[0-9a-fA-F]{64}$/.test(option)) return { [envelopeKeyId]: option };
  const file = (await readJsonFile(io, option, 'Public key file')) as Record<string, unknown>;
  if (typeof file.publicKey === 'string' && typeof file.keyId === 'string') {
    return { [file.keyId]: file.publicKey };
  }
  throw new CliError(
    `--public-key ${option} must be a 64-character hex key or a keygen key file with keyId and publicKey.`,
    { exitCode: 2, command: 'publish' },
  );
}

/**
 * Checks an envelope before it is stored: well-formed, hash matching the spec, a valid spec,
 * and (with a public key) a valid signature. A store keeps every version forever, so a bad one
 * is refused here rather than discovered by clients that fail closed.
 */
async function checkEnvelope(
  io: CliIo,
  envelope: unknown,
  file: string,
  publicKey: string | undefined,
): Promise<SignedSpecEnvelope> {
  const problem = envelopeProblem(envelope);
  if (problem) {
    throw new CliError(
      `${file} is not a signed envelope (${problem}); sign the spec first with factoredui sign --name --platform --version.`,
    );
  }
  const signed = envelope as SignedSpecEnvelope;
  if (hashSpec(signed.spec) !== signed.spec_hash) {
    throw new CliError(
      `${file}: spec_hash does not match the spec (was it edited after signing?); sign it again.`,
    );
  }
  assertSpecValid(signed.spec, `The spec in ${file}`);
  if (publicKey !== undefined) {
    const keys = await loadPublicKeys(io, publicKey, signed.key_id);
    const result = await createEd25519Verifier(keys).verify(signed);
    if (!result.ok) throw new CliError(`${file} failed verification: ${result.message}`);
  }
  return signed;
}

export const publishCommand: CommandSpec = {
  name: 'publish',
  summary:
    'Store a signed spec under the version it was signed as, and make it active (it must be above every published version).',
  positionals: [
    {
      name: 'envelope.json',
      required: true,
      description: 'A signed envelope (output of factoredui sign).',
    },
  ],
  options: {
    name: {
      type: 'string',
      value: '<name>',
      description:
        'Spec name. Default (and the only value accepted): the name the envelope is signed for.',
    },
    platform: {
      type: 'string',
      value: '<platform>',
      description: "Platform (web, ios...). Default (and the only value accepted): the envelope's.",
    },
    'public-key': {
      type: 'string',
      value: '<hex|file>',
      description:
        'Verify the signature with this public key (hex, or a keygen key file) before storing.',
    },
    ...CONNECTION_OPTIONS,
    json: { type: 'boolean', description: 'Print the stored version as JSON.' },
  },
  notes: [CONNECTION_NOTE],
  async run(io, args) {
    const file = args.positionals[0] ?? '';
    const envelope = await checkEnvelope(
      io,
      await readJsonFile(io, file, 'Envelope'),
      file,
      stringOption(args, 'public-key'),
    );
    const name = stringOption(args, 'name') ?? envelope.name;
    const platform = (stringOption(args, 'platform') ?? envelope.platform) as Platform | undefined;
    if (!name)
      throw new CliError('Missing option --name (the envelope is not bound to a name).', {
        exitCode: 2,
        command: 'publish',
      });
    if (!platform) {
      throw new CliError('Missing option --platform (the envelope is not bound to a platform).', {
        exitCode: 2,
        command: 'publish',
      });
    }
    if (envelope.name !== name) {
      throw new CliError(
        `The envelope is signed for name "${envelope.name}", not "${name}"; clients would refuse it.`,
      );
    }
    if (envelope.platform !== platform) {
      throw new CliError(
        `The envelope is signed for platform "${envelope.platform}", not "${platform}"; clients would refuse it.`,
      );
    }
    await withStore(io, args, async ({ store, describe }) => {
      try {
        const saved = await store.saveSpec({ name, platform, envelope });
        const active = await store.activateSpec({ name, platform, version: saved.version });
        if (args.values.json) io.stdout(`${JSON.stringify(active, null, 2)}\n`);
        else
          io.stdout(
            `Published ${name} (${platform}) version ${active.version}, now active, to ${describe}.\n`,
          );
      } catch (error) {
        if (isFactoredError(error))
          throw new CliError(
            `Publishing ${name} (${platform}) failed [${error.code}]: ${error.message}`,
          );
        throw error;
      }
    });
  },
};
