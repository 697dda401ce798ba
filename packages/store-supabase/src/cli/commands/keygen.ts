import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateEd25519Keypair } from '@factoredui/core';
import { CliError, type CommandSpec, stringOption } from '../args.js';

/** A key file as written by `factoredui keygen --out` and read by `factoredui sign --key`. */
export interface KeyFile {
  keyId: string;
  algorithm: 'ed25519';
  /** 32-byte seed, hex. Secret. */
  privateKey: string;
  /** 32-byte public key, hex. */
  publicKey: string;
  createdAt: string;
}

const KEY_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

/** `YYYY-MM-<8 hex of sha256(public key)>`: sortable by month, unique per key. */
export function defaultKeyId(publicKeyHex: string, now = new Date()): string {
  const fingerprint = createHash('sha256').update(Buffer.from(publicKeyHex, 'hex')).digest('hex');
  return `${now.toISOString().slice(0, 7)}-${fingerprint.slice(0, 8)}`;
}

/** Checks a key id given on the command line. */
export function checkKeyId(keyId: string, command: string): string {
  if (!KEY_ID.test(keyId)) {
    throw new CliError(
      `Key id "${keyId}" is invalid: use 1-64 letters, digits, ".", "_", ":" or "-".`,
      { exitCode: 2, command },
    );
  }
  return keyId;
}

export const keygenCommand: CommandSpec = {
  name: 'keygen',
  summary: 'Generate an Ed25519 key pair for signing SDUI specs, with its key id.',
  positionals: [],
  options: {
    'key-id': {
      type: 'string',
      value: '<id>',
      description: 'Key id to record (default: YYYY-MM-<fingerprint>).',
    },
    out: {
      type: 'string',
      value: '<file>',
      description: 'Write the key file here (mode 600, never overwritten) instead of stdout.',
    },
  },
  notes: [
    'Keep the private key on the server or in CI secrets; give clients the public key:\n' +
      "  createEd25519Verifier({ '<key id>': '<public key>' })",
  ],
  async run(io, args) {
    const { privateKey, publicKey } = await generateEd25519Keypair();
    const requested = stringOption(args, 'key-id');
    const keyId = requested ? checkKeyId(requested, 'keygen') : defaultKeyId(publicKey);
    const key: KeyFile = {
      keyId,
      algorithm: 'ed25519',
      privateKey,
      publicKey,
      createdAt: new Date().toISOString(),
    };
    const out = stringOption(args, 'out');
    if (out === undefined) {
      io.stdout(`${JSON.stringify(key, null, 2)}\n`);
      return;
    }
    const path = resolve(io.cwd, out);
    try {
      await writeFile(path, `${JSON.stringify(key, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new CliError(
        code === 'EEXIST'
          ? `${path} already exists; keygen never overwrites a key. Choose another --out.`
          : `Could not write ${path}: ${(error as Error).message}`,
      );
    }
    io.stdout(
      [
        `Wrote private key ${path} (keep it secret).`,
        `key id:     ${keyId}`,
        `public key: ${publicKey}`,
        '',
        `Sign:   factoredui sign spec.json --key ${out}`,
        `Verify: createEd25519Verifier({ '${keyId}': '${publicKey}' })`,
        '',
      ].join('\n'),
    );
  },
};
