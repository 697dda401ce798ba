import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateEd25519Keypair, getEd25519PublicKey } from '@factoredui/core';
import { CliError, type CliIo, type CommandSpec, stringOption } from '../args.js';

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

/** The DER header of an Ed25519 PKCS#8 private key (0.5.1 exported keys this way, base64). */
const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420';

/**
 * The 32-byte seed (hex) of a private key to import: a 0.5.1 key (base64 of PKCS#8, as its
 * `keygen` printed it), base64 of the raw 32-byte seed, or 64 hex characters.
 */
export function importedSeed(text: string): string {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(value)) {
    const hex = Buffer.from(value, 'base64').toString('hex');
    if (hex.length === 96 && hex.startsWith(PKCS8_ED25519_PREFIX)) return hex.slice(32);
    if (hex.length === 64) return hex;
  }
  throw new CliError(
    '--import: not an Ed25519 private key. Give the private key FactoredUI 0.5.1 printed (base64 of PKCS#8, 64 characters), base64 of a 32-byte seed, or 64 hex characters.',
    { exitCode: 2, command: 'keygen' },
  );
}

async function importText(io: CliIo, option: string): Promise<string> {
  if (option.startsWith('env:')) {
    const value = io.env[option.slice(4)];
    if (!value) {
      throw new CliError(
        `--import ${option}: environment variable ${option.slice(4)} is not set.`,
        {
          exitCode: 2,
          command: 'keygen',
        },
      );
    }
    return value;
  }
  const path = resolve(io.cwd, option);
  if (existsSync(path) && statSync(path).isFile()) return readFile(path, 'utf8');
  return option;
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
    import: {
      type: 'string',
      value: '<key|file|env:NAME>',
      description:
        'Import an existing private key instead of generating one: a FactoredUI 0.5.1 key (base64 PKCS#8), base64 of a 32-byte seed, or hex.',
    },
  },
  notes: [
    'From FactoredUI 0.5.1: `factoredui keygen --import env:OLD_PRIVATE_KEY --out key.json` keeps your\n' +
      'key; 0.5.1 gave clients the public key in base64, now they take the hex one printed here.',
    'Keep the private key on the server or in CI secrets; give clients the public key:\n' +
      "  createEd25519Verifier({ '<key id>': '<public key>' })",
  ],
  async run(io, args) {
    const imported = stringOption(args, 'import');
    let privateKey: string;
    let publicKey: string;
    if (imported === undefined) ({ privateKey, publicKey } = await generateEd25519Keypair());
    else {
      privateKey = importedSeed(await importText(io, imported));
      publicKey = getEd25519PublicKey(privateKey);
    }
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
