/**
 * Chaos fault selectors (docs/json-api.md /v1/faults): user text -> the canonical selector a
 * fault stores, with names resolved to ids at creation. Membership is NOT resolved here: the
 * compiler resolves stored selectors to port keys at every compile, so an instance that joins a
 * group later is covered (controller/policy/compile-faults.ts).
 *
 *   user text                        stored (canonical)
 *   *                                *
 *   sg-0123... / sg:web / sg:sg-...  sg-0123...            (group; name unique across VPCs)
 *   subnet-... / subnet:private      subnet-...            (Name tag)
 *   i-... / instance:web             i-...                 (Name tag or instance id)
 *   eni-... / eni:eni-...            eni-...
 *   pl-... / pl:admins               pl-...                (prefix list name)
 *   10.0.1.0/24, 10.0.1.5, fd00::/8  10.0.1.0/24, 10.0.1.5/32, fd00::/8
 *   tag:Key=Value                    tag:Key=Value         (instances with that tag, live)
 *   az:us-east-1a                    az:us-east-1a         (a zone some subnet is in)
 *   node:internet                    node:internet         (an external node an agent hosts)
 *   web (bare)                       whichever single resource has that name, else refused
 *
 * Every failure is an EMU_ERR_FAULT_INVALID naming the offending text (and, for an ambiguous
 * name, the candidates).
 */
import { HubError } from "../hub/hub-errors.js";
import { parseAddress, parseCidr } from "./cidr.js";

/** What selector resolution may look up (built from the state and the hub's agents). */
export interface SelectorCatalog {
  readonly groups: readonly { groupId: string; groupName: string; vpcId: string }[];
  readonly subnets: readonly { subnetId: string; name?: string; availabilityZone: string }[];
  /** Instances that are not terminated. */
  readonly instances: readonly { instanceId: string; name?: string }[];
  readonly eniIds: readonly string[];
  readonly prefixLists: readonly { prefixListId: string; name: string }[];
  /** External node names (e.g. "internet") any known agent hosts. */
  readonly nodes: readonly string[];
}

const ID_KINDS = [
  ["sg-", "security group"],
  ["subnet-", "subnet"],
  ["i-", "instance"],
  ["eni-", "network interface"],
  ["pl-", "prefix list"],
] as const;

const ID_RE = /^(sg|subnet|i|eni|pl)-[0-9a-f]{8,17}$/;

function invalid(message: string): HubError {
  return new HubError("EMU_ERR_FAULT_INVALID", message);
}

/** A `Key=Value` tag selector body, both non-empty keys; value may be empty. */
function tagSelector(text: string, body: string): string {
  const eq = body.indexOf("=");
  if (eq <= 0) throw invalid(`selector '${text}': a tag selector is tag:Key=Value`);
  return `tag:${body}`;
}

/** A CIDR or single address in canonical form, or undefined when `text` is neither. */
export function canonicalCidr(text: string): string | undefined {
  if (text.includes("/")) {
    try {
      return parseCidr(text).cidr;
    } catch {
      return undefined;
    }
  }
  const a = parseAddress(text);
  if (a === undefined) return undefined;
  return a.family === 4 ? `${a.text}/32` : `${a.text}/128`;
}

/** True when `text` looks like an address or CIDR the user meant (so a parse failure names it). */
function looksLikeCidr(text: string): boolean {
  return /^[0-9a-fA-F:.]+\/\d+$/.test(text) || /^\d{1,3}(\.\d{1,3}){3}$/.test(text);
}

function byId(text: string, id: string, cat: SelectorCatalog): string {
  const kind = ID_KINDS.find(([p]) => id.startsWith(p))!;
  const exists =
    kind[0] === "sg-"
      ? cat.groups.some((g) => g.groupId === id)
      : kind[0] === "subnet-"
        ? cat.subnets.some((s) => s.subnetId === id)
        : kind[0] === "i-"
          ? cat.instances.some((i) => i.instanceId === id)
          : kind[0] === "eni-"
            ? cat.eniIds.includes(id)
            : cat.prefixLists.some((p) => p.prefixListId === id);
  if (!exists) throw invalid(`selector '${text}': no ${kind[1]} '${id}'`);
  return id;
}

/** Exactly one candidate, else a precise refusal naming them (or naming what is missing). */
function one(
  text: string,
  what: string,
  candidates: readonly { id: string; label: string }[],
): string {
  if (candidates.length === 1) return candidates[0]!.id;
  if (candidates.length === 0) throw invalid(`selector '${text}': no ${what} named '${text}'`);
  throw invalid(
    `selector '${text}' is ambiguous: ${candidates.map((c) => `${c.label} (${c.id})`).join(", ")}; give one of the ids`,
  );
}

function groupCandidates(name: string, cat: SelectorCatalog): { id: string; label: string }[] {
  return cat.groups
    .filter((g) => g.groupName === name)
    .map((g) => ({ id: g.groupId, label: `sg:${name} in ${g.vpcId}` }));
}

function subnetCandidates(name: string, cat: SelectorCatalog): { id: string; label: string }[] {
  return cat.subnets
    .filter((s) => s.name === name)
    .map((s) => ({ id: s.subnetId, label: `subnet:${name}` }));
}

function instanceCandidates(name: string, cat: SelectorCatalog): { id: string; label: string }[] {
  return cat.instances
    .filter((i) => i.name === name)
    .map((i) => ({ id: i.instanceId, label: `instance:${name}` }));
}

function zones(cat: SelectorCatalog): string[] {
  return [...new Set(cat.subnets.map((s) => s.availabilityZone))].sort();
}

/**
 * One selector as given -> its canonical stored form (see the table above). Throws
 * EMU_ERR_FAULT_INVALID naming `text` when it is unknown, malformed or ambiguous.
 */
export function resolveSelector(text: unknown, cat: SelectorCatalog): string {
  if (typeof text !== "string") throw invalid(`selector ${JSON.stringify(text)} is not a string`);
  const t = text.trim();
  if (t === "") throw invalid("an empty selector");
  if (t === "*") return "*";
  if (ID_RE.test(t)) return byId(t, t, cat);
  const colon = t.indexOf(":");
  const prefix = colon > 0 ? t.slice(0, colon) : "";
  const rest = colon > 0 ? t.slice(colon + 1) : "";
  switch (prefix) {
    case "tag":
      return tagSelector(t, rest);
    case "sg":
      return ID_RE.test(rest) && rest.startsWith("sg-")
        ? byId(t, rest, cat)
        : one(t, "security group", groupCandidates(rest, cat));
    case "subnet":
      return ID_RE.test(rest) && rest.startsWith("subnet-")
        ? byId(t, rest, cat)
        : one(t, "subnet", subnetCandidates(rest, cat));
    case "instance":
      return ID_RE.test(rest) && rest.startsWith("i-")
        ? byId(t, rest, cat)
        : one(t, "instance", instanceCandidates(rest, cat));
    case "eni":
      if (!(ID_RE.test(rest) && rest.startsWith("eni-")))
        throw invalid(`selector '${t}': eni: takes an eni- id`);
      return byId(t, rest, cat);
    case "pl":
      return ID_RE.test(rest) && rest.startsWith("pl-")
        ? byId(t, rest, cat)
        : one(
            t,
            "prefix list",
            cat.prefixLists
              .filter((p) => p.name === rest)
              .map((p) => ({ id: p.prefixListId, label: `pl:${rest}` })),
          );
    case "az":
      if (!zones(cat).includes(rest))
        throw invalid(
          `selector '${t}': no subnet is in availability zone '${rest}' (known: ${zones(cat).join(", ") || "none"})`,
        );
      return `az:${rest}`;
    case "node":
      if (!cat.nodes.includes(rest))
        throw invalid(
          `selector '${t}': no agent hosts an external node '${rest}' (known: ${[...cat.nodes].sort().join(", ") || "none"})`,
        );
      return `node:${rest}`;
    default:
      break;
  }
  const cidr = canonicalCidr(t);
  if (cidr !== undefined) return cidr;
  if (looksLikeCidr(t) || t.includes("/"))
    throw invalid(`selector '${t}': the CIDR does not parse`);
  if (/^(sg|subnet|i|eni|pl)-[0-9a-f]*$/.test(t))
    throw invalid(`selector '${t}': not a well-formed id (prefix- and 8 or 17 hex digits)`);
  return bareName(t, cat);
}

/** A bare name: exactly one group, subnet, instance, zone or external node must have it. */
function bareName(name: string, cat: SelectorCatalog): string {
  const candidates = [
    ...groupCandidates(name, cat),
    ...subnetCandidates(name, cat),
    ...instanceCandidates(name, cat),
    ...(zones(cat).includes(name) ? [{ id: `az:${name}`, label: `az:${name}` }] : []),
    ...(cat.nodes.includes(name) ? [{ id: `node:${name}`, label: `node:${name}` }] : []),
  ];
  if (candidates.length === 0)
    throw invalid(
      `selector '${name}': no security group, subnet, instance, availability zone or external node is named '${name}'`,
    );
  return one(name, "resource", candidates);
}

/** Selectors as given: one string or an array of strings, at least one. */
export function resolveSelectors(field: string, value: unknown, cat: SelectorCatalog): string[] {
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list) || list.length === 0)
    throw invalid(`${field} must be a selector or a non-empty array of selectors`);
  if (list.length > 100) throw invalid(`${field} has ${list.length} selectors (at most 100)`);
  return [...new Set(list.map((s) => resolveSelector(s, cat)))];
}
