/**
 * Accounts and regions (docs/ec2-api.md "Accounts and regions"): every EC2 resource belongs to
 * one account and one region, the scope of the request that created it. A request sees and
 * changes only its own scope's resources (an id of another scope is NotFound), quotas count per
 * scope, and ARNs and owner ids follow. Ids stay globally unique, so one table per kind holds
 * every scope, and the policy compiler keeps seeing every ENI (policy is per ENI).
 *
 * Records written before scopes existed have no `ownerId`/`region`: they belong to the default
 * scope (123456789012, us-east-1).
 */
import type { ResourceKind } from "../db/database.js";
import type { OpContext } from "./state-store.js";
import type { Records, StateReader } from "./transaction.js";

/** One account in one region. */
export interface Scope {
  readonly accountId: string;
  readonly region: string;
}

export const DEFAULT_ACCOUNT_ID = "123456789012";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_SCOPE: Scope = { accountId: DEFAULT_ACCOUNT_ID, region: DEFAULT_REGION };

/** What a scoped record carries (every EC2 resource record). */
export interface ScopedFields {
  /** The owning account (AWS `ownerId`). */
  readonly ownerId: string;
  readonly region: string;
}

/** A mutation's context with the scope of the request it serves. */
export interface ScopedOpContext extends OpContext {
  readonly scope: Scope;
}

/** `ctx` acting in `scope` (default: the default scope, for embedders and tests). */
export function inScopeOf(ctx: OpContext, scope: Scope = DEFAULT_SCOPE): ScopedOpContext {
  return { ...ctx, scope };
}

/** The scope a record belongs to (legacy records: the default scope). */
export function scopeOf(rec: unknown): Scope {
  const r = rec as Partial<ScopedFields>;
  return { accountId: r.ownerId ?? DEFAULT_ACCOUNT_ID, region: r.region ?? DEFAULT_REGION };
}

export function sameScope(a: Scope, b: Scope): boolean {
  return a.accountId === b.accountId && a.region === b.region;
}

/** Whether `rec` belongs to `scope`. */
export function isInScope(rec: unknown, scope: Scope): boolean {
  return sameScope(scopeOf(rec), scope);
}

/** The scope fields a new record of `scope` carries. */
export function scopeFields(scope: Scope): ScopedFields {
  return { ownerId: scope.accountId, region: scope.region };
}

/** Every record of `kind` in `scope`, in creation order. */
export function listInScope<K extends ResourceKind>(
  reader: StateReader,
  kind: K,
  scope: Scope,
): Array<Records[K]> {
  return reader.list(kind).filter((r) => isInScope(r, scope));
}

/** The record `id` of `kind` if it exists in `scope`. */
export function getInScope<K extends ResourceKind>(
  reader: StateReader,
  kind: K,
  id: string,
  scope: Scope,
): Records[K] | undefined {
  const r = reader.get(kind, id);
  return r !== undefined && isInScope(r, scope) ? r : undefined;
}

/** Shorthands on a scoped mutation context. */
export function scopedList<K extends ResourceKind>(
  ctx: ScopedOpContext,
  kind: K,
): Array<Records[K]> {
  return listInScope(ctx.tx, kind, ctx.scope);
}

export function scopedGet<K extends ResourceKind>(
  ctx: ScopedOpContext,
  kind: K,
  id: string,
): Records[K] | undefined {
  return getInScope(ctx.tx, kind, id, ctx.scope);
}
