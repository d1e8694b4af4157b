/**
 * The tracked-connection allowance of one instance (AWS-BEHAVIOUR MET-1..MET-4), shared by
 * the conntrack tables of all the instance's ENIs: give every EniFilter of one instance the
 * same Allowance. A new tracked flow takes one unit; removing its entry (expiry reap, lazy
 * expiry on lookup, reclassification) gives it back. Untracked flows take nothing (MET-2).
 * Pure.
 */

import { DEFAULT_CONNTRACK_MAX } from "../filter/policy.js";

/** One instance's tracked-entry budget: max, used, and the MET-3 drop count. */
export class Allowance {
  private maxEntries: number;
  private usedEntries = 0;
  private exceededPackets = 0;

  constructor(max: number = DEFAULT_CONNTRACK_MAX) {
    this.maxEntries = max;
  }

  /** Changes the maximum (a new policy revision). Entries above a lowered maximum stay until they expire. */
  setMax(max: number): void {
    this.maxEntries = max;
  }

  get max(): number {
    return this.maxEntries;
  }

  /** Live tracked entries of all ENIs sharing this allowance. */
  get used(): number {
    return this.usedEntries;
  }

  /** MET-4 `conntrack_allowance_available`: max - live tracked entries (never below 0). */
  available(): number {
    return Math.max(0, this.maxEntries - this.usedEntries);
  }

  /** MET-3 `conntrack_allowance_exceeded`: packets dropped because no entry could be created (cumulative). */
  exceeded(): number {
    return this.exceededPackets;
  }

  /** True when one more entry fits. */
  hasRoom(): boolean {
    return this.usedEntries < this.maxEntries;
  }

  /** Takes one unit; false (and nothing taken) when full. The caller counts the drop with noteExceeded(). */
  tryAcquire(): boolean {
    if (this.usedEntries >= this.maxEntries) return false;
    this.usedEntries++;
    return true;
  }

  /** Gives `n` units back (entries removed). */
  release(n = 1): void {
    this.usedEntries = Math.max(0, this.usedEntries - n);
  }

  /** Counts one packet dropped for lack of allowance (MET-3). */
  noteExceeded(): void {
    this.exceededPackets++;
  }
}
