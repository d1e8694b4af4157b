/**
 * A template body (the text of TemplateBody) -> a plain JSON-like tree (AWS-BEHAVIOUR CFN-3).
 * A body whose first non-blank character is `{` is JSON; anything else is YAML, whose short-form
 * tags (`!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!Select`, `!Split`, `!GetAZs`, `!FindInMap`, `!If`,
 * `!Equals`, `!Not`, `!And`, `!Or`, `!ImportValue`, `!Base64`, `!Cidr`, `!Condition`) become the
 * long forms (`{"Fn::GetAtt": [...]}`). A body that is neither answers AWS's "Template format
 * error: JSON/YAML not well-formed. (line L, column C)". Pure: no I/O.
 */
import { parseDocument, type ScalarTag, type CollectionTag, YAMLMap, YAMLSeq } from "yaml";
import { templateFormatError } from "./errors.js";

/** The long-form key of each short-form tag. */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  Ref: "Ref",
  Condition: "Condition",
  GetAtt: "Fn::GetAtt",
  Sub: "Fn::Sub",
  Join: "Fn::Join",
  Select: "Fn::Select",
  Split: "Fn::Split",
  GetAZs: "Fn::GetAZs",
  FindInMap: "Fn::FindInMap",
  If: "Fn::If",
  Equals: "Fn::Equals",
  Not: "Fn::Not",
  And: "Fn::And",
  Or: "Fn::Or",
  ImportValue: "Fn::ImportValue",
  Base64: "Fn::Base64",
  Cidr: "Fn::Cidr",
};

/** `!GetAtt Res.Attr` (scalar) splits at the first dot, as AWS does. */
function scalarValue(short: string, s: string): unknown {
  if (short !== "GetAtt") return s;
  const dot = s.indexOf(".");
  return dot < 0 ? [s] : [s.slice(0, dot), s.slice(dot + 1)];
}

function shortFormTags(): Array<ScalarTag | CollectionTag> {
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const [short, key] of Object.entries(SHORT_FORMS)) {
    tags.push({ tag: `!${short}`, resolve: (s: string) => ({ [key]: scalarValue(short, s) }) });
    tags.push({
      tag: `!${short}`,
      collection: "seq",
      resolve: (seq) => ({ [key]: (seq as YAMLSeq).toJSON() as unknown }),
    } as CollectionTag);
    tags.push({
      tag: `!${short}`,
      collection: "map",
      resolve: (map) => ({ [key]: (map as YAMLMap).toJSON() as unknown }),
    } as CollectionTag);
  }
  return tags;
}

const TAGS = shortFormTags();

/** Line and column (1-based) of `offset` in `text`. */
function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/**
 * The offset of the first JSON syntax error in `text` (Node's JSON.parse message carries no
 * position): a small scanner over RFC 8259's grammar.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if ((text.charCodeAt(i) as number) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (m === null) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail();
      }
    }
    if (c === '"') return str();
    if (c === "t") return lit("true");
    if (c === "f") return lit("false");
    if (c === "n") return lit("null");
    return num();
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (at) {
    if (typeof at === "number") return at;
    throw at;
  }
  return text.length;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const { line, column } = position(text, jsonErrorOffset(text));
    throw templateFormatError(`JSON not well-formed. (line ${line},  column ${column})`);
  }
}

function parseYaml(text: string): unknown {
  const doc = parseDocument(text, { customTags: TAGS, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const { line, column } = position(text, err.pos[0]);
    throw templateFormatError(`YAML not well-formed. (line ${line}, column ${column})`);
  }
  return doc.toJS({ maxAliasCount: 1000 }) as unknown;
}

/**
 * Parses a template body into a plain tree (objects, arrays, strings, numbers, booleans, null).
 * Throws ValidationError "Template format error: ..." for text that is not JSON or YAML, and
 * "Template format error: unsupported structure." for a document that is not a mapping.
 */
export function parseTemplateBody(text: string): Record<string, unknown> {
  const trimmed = text.trimStart();
  const tree = trimmed.startsWith("{") ? parseJson(text) : parseYaml(text);
  if (tree === null || typeof tree !== "object" || Array.isArray(tree))
    throw templateFormatError("unsupported structure.");
  return tree as Record<string, unknown>;
}
