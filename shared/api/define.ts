import type { z } from 'zod';
import type { Permission } from '../permissions';

/**
 * Who may call a method: anyone who reached the adapter ('public': sign-in, app info),
 * any signed-in user ('session'), or holders of one permission.
 */
export type Access = 'public' | 'session' | Permission;

export interface MethodDef<I extends z.ZodType = z.ZodType, O = unknown> {
  readonly input: I;
  readonly access: Access;
  /** Phantom: carries the result type; never set at run time. */
  readonly __output?: O;
}

/** `method<Result>()(access, inputSchema)`: the result type is written once, the schema once. */
export function method<O>() {
  return <I extends z.ZodType>(access: Access, input: I): MethodDef<I, O> => ({ access, input });
}

export type InputOf<D> = D extends MethodDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInputOf<D> = D extends MethodDef<infer I, unknown> ? z.output<I> : never;
export type OutputOf<D> = D extends MethodDef<z.ZodType, infer O> ? O : never;
