import {
  assertSpecSlot,
  envelopeProblem,
  FactoredError,
  type SpecCapability,
  type StoredSpec,
} from '@factoredui/core';
import type { Access } from '../access.js';
import type { MemoryContext } from '../context.js';
import { key } from '../database.js';

const clone = <T>(value: T): T => structuredClone(value);

function assertCanRead(access: Access, operation: string): void {
  if (access.identity.role === 'anon') {
    throw new FactoredError(
      'unauthorized',
      `${operation}: specs are readable by authenticated users only.`,
    );
  }
}

function assertVersion(version: unknown): asserts version is number {
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new FactoredError(
      'invalid_input',
      `version must be a whole number >= 1, got ${JSON.stringify(version)}.`,
    );
  }
}

/** Immutable spec versions per (name, platform) with an active pointer. */
export function specsCapability({ db, access: getAccess }: MemoryContext): SpecCapability {
  const versionsOf = (name: string, platform: string) => db.tables.specs.get(key(name, platform));
  const find = (name: string, platform: string, version: number): StoredSpec => {
    const stored = versionsOf(name, platform)?.find((s) => s.version === version);
    if (!stored) {
      throw new FactoredError(
        'not_found',
        `spec "${name}" (${platform}) has no version ${version}; list versions with listSpecVersions.`,
      );
    }
    return stored;
  };

  return {
    async saveSpec({ name, platform, envelope }) {
      const access = await getAccess();
      access.assertService('saveSpec');
      assertSpecSlot(name, platform);
      const problem = envelopeProblem(envelope);
      if (problem) throw new FactoredError('invalid_input', `saveSpec: ${problem}.`);
      if (envelope.name !== name || envelope.platform !== platform)
        throw new FactoredError(
          'invalid_input',
          `saveSpec: the envelope is signed for "${envelope.name}" (${envelope.platform}), not "${name}" (${platform}); a store never relabels a spec.`,
        );
      const version = envelope.version;
      return clone(
        db.write(
          'specs',
          (tables) => {
            const slot = key(name, platform);
            const versions = tables.specs.get(slot) ?? [];
            const latest = versions.at(-1)?.version ?? 0;
            if (version <= latest)
              throw new FactoredError(
                'conflict',
                `saveSpec: "${name}" (${platform}) already has version ${latest}; sign the spec as version ${latest + 1} or higher.`,
                { details: { latestVersion: latest } },
              );
            const stored: StoredSpec = {
              name,
              platform,
              version,
              envelope: clone(envelope),
              createdAt: new Date().toISOString(),
            };
            tables.specs.set(slot, [...versions, stored]);
            return stored;
          },
          name,
        ),
      );
    },

    async activateSpec({ name, platform, version }) {
      const access = await getAccess();
      access.assertService('activateSpec');
      assertSpecSlot(name, platform);
      assertVersion(version);
      const stored = find(name, platform, version);
      const slot = key(name, platform);
      if (db.tables.activeSpecs.get(slot) !== version) {
        db.write('specs', (tables) => tables.activeSpecs.set(slot, version), name);
      }
      return clone(stored);
    },

    async getActiveSpec({ name, platform }) {
      assertCanRead(await getAccess(), 'getActiveSpec');
      assertSpecSlot(name, platform);
      const version = db.tables.activeSpecs.get(key(name, platform));
      return version === undefined ? null : clone(find(name, platform, version));
    },

    async getSpec({ name, platform, version }) {
      assertCanRead(await getAccess(), 'getSpec');
      assertSpecSlot(name, platform);
      assertVersion(version);
      return clone(find(name, platform, version));
    },

    async listSpecVersions({ name, platform }) {
      assertCanRead(await getAccess(), 'listSpecVersions');
      assertSpecSlot(name, platform);
      return clone(versionsOf(name, platform) ?? []);
    },
  };
}
