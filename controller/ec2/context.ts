import type { ResourceKind } from "../db/database.js";
import { ensureDefaultVpc } from "../store/default-vpc.js";
import type { StateStore } from "../store/state-store.js";
import { getInScope, listInScope, type Scope, type ScopedOpContext } from "../store/scope.js";
import type { Records } from "../store/transaction.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

/** What an EC2 action handler gets for one request. */
export interface Ec2Context {
  readonly store: StateStore;
  readonly params: QueryParams;
  /** The request's region (signature scope, else the default region). */
  readonly region: string;
  /** The request's account (from its access key, controller/sts/identities.ts). */
  readonly accountId: string;
  /** API-5: validate, change nothing, answer DryRunOperation. */
  readonly dryRun: boolean;
}

/** One action: validated params in, response tree out (no XML here; xml.ts writes it). */
export type ActionHandler = (c: Ec2Context) => XmlTree;

/** accountId and region together: what the request sees and changes (store/scope.ts). */
export function scopeOfRequest(c: Ec2Context): Scope {
  return { accountId: c.accountId, region: c.region };
}

/**
 * Runs a mutation in one store transaction in the request's scope, honouring DryRun. The
 * scope's default VPC is created first if it never was (store/default-vpc.ts).
 */
export function mutate<R>(c: Ec2Context, fn: (ctx: ScopedOpContext) => R): R {
  const scope = scopeOfRequest(c);
  ensureDefaultVpc(c.store, scope);
  return c.store.mutate((ctx) => fn({ ...ctx, scope }), { dryRun: c.dryRun });
}

/** The committed records of `kind` in the request's scope, in creation order. */
export function visible<K extends ResourceKind>(c: Ec2Context, kind: K): Array<Records[K]> {
  ensureDefaultVpc(c.store, scopeOfRequest(c));
  return listInScope(c.store.reader(), kind, scopeOfRequest(c));
}

/** The committed record `id` of `kind` if the request's scope has it. */
export function visibleGet<K extends ResourceKind>(
  c: Ec2Context,
  kind: K,
  id: string,
): Records[K] | undefined {
  ensureDefaultVpc(c.store, scopeOfRequest(c));
  return getInScope(c.store.reader(), kind, id, scopeOfRequest(c));
}
