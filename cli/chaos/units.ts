/**
 * Values with units, as `vpcemu chaos` flags take them: durations (`50ms`, `1.5s`), percentages
 * (`5%`, `0.1%`), rates in tc's units (`10mbit`, `1gbit`, `500kbps`), byte sizes (`256KiB`) and
 * plain counts. Parsing is strict: a number without its unit, an unknown unit or a value out of
 * range is refused with a message naming the flag and the value as typed
 * (`--delay 50: a duration needs a unit: us, ms, s, m or h (e.g. 50ms)`). Pure functions; the
 * caller turns UnitError into a usage error.
 */

/** A value the user typed that does not parse or is out of range; the message says why. */
export class UnitError extends Error {
  override readonly name = "UnitError";
}

const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)/;

/** Milliseconds per duration unit (tc accepts us/usec, ms/msec, s/sec; we add m and h). */
const DURATION_UNITS: Record<string, number> = {
  us: 0.001,
  usec: 0.001,
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration such as `50ms`, `1.5s`, `500us`, `2m` into milliseconds (may be
 * fractional). `what` names the flag in errors.
 */
export function parseDuration(
  what: string,
  text: string,
  limits: { minMs?: number; maxMs?: number; allowZero?: boolean } = {},
): number {
  const { value, unit } = splitNumber(what, text, "a duration");
  if (value === 0 && limits.allowZero !== true) {
    throw new UnitError(`${what} ${text}: must be longer than 0`);
  }
  if (unit === "") {
    throw new UnitError(
      `${what} ${text}: a duration needs a unit: us, ms, s, m or h (e.g. ${text}ms)`,
    );
  }
  const factor = Object.hasOwn(DURATION_UNITS, unit.toLowerCase())
    ? DURATION_UNITS[unit.toLowerCase()]
    : undefined;
  if (factor === undefined) {
    throw new UnitError(`${what} ${text}: unknown duration unit '${unit}' (use us, ms, s, m or h)`);
  }
  const ms = value * factor;
  if (ms === 0 && limits.allowZero !== true) {
    throw new UnitError(`${what} ${text}: must be longer than 0`);
  }
  if (limits.minMs !== undefined && ms < limits.minMs) {
    throw new UnitError(`${what} ${text}: must be at least ${formatDuration(limits.minMs)}`);
  }
  if (limits.maxMs !== undefined && ms > limits.maxMs) {
    throw new UnitError(`${what} ${text}: must be at most ${formatDuration(limits.maxMs)}`);
  }
  return ms;
}

/** Parses a duration that must be a whole number of seconds (conntrack timeouts). */
export function parseSeconds(
  what: string,
  text: string,
  limits: { min?: number; max?: number } = {},
): number {
  const ms = parseDuration(what, text, {
    ...(limits.min !== undefined ? { minMs: limits.min * 1000 } : {}),
    ...(limits.max !== undefined ? { maxMs: limits.max * 1000 } : {}),
  });
  if (ms % 1000 !== 0) throw new UnitError(`${what} ${text}: must be a whole number of seconds`);
  return ms / 1000;
}

/**
 * Parses a percentage `5%`, `0.1%`, `100%` into its number (5, 0.1, 100). The `%` is required:
 * tc reads `5` as 5 % but other tools read it as a fraction, so we make the user say it.
 */
export function parsePercent(
  what: string,
  text: string,
  limits: { allowZero?: boolean } = {},
): number {
  const { value, unit } = splitNumber(what, text, "a percentage");
  if (unit !== "%") {
    throw new UnitError(
      unit === ""
        ? `${what} ${text}: a percentage needs its '%' (e.g. ${text}%)`
        : `${what} ${text}: expected a percentage such as 5% or 0.1%`,
    );
  }
  if (value > 100) throw new UnitError(`${what} ${text}: must be within 0%..100%`);
  if (value === 0 && limits.allowZero !== true) {
    throw new UnitError(`${what} ${text}: must be above 0%`);
  }
  return value;
}

/** Bits per second per rate unit: tc's `bit`/`kbit`/... (SI) and `kibit`/... (IEC); `bps` is bytes/s. */
const RATE_UNITS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
  tibit: 1024 ** 4,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
  tbps: 8e12,
  kibps: 8 * 1024,
  mibps: 8 * 1024 ** 2,
  gibps: 8 * 1024 ** 3,
  tibps: 8 * 1024 ** 4,
};

/** Parses a rate in tc's units (`10mbit`, `500kbps` = bytes/s, `1gibit`) into bits per second. */
export function parseRate(what: string, text: string): number {
  const { value, unit } = splitNumber(what, text, "a rate");
  if (value === 0) throw new UnitError(`${what} ${text}: must be above 0`);
  if (unit === "") {
    throw new UnitError(
      `${what} ${text}: a rate needs a unit: bit, kbit, mbit, gbit (bits/s) or bps, kbps, mbps (bytes/s), e.g. ${text}mbit`,
    );
  }
  const factor = Object.hasOwn(RATE_UNITS, unit.toLowerCase())
    ? RATE_UNITS[unit.toLowerCase()]
    : undefined;
  if (factor === undefined) {
    throw new UnitError(
      `${what} ${text}: unknown rate unit '${unit}' (use bit, kbit, mbit, gbit, tbit, kibit..., or bps, kbps, mbps, gbps for bytes/s)`,
    );
  }
  const bits = Math.round(value * factor);
  if (bits <= 0) throw new UnitError(`${what} ${text}: must be above 0`);
  if (bits < 8) throw new UnitError(`${what} ${text}: must be at least 8bit (one byte per second)`);
  return bits;
}

/** Bytes per size unit (`b`, `kb`/`k` = 1000, `kib` = 1024, ...). */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  kib: 1024,
  mib: 1024 ** 2,
};

/** Parses a byte size (`256KiB`, `64kb`, `1500b`) into a whole number of bytes. */
export function parseSize(what: string, text: string, limits: { max?: number } = {}): number {
  const { value, unit } = splitNumber(what, text, "a size");
  if (value === 0) throw new UnitError(`${what} ${text}: must be above 0`);
  if (unit === "") {
    throw new UnitError(
      `${what} ${text}: a size needs a unit: b, kb, KiB, mb or MiB (e.g. ${text}b)`,
    );
  }
  const factor = Object.hasOwn(SIZE_UNITS, unit.toLowerCase())
    ? SIZE_UNITS[unit.toLowerCase()]
    : undefined;
  if (factor === undefined) {
    throw new UnitError(`${what} ${text}: unknown size unit '${unit}' (use b, kb, KiB, mb or MiB)`);
  }
  const bytes = Math.round(value * factor);
  if (bytes <= 0) throw new UnitError(`${what} ${text}: must be above 0`);
  if (limits.max !== undefined && bytes > limits.max) {
    throw new UnitError(`${what} ${text}: must be at most ${limits.max} bytes`);
  }
  return bytes;
}

/** Parses a whole number within [min, max] (counts, seeds, gaps). */
export function parseCount(what: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text)) {
    throw new UnitError(`${what} ${text}: expected a whole number`);
  }
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UnitError(`${what} ${text}: must be within ${min}..${max}`);
  }
  return n;
}

/** A short human form of milliseconds: `500us`, `50ms`, `1.5s`, `2m`, `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms < 1) return `${round(ms * 1000)}us`;
  if (ms < 1000) return `${round(ms)}ms`;
  if (ms <= 60_000) return `${round(ms / 1000)}s`;
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000);
    const s = Math.round((ms - m * 60_000) / 1000);
    return s === 0 ? `${m}m` : `${m}m${s}s`;
  }
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms - h * 3_600_000) / 60_000);
  return m === 0 ? `${h}h` : `${h}h${m}m`;
}

/** tc's way of printing a rate: `10mbit`, `1.5gbit`, `800kbit`, `64bit`. */
export function formatRate(bitsPerSecond: number): string {
  for (const [unit, f] of [
    ["tbit", 1e12],
    ["gbit", 1e9],
    ["mbit", 1e6],
    ["kbit", 1e3],
  ] as const) {
    if (bitsPerSecond >= f) return `${round(bitsPerSecond / f)}${unit}`;
  }
  return `${bitsPerSecond}bit`;
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** `12.5ms` -> 12.5 and "ms"; a text that does not start with a number is refused. */
function splitNumber(what: string, text: string, kind: string): { value: number; unit: string } {
  const trimmed = text.trim();
  const m = NUMBER.exec(trimmed);
  if (!m) {
    throw new UnitError(
      trimmed.startsWith("-")
        ? `${what} ${text}: must not be negative`
        : `${what} ${text === "" ? "''" : text}: expected ${kind}`,
    );
  }
  return { value: Number(m[1]), unit: trimmed.slice(m[1]!.length) };
}
