/**
 * Process-wide cache of compiled policy pieces, keyed by content (issue 15 item 4: one agent
 * host process carries the agents of many nodes, and a rule change sends every hosted ENI its
 * whole policy again). ENIs whose direction holds the same rules (the same groups, with the same
 * members) or whose subnets share a network ACL compile them once per process, not once per ENI
 * and snapshot.
 *
 * Keys are the full content that decides a verdict, as text (protocol, ports and CIDRs of each
 * SG rule in order; every field of each NACL entry in order): a JavaScript Map compares whole
 * strings, so two different rule lists can never share a matcher (no hash stands in for the
 * content). Values are immutable (SgMatcher, NaclTable); per-ENI state (hit counters) stays
 * outside. Each kind is a bounded LRU: past `max` entries the least recently used is dropped
 * (its users keep their reference; the next one to ask compiles it again).
 *
 * Pure: no I/O, no clock. Single-threaded use only (one JavaScript thread per process).
 */

import { SgMatcher } from "./match.js";
import { NaclTable } from "./nacl.js";
import type { CompiledRule, NaclEntry } from "./policy.js";

/** A bounded least-recently-used map from content keys to compiled values. */
export class ContentLru<V> {
  private readonly map = new Map<string, V>();
  /** Lookups answered from the cache / compiled anew, since construction. */
  hits = 0;
  misses = 0;

  constructor(readonly max: number) {
    if (!(max >= 1)) throw new Error(`cache bound must be >= 1, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value stored under `key`, else `make()` stored under it (dropping the oldest past max). */
  get(key: string, make: () => V): V {
    const v = this.map.get(key);
    if (v !== undefined) {
      // Why delete + set: a Map iterates in insertion order, so the first key is the oldest use.
      this.map.delete(key);
      this.map.set(key, v);
      this.hits++;
      return v;
    }
    this.misses++;
    const made = make();
    this.map.set(key, made);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
    return made;
  }
}

/** Default bounds: distinct rule lists / NACL directions alive in one process at once. */
export const DEFAULT_SG_CACHE_ENTRIES = 512;
export const DEFAULT_NACL_CACHE_ENTRIES = 256;

/** The content of an SG rule list that its matcher depends on (rule order included). */
export function sgRulesKey(rules: readonly CompiledRule[]): string {
  let k = "";
  for (const r of rules) k += `${r.protocol} ${r.fromPort} ${r.toPort} ${r.cidrs.join(" ")}\n`;
  return k;
}

/** The content of one NACL direction (every field of every entry, in order). */
export function naclEntriesKey(entries: readonly NaclEntry[]): string {
  let k = "";
  for (const e of entries) {
    k += `${e.ruleNumber} ${e.action} ${e.protocol} ${e.cidr} ${e.fromPort} ${e.toPort} ${e.icmpType} ${e.icmpCode}\n`;
  }
  return k;
}

/** SG matchers and NACL tables by content; see the module comment. */
export class CompiledPolicyCache {
  readonly sg: ContentLru<SgMatcher>;
  readonly nacl: ContentLru<NaclTable>;

  constructor(opts: { readonly sgEntries?: number; readonly naclEntries?: number } = {}) {
    this.sg = new ContentLru(opts.sgEntries ?? DEFAULT_SG_CACHE_ENTRIES);
    this.nacl = new ContentLru(opts.naclEntries ?? DEFAULT_NACL_CACHE_ENTRIES);
  }

  /** The matcher of `rules` (shared with every ENI direction holding the same content). */
  sgMatcher(rules: readonly CompiledRule[]): SgMatcher {
    return this.sg.get(sgRulesKey(rules), () => new SgMatcher(rules));
  }

  /** The compiled columns of one NACL direction (shared; hit counters stay per ENI). */
  naclTable(entries: readonly NaclEntry[]): NaclTable {
    return this.nacl.get(naclEntriesKey(entries), () => new NaclTable(entries));
  }
}

/** The cache every EniFilter of this process uses unless given another (or none). */
export const processPolicyCache = new CompiledPolicyCache();
