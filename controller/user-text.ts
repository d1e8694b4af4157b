/**
 * A user's JSON or YAML value as text, for messages and for fields that take text. Strings are
 * kept, numbers and booleans read as String() reads them, anything else is written as JSON.
 * Why not String(): a parsed document's object may have its own `toString` or `valueOf` key (a
 * template's `{"toString": {}}`), and String() would call it and throw a TypeError, which the
 * services would answer as a 500 (issue 14 item 4).
 */
export function userText(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v === undefined) return "undefined";
  if (typeof v === "symbol" || typeof v === "function") return typeof v;
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    // Why: JSON.stringify throws only on cycles and BigInt inside; parsed documents have neither.
    return Object.prototype.toString.call(v);
  }
}
