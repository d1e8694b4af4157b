/**
 * The only XML writer of the EC2 Query API (AWS-BEHAVIOUR API-3, API-4). Handlers return plain
 * trees; this file turns them into AWS's response shapes:
 * - an object becomes child elements in key order (undefined values are omitted);
 * - an array becomes `<item>` children, and an empty array the empty element `<x/>`;
 * - strings, numbers and booleans become text (`true`/`false`).
 */
export type XmlValue = string | number | boolean | undefined | XmlTree | readonly XmlValue[];
export interface XmlTree {
  readonly [element: string]: XmlValue;
}

export const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

/**
 * Escapes element text (`&`, `<`, `>`); quotes stay literal, as in AWS's messages. Characters
 * XML 1.0 cannot carry (C0 controls but tab, LF, CR) become U+FFFD.
 */
export function escapeXml(s: string): string {
  return s
    .replace(/[&<>]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : "&gt;"))
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "\ufffd");
}

function writeValue(name: string, v: XmlValue, out: string[]): void {
  if (v === undefined) return;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of v as readonly XmlValue[]) writeValue("item", item, out);
    out.push(`</${name}>`);
    return;
  }
  if (typeof v === "object") {
    out.push(`<${name}>`);
    for (const [k, child] of Object.entries(v as XmlTree)) writeValue(k, child, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(v))}</${name}>`);
}

/** `<ActionResponse xmlns=...><requestId>..</requestId>...body...</ActionResponse>` */
export function renderSuccess(action: string, requestId: string, body: XmlTree): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<${action}Response xmlns="${EC2_XMLNS}">`,
  ];
  out.push(`<requestId>${escapeXml(requestId)}</requestId>`);
  for (const [k, v] of Object.entries(body)) writeValue(k, v, out);
  out.push(`</${action}Response>`);
  return out.join("");
}

/** AWS's error body; note `RequestID` (API-4). */
export function renderError(code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors>` +
    `<RequestID>${escapeXml(requestId)}</RequestID></Response>`
  );
}
