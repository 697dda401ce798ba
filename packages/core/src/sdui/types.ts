import type { Platform } from '../capture/types.js';
import type { JsonObject } from '../util/json.js';

/** A signed spec as stored and transported. Refined by the SDUI engine. */
export interface SignedSpecEnvelope {
  spec: JsonObject;
  /** Hex SHA-256 of the RFC 8785 canonical JSON of `spec`. */
  spec_hash: string;
  /** Hex Ed25519 signature of `spec_hash`. */
  signature: string;
  signed_at: string;
  key_id: string;
}

/** A stored spec version. */
export interface StoredSpec {
  name: string;
  platform: Platform;
  version: number;
  envelope: SignedSpecEnvelope;
  createdAt: string;
}
