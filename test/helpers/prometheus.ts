/**
 * Scrapes a /metrics endpoint over HTTP and reads it with a real Prometheus text-format parser
 * (parse-prometheus-text-format, prom2json's output shape), for the metrics tests.
 */
import parsePrometheusTextFormat, {
  type ParsedFamily,
  type ParsedSample,
} from "parse-prometheus-text-format";

/** One scrape: the families by name, and the response's content type. */
export interface Scrape {
  readonly contentType: string;
  readonly families: ReadonlyMap<string, ParsedFamily>;
}

/** GET `url` (…/metrics) and parse it; throws on a non-200 answer. */
export async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(url);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${text}`);
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  return { contentType: res.headers.get("content-type") ?? "", families };
}

/** The samples of `name` whose labels include `labels`. */
export function samples(
  s: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): ParsedSample[] {
  const f = s.families.get(name);
  if (f === undefined) return [];
  return f.metrics.filter((m) =>
    Object.entries(labels).every(([k, v]) => (m.labels ?? {})[k] === v),
  );
}

/** The value of the one sample of `name` with `labels` (undefined when there is none). */
export function value(
  s: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const m = samples(s, name, labels);
  if (m.length > 1) throw new Error(`${name} ${JSON.stringify(labels)}: ${m.length} samples`);
  return m[0]?.value === undefined ? undefined : Number(m[0].value);
}

/** A histogram's observation count (the one series of `name` with `labels`). */
export function histogramCount(
  s: Scrape,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const m = samples(s, name, labels);
  if (m.length !== 1) throw new Error(`${name}: ${m.length} series`);
  return Number(m[0]!.count);
}
