/**
 * `@factoredui/core/openfeature`: an OpenFeature web provider backed by the FactoredUI flag
 * client, so teams on the vendor-neutral API adopt FactoredUI without touching call sites.
 * Requires the optional peer dependency `@openfeature/web-sdk`.
 *
 * ```ts
 * import { OpenFeature } from '@openfeature/web-sdk';
 * import { FactoredUIProvider } from '@factoredui/core/openfeature';
 *
 * await OpenFeature.setProviderAndWait(new FactoredUIProvider({ store, capture }), {
 *   targetingKey: userId,
 * });
 * const copy = OpenFeature.getClient().getStringValue('checkout-button-copy', 'control');
 * ```
 *
 * @packageDocumentation
 */
import {
  ErrorCode,
  type EvaluationContext,
  OpenFeatureEventEmitter,
  type JsonValue as OpenFeatureJsonValue,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  StandardResolutionReasons,
  type TrackingEventDetails,
} from '@openfeature/web-sdk';
import { type EventProperties, eventNameProblem } from '../capture/custom.js';
import type { Platform } from '../capture/types.js';
import {
  createFlagClient,
  type FlagClient,
  type FlagContext,
  type SerializedFlagState,
} from '../experiments/client.js';
import type { DeviceMetadata, FlagEvaluation } from '../experiments/types.js';
import type { FactoredStore } from '../store/contract.js';
import { isJsonValue, type JsonObject } from '../util/json.js';

/** Options of {@link FactoredUIProvider}. */
export interface FactoredUIProviderOptions {
  /** The store flags are read from and assignments/exposures written to. */
  store: FactoredStore;
  /** An existing flag client to share (e.g. with `@factoredui/react`); not destroyed on close. */
  client?: FlagClient;
  /** Platform for targeting and platform lists (default: `platform` from the context). */
  platform?: Platform;
  /** Device metadata for targeting; evaluation-context attributes are layered on top. */
  metadata?: DeviceMetadata;
  /** Bootstrap state from a server render (see `serializeFlagState`). */
  bootstrap?: SerializedFlagState;
  /** Re-read interval of the flag client (default 60 s). */
  ttlMs?: number;
  /** Session id for exposure de-duplication (pass `capture.getSessionId`). */
  sessionId?: string | (() => string);
  /**
   * Records `track()` calls as custom events: a capture handle, called as
   * `track(name, properties)` with the numeric details (`value` and any other number whose key
   * is a valid property name); non-numeric details are left out. Or `track`, for everything.
   */
  capture?: { track(name: string, properties?: EventProperties): unknown };
  /** ...or any callback. Called with the event name and the JSON-safe details. */
  track?: (name: string, payload: JsonObject) => void;
}

type FlagType = 'boolean' | 'string' | 'number' | 'object';

function toPayload(
  details: TrackingEventDetails | undefined,
  context: EvaluationContext,
): JsonObject {
  const payload: JsonObject = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    const json = value instanceof Date ? value.toISOString() : value;
    if (isJsonValue(json)) payload[key] = json;
  }
  if (typeof context.targetingKey === 'string') payload.targetingKey = context.targetingKey;
  return payload;
}

function numericDetails(details: TrackingEventDetails | undefined): EventProperties {
  const properties: Record<string, number> = {};
  for (const [key, value] of Object.entries(details ?? {})) {
    if (typeof value === 'number' && Number.isFinite(value) && !eventNameProblem(key, 'property'))
      properties[key] = value;
  }
  return properties;
}

function contextOverrides(
  context: EvaluationContext,
  options: FactoredUIProviderOptions,
): FlagContext | undefined {
  const { targetingKey: _ignored, ...attributes } = context;
  if (Object.keys(attributes).length === 0) return undefined;
  const platform = typeof attributes.platform === 'string' ? attributes.platform : options.platform;
  return {
    ...(platform !== undefined ? { platform } : {}),
    metadata: { ...options.metadata, ...attributes },
  };
}

/**
 * OpenFeature web provider (static-context paradigm): resolves synchronously from a FactoredUI
 * flag client. A flag key is an experiment name.
 *
 * - `targetingKey` is the user id (switching it reloads that user's assignments); without one,
 *   the store's own user is used.
 * - Values: a variant's `config.value`, when present, is the flag value (its type must match
 *   the call, else `TYPE_MISMATCH`). Otherwise string flags resolve to the variant key, boolean
 *   flags to `variantKey !== 'control'`, object flags to the variant's config; number flags
 *   need `config.value`.
 * - Reasons: `SPLIT` (bucketed), `TARGETING_MATCH` (bucketed after targeting/platform rules
 *   matched), `STATIC` (a concluded experiment's winner), `DEFAULT` (not enrolled: the default
 *   value). Unknown flags give `FLAG_NOT_FOUND`.
 * - Exposure is recorded once per user, experiment and variant (and the store keeps one per
 *   session); `track()` is recorded as a capture event through `capture` or `track`.
 */
export class FactoredUIProvider implements Provider {
  /** Provider metadata shown by OpenFeature. */
  readonly metadata = { name: 'FactoredUI' } as const;
  /** This provider runs in the browser (static context). */
  readonly runsOn = 'client' as const;
  /** Emits `ConfigurationChanged` when definitions or assignments change. */
  readonly events = new OpenFeatureEventEmitter();
  /** The flag client resolutions read from. */
  readonly client: FlagClient;

  private readonly options: FactoredUIProviderOptions;
  private readonly ownsClient: boolean;
  private readonly exposed = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  private lastVersion = -1;

  constructor(options: FactoredUIProviderOptions) {
    this.options = options;
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      createFlagClient({
        store: options.store,
        ...(options.platform !== undefined ? { platform: options.platform } : {}),
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
        ...(options.bootstrap !== undefined ? { bootstrap: options.bootstrap } : {}),
        ...(options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {}),
        ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
        ...(options.bootstrap?.userId !== undefined ? { userId: options.bootstrap.userId } : {}),
      });
  }

  /** Loads flags for the context's `targetingKey` (or the store's user). */
  async initialize(context?: EvaluationContext): Promise<void> {
    await this.useContext(context);
    this.lastVersion = this.client.getSnapshot().version;
    this.unsubscribe ??= this.client.subscribe(() => {
      const { version, status } = this.client.getSnapshot();
      if (status === 'ready' && version !== this.lastVersion) {
        this.lastVersion = version;
        this.events.emit(ProviderEvents.ConfigurationChanged);
      }
    });
  }

  /** Reloads for a new `targetingKey`; other context changes need no reload. */
  async onContextChange(_old: EvaluationContext, next: EvaluationContext): Promise<void> {
    await this.useContext(next);
  }

  /** Stops the flag client (unless it was passed in). */
  async onClose(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.ownsClient) this.client.destroy();
  }

  /** Resolves a boolean flag (see the class documentation for the value mapping). */
  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): ResolutionDetails<boolean> {
    return this.resolve(flagKey, defaultValue, context, 'boolean');
  }

  /** Resolves a string flag: `config.value` or the variant key. */
  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): ResolutionDetails<string> {
    return this.resolve(flagKey, defaultValue, context, 'string');
  }

  /** Resolves a number flag from `config.value`. */
  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): ResolutionDetails<number> {
    return this.resolve(flagKey, defaultValue, context, 'number');
  }

  /** Resolves an object flag: `config.value` or the whole variant config. */
  resolveObjectEvaluation<T extends OpenFeatureJsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): ResolutionDetails<T> {
    return this.resolve(flagKey, defaultValue, context, 'object');
  }

  /** Records `track(name, details)` as a capture event. */
  track(
    trackingEventName: string,
    context: EvaluationContext,
    details: TrackingEventDetails,
  ): void {
    if (this.options.track) this.options.track(trackingEventName, toPayload(details, context));
    else this.options.capture?.track(trackingEventName, numericDetails(details));
  }

  private async useContext(context: EvaluationContext | undefined): Promise<void> {
    const targetingKey = context?.targetingKey;
    if (typeof targetingKey === 'string' && targetingKey.length > 0) {
      if (this.client.getSnapshot().userId !== targetingKey) {
        this.exposed.clear();
        await this.client.setUser(targetingKey);
        return;
      }
    }
    await this.client.ready();
  }

  private resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    type: FlagType,
  ): ResolutionDetails<T> {
    const snapshot = this.client.getSnapshot();
    if (
      typeof context.targetingKey === 'string' &&
      snapshot.userId !== null &&
      context.targetingKey !== snapshot.userId
    ) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.INVALID_CONTEXT,
        errorMessage: `flags are loaded for ${snapshot.userId}, not ${context.targetingKey}; change the context with OpenFeature.setContext.`,
      };
    }
    const evaluation = this.client.evaluate(flagKey, contextOverrides(context, this.options));
    if (evaluation.cause === 'loading') {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.PROVIDER_NOT_READY,
      };
    }
    if (evaluation.cause === 'unknown_flag') {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
        errorMessage: `no experiment named "${flagKey}" is running, concluded or stopped.`,
      };
    }
    const flagMetadata: Record<string, string> = evaluation.experimentId
      ? { experimentId: evaluation.experimentId }
      : {};
    if (evaluation.variantKey === null) {
      return { value: defaultValue, reason: StandardResolutionReasons.DEFAULT, flagMetadata };
    }
    const value = flagValue(evaluation, type);
    if (value === undefined) {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.TYPE_MISMATCH,
        errorMessage: `variant "${evaluation.variantKey}" of "${flagKey}" has no ${type} value; set config.value.`,
        flagMetadata,
      };
    }
    if (evaluation.inExperiment) this.expose(evaluation);
    return {
      value: value as T,
      variant: evaluation.variantKey,
      reason: evaluation.reason,
      flagMetadata,
    };
  }

  private expose(evaluation: FlagEvaluation): void {
    const key = `${evaluation.experimentId}\u0000${evaluation.variantKey}`;
    if (this.exposed.has(key)) return;
    this.exposed.add(key);
    this.client.recordExposure(evaluation).catch(() => {
      // Let a later resolution try again.
      this.exposed.delete(key);
    });
  }
}

function flagValue(evaluation: FlagEvaluation, type: FlagType): unknown {
  const config = evaluation.config ?? {};
  const explicit = config.value;
  if (explicit !== undefined) {
    if (type === 'object')
      return typeof explicit === 'object' && explicit !== null ? explicit : undefined;
    return typeof explicit === type ? explicit : undefined;
  }
  switch (type) {
    case 'string':
      return evaluation.variantKey;
    case 'boolean':
      return evaluation.variantKey !== 'control';
    case 'object':
      return config;
    default:
      return undefined;
  }
}
