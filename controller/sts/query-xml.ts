/**
 * The XML of AWS's "awsQuery" protocol (STS, and CloudFormation alike), which differs from EC2's
 * (controller/ec2/xml.ts): the output sits in `<ActionResult>`, the request id in
 * `<ResponseMetadata><RequestId>`, list items are `<member>`, and errors are
 * `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`.
 * Trees as in ec2/xml.ts: objects become child elements in key order (undefined omitted),
 * arrays `<member>` children (empty arrays an empty element), scalars text.
 */
import { escapeXml, type XmlTree, type XmlValue } from "../ec2/xml.js";

function writeValue(name: string, v: XmlValue, out: string[]): void {
  if (v === undefined) return;
  if (Array.isArray(v)) {
    out.push(`<${name}>`);
    for (const item of v as readonly XmlValue[]) writeValue("member", item, out);
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

/** `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>…` */
export function renderQuerySuccess(
  action: string,
  xmlns: string,
  requestId: string,
  result: XmlTree | undefined,
): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>\n', `<${action}Response xmlns="${xmlns}">`];
  if (result !== undefined) writeValue(`${action}Result`, result, out);
  out.push(
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>`,
    `</${action}Response>`,
  );
  return out.join("");
}

/** The awsQuery error body; `Sender` for 4xx, `Receiver` for 5xx. */
export function renderQueryError(
  xmlns: string,
  status: number,
  code: string,
  message: string,
  requestId: string,
): string {
  const type = status >= 500 ? "Receiver" : "Sender";
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`
  );
}
