/**
 * Derives an EC2 action's accepted Query parameters from the AWS SDK's request schema
 * (node_modules/@aws-sdk/client-ec2), naming members the way the SDK's ec2Query serializer does
 * (AWS-BEHAVIOUR API-2): `ec2QueryName`, else the capitalised `xmlName`, else the capitalised
 * member name; lists flattened 1-based. Test-side only: controller/ never imports the SDK; the
 * controller's table (controller/ec2/request-shapes.ts) is checked against this derivation.
 *
 * Regenerate the table (after an SDK upgrade or a new action):
 *   npx tsx test/unit/controller/ec2/sdk-request-shapes.ts > controller/ec2/request-shapes.ts
 *   npx prettier --write controller/ec2/request-shapes.ts
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as sdk from "@aws-sdk/client-ec2";
import { NormalizedSchema } from "@smithy/core/schema";
import { EC2_ACTIONS } from "../../../../controller/ec2/actions.js";
import type { ParamShape } from "../../../../controller/ec2/parameters.js";

function wireName(memberName: string, traits: Record<string, unknown>): string {
  const q = traits["ec2QueryName"];
  if (typeof q === "string" && q !== "") return q;
  const x = traits["xmlName"];
  const key = typeof x === "string" && x !== "" ? x : memberName;
  return key.charAt(0).toUpperCase() + key.slice(1);
}

function derive(ns: NormalizedSchema, seen: readonly string[]): ParamShape {
  if (ns.isListSchema()) return [derive(ns.getValueSchema(), seen)];
  if (ns.isMapSchema()) throw new Error(`map in an EC2 request shape: ${ns.getName(true)}`);
  if (ns.isStructSchema()) {
    const name = ns.getName(true) ?? "";
    if (seen.includes(name)) throw new Error(`recursive request shape: ${name}`);
    const out: Record<string, ParamShape> = {};
    for (const [member, m] of ns.structIterator())
      out[wireName(member, m.getMergedTraits() as Record<string, unknown>)] = derive(m, [
        ...seen,
        name,
      ]);
    return out;
  }
  return 0;
}

/** The SDK's request shape of `action` (e.g. "CreateVpc"), in wire names. */
export function sdkRequestShape(action: string): Readonly<Record<string, ParamShape>> {
  const schema = (sdk as unknown as Record<string, unknown>)[`${action}Request$`];
  if (schema === undefined) throw new Error(`no SDK request schema for ${action}`);
  const shape = derive(NormalizedSchema.of(schema as never), []);
  if (typeof shape !== "object" || Array.isArray(shape)) throw new Error(`${action}: not a struct`);
  return shape as Readonly<Record<string, ParamShape>>;
}

/** The source of controller/ec2/request-shapes.ts for every action in EC2_ACTIONS. */
export function renderRequestShapes(): string {
  const version = (
    createRequire(import.meta.url)("@aws-sdk/client-ec2/package.json") as { version: string }
  ).version;
  const shapes: Record<string, unknown> = {};
  for (const action of Object.keys(EC2_ACTIONS).sort()) shapes[action] = sdkRequestShape(action);
  return [
    `// GENERATED from @aws-sdk/client-ec2 ${version} request schemas by`,
    "// test/unit/controller/ec2/sdk-request-shapes.ts; do not edit by hand. request-shapes.test.ts",
    "// checks it against the installed SDK.",
    'import type { RequestShape } from "./parameters.js";',
    "",
    "/** Action -> the parameters AWS defines for it, in wire names (AWS-BEHAVIOUR API-2, API-9..API-35). */",
    `export const REQUEST_SHAPES: { readonly [action: string]: RequestShape } = ${JSON.stringify(shapes)};`,
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.stdout.write(renderRequestShapes());
