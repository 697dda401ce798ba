import { FactoredError } from '../errors.js';
import type { Experiment, ExperimentLayer } from './types.js';

/** True when two layer slices are in the same layer and share a bucket. */
export function layersOverlap(a: ExperimentLayer, b: ExperimentLayer): boolean {
  return a.name === b.name && a.start < b.end && b.start < a.end;
}

/**
 * The draft or running experiment (other than `exceptId`) whose slice of `layer` overlaps it,
 * if any: what a store checks, atomically with the write, before storing a layer slice.
 * Concluded and stopped experiments enrol nobody, so their slices are free again.
 */
export function findLayerOverlap(
  layer: ExperimentLayer,
  experiments: Iterable<Experiment>,
  exceptId?: string,
): Experiment | undefined {
  for (const other of experiments) {
    if (
      other.id !== exceptId &&
      other.layer &&
      (other.status === 'draft' || other.status === 'running') &&
      layersOverlap(layer, other.layer)
    )
      return other;
  }
  return undefined;
}

/** The `conflict` a store throws when a layer slice overlaps `other`'s. */
export function layerOverlapError(layer: ExperimentLayer, other: Experiment): FactoredError {
  const taken = other.layer as ExperimentLayer;
  return new FactoredError(
    'conflict',
    `layer "${layer.name}" buckets [${layer.start}, ${layer.end}) overlap experiment "${other.name}" (${other.status}, buckets [${taken.start}, ${taken.end})); pick a free range of the layer, or stop that experiment first.`,
    { details: { field: 'layer', experimentId: other.id } },
  );
}
