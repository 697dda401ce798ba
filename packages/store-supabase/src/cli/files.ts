import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { validateSpec } from '@factoredui/core';
import { CliError, type CliIo } from './args.js';
import type { KeyFile } from './commands/keygen.js';

/** Reads and parses a JSON file, with errors that name the file. */
export async function readJsonFile(io: CliIo, file: string, what: string): Promise<unknown> {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(
      code === 'ENOENT'
        ? `${what} ${path} does not exist.`
        : `Could not read ${what} ${path}: ${(error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} ${path} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Writes `text` to `file`; refuses to replace an existing file unless `force`. */
export async function writeOutput(
  io: CliIo,
  file: string,
  text: string,
  force: boolean,
): Promise<string> {
  const path = resolve(io.cwd, file);
  try {
    await writeFile(path, text, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CliError(
      code === 'EEXIST'
        ? `${path} already exists; pass --force to replace it or choose another --out.`
        : `Could not write ${path}: ${(error as Error).message}`,
    );
  }
  return path;
}

/** Throws a CliError listing every validation problem (with its JSON pointer) of `spec`. */
export function assertSpecValid(spec: unknown, source: string): void {
  const result = validateSpec(spec);
  if (result.valid) return;
  const lines = result.errors.map((e) => `  ${e.path || '/'}: ${e.message}`);
  throw new CliError(
    `${source} is not a valid spec (${result.errors.length} problem${
      result.errors.length === 1 ? '' : 's'
    }):\n${lines.join('\n')}`,
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A private key and, when its source names one, its key id. */
export interface LoadedKey {
  privateKey: string;
  keyId?: string;
  source: string;
}

function parseKeyText(text: string, source: string): LoadedKey {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new CliError(`The key in ${source} is not valid JSON: ${(error as Error).message}`);
    }
    const key = parsed as Partial<KeyFile>;
    if (!isObject(parsed) || typeof key.privateKey !== 'string') {
      throw new CliError(
        `The key file ${source} has no "privateKey"; create one with factoredui keygen.`,
      );
    }
    return typeof key.keyId === 'string'
      ? { privateKey: key.privateKey, keyId: key.keyId, source }
      : { privateKey: key.privateKey, source };
  }
  if (trimmed === '') throw new CliError(`The key in ${source} is empty.`);
  return { privateKey: trimmed, source };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Loads a signing key from `--key`: `env:NAME`, a file (a keygen key file or the bare hex or
 * base64url key), or the name of a set environment variable. Without `--key`, from
 * `FACTOREDUI_SIGNING_KEY`.
 */
export async function loadSigningKey(
  io: CliIo,
  option: string | undefined,
  command: string,
): Promise<LoadedKey> {
  if (option === undefined) {
    const value = io.env.FACTOREDUI_SIGNING_KEY;
    if (value === undefined || value === '') {
      throw new CliError(
        'No signing key: pass --key <file|env:NAME> or set FACTOREDUI_SIGNING_KEY (create a key with factoredui keygen).',
        { exitCode: 2, command },
      );
    }
    return parseKeyText(value, 'environment variable FACTOREDUI_SIGNING_KEY');
  }
  if (option.startsWith('env:')) {
    const name = option.slice(4);
    const value = io.env[name];
    if (value === undefined || value === '') {
      throw new CliError(`--key ${option}: environment variable ${name} is not set.`, {
        exitCode: 2,
        command,
      });
    }
    return parseKeyText(value, `environment variable ${name}`);
  }
  const path = resolve(io.cwd, option);
  if (existsSync(path) && statSync(path).isFile()) {
    return parseKeyText(await readFile(path, 'utf8'), path);
  }
  if (ENV_NAME.test(option) && io.env[option]) {
    return parseKeyText(io.env[option] ?? '', `environment variable ${option}`);
  }
  throw new CliError(
    `--key ${option} is neither a file nor a set environment variable (use env:NAME to name a variable).`,
    { exitCode: 2, command },
  );
}
