import type { Contract, MethodName, Output } from '../../shared/api';
import type { ParsedInputOf } from '../../shared/api/define';
import type { Permission } from '../../shared/permissions';
import type { UserRecord } from '../../db/repos/users';
import type { Scope } from '../../db/scope';
import type { AuditRecord } from '../../db/repos/audit';
import type { Services } from '../services';

export interface CallMeta {
  adapter: 'ipc' | 'http' | 'test';
}

/** What a handler gets besides its validated input. `user` is set for every non-public method. */
export interface Ctx {
  services: Services;
  meta: CallMeta;
  session: string | null;
  user: (UserRecord & { permissions: Permission[] }) | null;
  /** The caller's data scope (db/scope.ts), computed once per call. */
  scope(): Scope;
  /** Writes an audit entry attributed to the caller. */
  audit(rec: AuditRecord): void;
}

/** Ctx for methods that require a signed-in user. */
export type AuthedCtx = Ctx & { user: NonNullable<Ctx['user']> };

export type Handler<M extends MethodName> = (
  input: ParsedInputOf<Contract[M]>,
  ctx: AuthedCtx,
) => Output<M> | Promise<Output<M>>;

export type HandlerMap<K extends MethodName> = { [M in K]: Handler<M> };

/** Declares one domain's handlers; the mapped type gives every handler its input and result types. */
export function handlers<K extends MethodName>(map: HandlerMap<K>): HandlerMap<K> {
  return map;
}
