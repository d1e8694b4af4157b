/**
 * The CloudFormation Query API's XML (AWS-BEHAVIOUR CFN-1): `<XResponse xmlns=".../2010-05-15/">
 * <XResult>...</XResult><ResponseMetadata><RequestId/></ResponseMetadata></XResponse>`; list
 * items are `<member>` elements (not EC2's `<item>`); errors are `<ErrorResponse><Error><Type>
 * Sender</Type><Code/><Message/></Error><RequestId/></ErrorResponse>`. Handlers return plain
 * trees: objects become elements in key order, arrays `<member>` lists, undefined is omitted.
 */
import { escapeXml } from "../ec2/xml.js";

export type CfnXmlValue =
  string | number | boolean | undefined | CfnXmlTree | readonly CfnXmlValue[];
export interface CfnXmlTree {
  readonly [element: string]: CfnXmlValue;
}

export const CFN_XMLNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/";

function write(name: string, v: CfnXmlValue, out: string[]): void {
  if (v === undefined) return;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of v as readonly CfnXmlValue[]) write("member", item, out);
    out.push(`</${name}>`);
    return;
  }
  if (typeof v === "object") {
    out.push(`<${name}>`);
    for (const [k, child] of Object.entries(v as CfnXmlTree)) write(k, child, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(v))}</${name}>`);
}

/** A success body; `result` undefined writes no `<XResult>` (DeleteStack answers none). */
export function renderCfnSuccess(
  action: string,
  requestId: string,
  result: CfnXmlTree | undefined,
): string {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<${action}Response xmlns="${CFN_XMLNS}">`,
  ];
  if (result !== undefined) write(`${action}Result`, result, out);
  out.push(`<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>`);
  out.push(`</${action}Response>`);
  return out.join("");
}

/** AWS's error body for the query protocol. */
export function renderCfnError(
  code: string,
  message: string,
  requestId: string,
  type = "Sender",
): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ErrorResponse xmlns="${CFN_XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
