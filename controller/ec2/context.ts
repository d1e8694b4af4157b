import type { OpContext, StateStore } from "../store/state-store.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

/** What an EC2 action handler gets for one request. */
export interface Ec2Context {
  readonly store: StateStore;
  readonly params: QueryParams;
  readonly region: string;
  readonly accountId: string;
  /** API-5: validate, change nothing, answer DryRunOperation. */
  readonly dryRun: boolean;
}

/** One action: validated params in, response tree out (no XML here; xml.ts writes it). */
export type ActionHandler = (c: Ec2Context) => XmlTree;

/** Runs a mutation in one store transaction, honouring DryRun. */
export function mutate<R>(c: Ec2Context, fn: (ctx: OpContext) => R): R {
  return c.store.mutate(fn, { dryRun: c.dryRun });
}
