import { controllerError, invalidValue } from "../errors.js";

/** Tags of one resource, in insertion order (AWS-BEHAVIOUR API-35). */
export type Tags = Readonly<Record<string, string>>;

export interface TagInput {
  readonly key?: string | undefined;
  readonly value?: string | undefined;
}

export const MAX_TAGS_PER_RESOURCE = 50;

/** Validates tag keys (1-128 chars, not `aws:`) and values (0-256 chars); value defaults to "". */
export function sanitizeTags(input: readonly TagInput[]): Array<[string, string]> {
  return input.map((t, i) => {
    if (t.key === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", `Tag.${i + 1}.Key`);
    if (t.key.length === 0 || t.key.length > 128) throw invalidValue(t.key, "tag key");
    if (t.key.toLowerCase().startsWith("aws:"))
      throw invalidValue(
        t.key,
        "tag key",
        "Tag keys starting with 'aws:' are reserved for internal use",
      );
    const value = t.value ?? "";
    if (value.length > 256) throw invalidValue(value, "tag value");
    return [t.key, value];
  });
}

/**
 * A writable copy with no prototype: tag keys are user input, and `next["__proto__"] = v` on a
 * plain object would set its prototype instead of storing the tag (ECX-10).
 */
function copyTags(tags: Tags): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, tags);
}

/** `tags` with `add` applied (existing keys overwritten), or ERR TagLimitExceeded over 50. */
export function withTags(
  resourceId: string,
  tags: Tags,
  add: ReadonlyArray<readonly [string, string]>,
): Tags {
  const next = copyTags(tags);
  for (const [k, v] of add) next[k] = v;
  if (Object.keys(next).length > MAX_TAGS_PER_RESOURCE)
    throw controllerError("EMU_ERR_TAG_LIMIT", resourceId);
  return next;
}

/** `tags` without the given keys; a key with a value is removed only when the value matches. */
export function withoutTags(tags: Tags, remove: readonly TagInput[]): Tags {
  if (remove.length === 0) return {};
  const next = copyTags(tags);
  for (const t of remove) {
    if (t.key === undefined) continue;
    if (t.value !== undefined && next[t.key] !== t.value) continue;
    delete next[t.key];
  }
  return next;
}
