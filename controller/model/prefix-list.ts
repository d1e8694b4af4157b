import type { ScopedFields } from "../store/scope.js";
import type { Tags } from "./tags.js";
import { controllerError, invalidValue } from "../errors.js";

export interface PrefixListEntry {
  readonly cidr: string;
  readonly description?: string;
}

/** A customer-managed prefix list with its version history (AWS-BEHAVIOUR API-34, Q-6). */
export interface PrefixList extends ScopedFields {
  readonly prefixListId: string;
  readonly name: string;
  readonly addressFamily: "IPv4" | "IPv6";
  readonly maxEntries: number;
  readonly version: number;
  readonly entries: readonly PrefixListEntry[];
  /** Entries of every earlier version, oldest first (GetManagedPrefixListEntries TargetVersion). */
  readonly history: ReadonlyArray<{
    readonly version: number;
    readonly entries: readonly PrefixListEntry[];
  }>;
  readonly tags: Tags;
}

export const PREFIX_LIST_MAX_ENTRIES = 1000;

export function sanitizePrefixListName(name: string | undefined): string {
  if (name === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "PrefixListName");
  if (name.length === 0 || name.length > 255 || name.toLowerCase().startsWith("com.amazonaws"))
    throw invalidValue(name, "PrefixListName");
  return name;
}

export function sanitizeAddressFamily(v: string | undefined): "IPv4" | "IPv6" {
  if (v === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AddressFamily");
  if (v !== "IPv4" && v !== "IPv6") throw invalidValue(v, "AddressFamily");
  return v;
}

export function sanitizeMaxEntries(v: string | undefined): number {
  if (v === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "MaxEntries");
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > PREFIX_LIST_MAX_ENTRIES)
    throw invalidValue(v, "MaxEntries");
  return Number(v);
}
