/**
 * Compatibility with FactoredUI 0.5.1 (DESIGN §21): converters for 0.5 data. Pure functions,
 * tree-shaken from bundles that do not import them.
 */
export { type ConvertedSpec, convertSpecFrom05 } from './spec-05.js';
