/**
 * The SDUI engine (DESIGN §8): spec format and JSON Schema, validation, bindings, actions,
 * signing and verification, spec loading with fail-closed fallback, and data sources.
 *
 * @packageDocumentation
 */
export {
  type ActionContext,
  type ActionDispatchResult,
  type ActionHandler,
  type ActionHandlers,
  type DispatchActionOptions,
  dispatchAction,
} from './actions.js';
export {
  BINDING_PATH_SOURCE,
  BINDING_REF_SOURCE,
  type BindingScope,
  createItemScope,
  isBindingRef,
  isValidTemplate,
  resolveBinding,
  resolveProps,
  resolveTextWithBindings,
  resolveValue,
  resolveVisibility,
  TEMPLATE_SOURCE,
} from './bindings.js';
export {
  buildFactorDashboardSpec,
  type ComponentFactorRow,
  type ComponentFactorsData,
  componentFactorSource,
  type FactorDashboardOptions,
  type FactorHistoryRow,
  type FactorLabels,
  type FactorRow,
  type FactorSourceOptions,
  factorHistorySource,
  factorLabel,
  factorSource,
  formatFactorValue,
} from './factor-sources.js';
export {
  type LoadedSpec,
  type LoadSpecOptions,
  loadCachedSpec,
  loadSpec,
  type SpecRejection,
  type SpecRejectionReason,
  type SpecSource,
} from './loader.js';
export {
  type ChildrenPolicy,
  COMMON_PROPS,
  isNodeType,
  NODE_TYPE_DEFINITIONS,
  NODE_TYPES,
  type NodeType,
  type NodeTypeDefinition,
  type PropDefinition,
  type PropKind,
} from './node-types.js';
export { nextSpecVersion, type PublishSpecOptions, publishSpec } from './publish.js';
export { buildSpecJsonSchema, type JsonSchema, SPEC_JSON_SCHEMA } from './schema.js';
export {
  bytesToBase64url,
  canonicalJson,
  createDevSpecSigner,
  createEd25519Signer,
  createEd25519Verifier,
  DEV_KEY_ID,
  decodeKey,
  devSignatureVerifier,
  type Ed25519Keypair,
  type Ed25519PublicKeys,
  type Ed25519SignerOptions,
  envelopeProblem,
  generateEd25519Keypair,
  getEd25519PublicKey,
  hashSpec,
  type SignSpecOptions,
  SPEC_SIGNATURE_DOMAIN,
  type SpecSigner,
  type SpecSigningFields,
  type SpecVerification,
  type SpecVerificationFailure,
  type SpecVerifier,
  specSigningPayload,
  specVersionProblem,
  unboundEnvelopeProblem,
} from './signing.js';
export {
  type DataSource,
  type DataSourceContext,
  type DataSourceRegistry,
  type ResolvedSources,
  type ResolveSourcesOptions,
  resolveAllSources,
  type SourceResult,
} from './sources.js';
export {
  createSpecLoader,
  type SpecLoader,
  type SpecLoaderOptions,
  type SpecLoaderSnapshot,
} from './spec-loader.js';
export {
  type CachedSourceValue,
  type CachedSpec,
  createDataSourceCache,
  createSpecStorage,
  type DataSourceCache,
  type SpecStorage,
} from './storage.js';
export {
  type BindingRef,
  MAX_SPEC_DEPTH,
  type NodeProps,
  RENDERER_VERSION,
  type SignedSpecEnvelope,
  SPEC_VERSION,
  type Spec,
  type SpecAction,
  type SpecChildrenField,
  type SpecItemTemplateField,
  type SpecNode,
  type SpecNodeBase,
  type SpecNodeOf,
  type StoredSpec,
} from './types.js';
export {
  ACTION_NAME_PATTERN,
  assertSpecSlot,
  assertValidSpec,
  NODE_ID_PATTERN,
  type SpecErrorCode,
  type SpecValidationError,
  type SpecValidationResult,
  specNameProblem,
  TREE_RULES,
  type ValidateSpecOptions,
  validateSpec,
} from './validate.js';
