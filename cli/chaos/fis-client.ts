/**
 * The few AWS FIS calls a scenario's `fis` step makes (docs/experiments.md), on the controller's
 * endpoint (docs/fis.md): CreateExperimentTemplate, ListExperimentTemplates,
 * DeleteExperimentTemplate, StartExperiment, GetExperiment, StopExperiment. REST-JSON signed
 * with SigV4 for `fis` (the controller picks the service from the credential scope), so the CLI
 * needs no FIS SDK at run time.
 */
import { createHash, createHmac, randomUUID } from "node:crypto";

export interface FisCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export type FisExperimentStatus =
  | "pending"
  | "initiating"
  | "running"
  | "completed"
  | "stopping"
  | "stopped"
  | "failed"
  | "cancelled";

export const FIS_TERMINAL: readonly string[] = ["completed", "stopped", "failed", "cancelled"];

export interface FisExperiment {
  readonly id: string;
  readonly experimentTemplateId?: string;
  readonly state: { readonly status: FisExperimentStatus; readonly reason?: string };
  readonly startTime?: number;
  readonly endTime?: number;
}

/** An error FIS answered (`x-amzn-ErrorType` and `{message}`), or an unreachable endpoint. */
export class FisApiError extends Error {
  override readonly name = "FisApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const sha256hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: Buffer | string, s: string) =>
  createHmac("sha256", key).update(s, "utf8").digest();

/** RFC 3986 encoding as SigV4 wants it. */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * SigV4 headers for one request (AWS General Reference, "Signature Version 4 signing process"):
 * host, x-amz-date, x-amz-content-sha256 (and x-amz-security-token) are signed.
 */
export function sigV4Headers(opts: {
  method: string;
  url: URL;
  body: string;
  region: string;
  service: string;
  credentials: FisCredentials;
  now?: Date;
}): Record<string, string> {
  const { method, url, body, region, service, credentials } = opts;
  const amzDate = (opts.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256hex(body);
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
    ...(credentials.sessionToken ? { "x-amz-security-token": credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonicalPath =
    url.pathname
      .split("/")
      .map((seg) => uriEncode(decodeURIComponent(seg)))
      .join("/") || "/";
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [
    method,
    canonicalPath,
    query,
    names.map((n) => `${n}:${headers[n]!.trim()}\n`).join(""),
    names.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonical)].join("\n");
  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  key = hmac(key, region);
  key = hmac(key, service);
  key = hmac(key, "aws4_request");
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

export class FisClient {
  constructor(
    readonly endpoint: string,
    private readonly region: string,
    private readonly credentials: FisCredentials,
  ) {}

  async createTemplate(body: Record<string, unknown>): Promise<string> {
    const r = await this.call<{ experimentTemplate: { id: string } }>(
      "POST",
      "/experimentTemplates",
      {
        clientToken: randomUUID(),
        ...body,
      },
    );
    return r.experimentTemplate.id;
  }

  async deleteTemplate(id: string): Promise<void> {
    await this.call("DELETE", `/experimentTemplates/${encodeURIComponent(id)}`);
  }

  /** Template ids whose tag `key` is `value`. */
  async templatesTagged(key: string, value: string): Promise<string[]> {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.call<{
        experimentTemplates: { id: string; tags?: Record<string, string> }[];
        nextToken?: string;
      }>("GET", `/experimentTemplates${token ? `?nextToken=${encodeURIComponent(token)}` : ""}`);
      for (const t of r.experimentTemplates) if (t.tags?.[key] === value) ids.push(t.id);
      token = r.nextToken;
    } while (token);
    return ids;
  }

  async start(templateId: string, tags: Record<string, string>): Promise<FisExperiment> {
    const r = await this.call<{ experiment: FisExperiment }>("POST", "/experiments", {
      clientToken: randomUUID(),
      experimentTemplateId: templateId,
      tags,
    });
    return r.experiment;
  }

  async get(id: string): Promise<FisExperiment> {
    return (
      await this.call<{ experiment: FisExperiment }>(
        "GET",
        `/experiments/${encodeURIComponent(id)}`,
      )
    ).experiment;
  }

  async stop(id: string): Promise<FisExperiment> {
    return (
      await this.call<{ experiment: FisExperiment }>(
        "DELETE",
        `/experiments/${encodeURIComponent(id)}`,
      )
    ).experiment;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.endpoint);
    const text = body === undefined ? "" : JSON.stringify(body);
    const headers = sigV4Headers({
      method,
      url,
      body: text,
      region: this.region,
      service: "fis",
      credentials: this.credentials,
    });
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...headers,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: text } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new FisApiError(
        0,
        "Unreachable",
        `cannot reach FIS at ${this.endpoint} (${(err as Error).message})`,
      );
    }
    const raw = await res.text();
    let parsed: unknown = {};
    try {
      parsed = raw === "" ? {} : JSON.parse(raw);
    } catch {
      throw new FisApiError(res.status, `HTTP_${res.status}`, raw.slice(0, 200));
    }
    if (!res.ok) {
      const type = (res.headers.get("x-amzn-errortype") ?? `HTTP_${res.status}`).split(":")[0]!;
      const message = (parsed as { message?: string }).message ?? raw.slice(0, 200);
      throw new FisApiError(res.status, type, message);
    }
    return parsed as T;
  }
}
