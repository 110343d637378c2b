/**
 * A trained model as JSON text and back, so a model can be kept as a version (its parameters, the
 * columns it reads, its trees) and score later exactly as when it was trained. Typed arrays are
 * written as number arrays (JSON keeps every double exactly: JavaScript prints the shortest text that
 * reads back to the same number).
 */
import type { BoostedModel } from './boosted';
import type { LogisticModel } from './logistic';

export type TrainedModel = LogisticModel | BoostedModel;

const FORMAT = 1;

export function serializeModel(model: TrainedModel): string {
  if (model.kind === 'logistic') return JSON.stringify({ format: FORMAT, ...model });
  return JSON.stringify({
    format: FORMAT,
    ...model,
    roots: [...model.roots],
    feature: [...model.feature],
    left: [...model.left],
    right: [...model.right],
    value: [...model.value],
    mask: [...model.mask],
  });
}

export function parseModel(text: string): TrainedModel {
  const o = JSON.parse(text) as { format?: number; kind?: string } & Record<string, unknown>;
  if (o.format !== FORMAT) throw new Error(`model format ${String(o.format)} is not readable here`);
  const { format: _format, ...rest } = o;
  if (o.kind === 'logistic') return rest as unknown as LogisticModel;
  if (o.kind !== 'boosted') throw new Error(`unknown model kind ${String(o.kind)}`);
  const m = rest as unknown as Record<string, number[]> & BoostedModel;
  return {
    ...m,
    roots: Int32Array.from(m.roots as unknown as number[]),
    feature: Int32Array.from(m.feature as unknown as number[]),
    left: Int32Array.from(m.left as unknown as number[]),
    right: Int32Array.from(m.right as unknown as number[]),
    value: Float64Array.from(m.value as unknown as number[]),
    mask: Uint32Array.from(m.mask as unknown as number[]),
  };
}
