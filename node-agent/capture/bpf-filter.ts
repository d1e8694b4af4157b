/**
 * Capture filters in libpcap's own syntax (pcap-filter(7): `icmp`, `tcp port 3306`,
 * `host 10.0.2.20 and not arp`), compiled by the system's libpcap (Debian libpcap0.8, loaded
 * through koffi) for raw IP packets (DLT_RAW), so a filter means exactly what it means to
 * tcpdump. The compiled BPF program runs per packet in JavaScript (bpf-program.ts, libpcap's
 * bpf_filter semantics; a native call per packet cost more than the capture itself); tests
 * compare its decisions with libpcap's pcap_offline_filter. A filter that does not compile is
 * refused with libpcap's own message (pcap_geterr).
 *
 * Only captures use it: nothing here runs on the data path unless a capture is on.
 */
import koffi from "koffi";
import { decodeBpfProgram, runBpf, type BpfProgram } from "./bpf-program.js";

/** DLT_RAW on Linux (pcap/dlt.h): packets begin with the IP header. */
const DLT_RAW = 12;
/** PCAP_NETMASK_UNKNOWN: `ip broadcast` is then an error rather than a guess. */
const PCAP_NETMASK_UNKNOWN = 0xffffffff;
/** Snap length the filter is compiled for (libpcap's default). */
const FILTER_SNAPLEN = 262144;
/** sizeof(struct bpf_program) and sizeof(struct pcap_pkthdr) on 64-bit Linux. */
const BPF_PROGRAM_BYTES = 16;
const PKTHDR_BYTES = 24;
/** Longest filter expression accepted (tcpdump has no limit; a JSON body has 1 MiB). */
export const MAX_FILTER_LENGTH = 4096;

interface Libpcap {
  open_dead(linktype: number, snaplen: number): unknown;
  compile(p: unknown, prog: Uint8Array, expr: string, optimize: number, netmask: number): number;
  geterr(p: unknown): string;
  offline_filter(prog: Uint8Array, hdr: Uint8Array, pkt: Uint8Array): number;
  freecode(prog: Uint8Array): void;
  close(p: unknown): void;
}

let libpcap: Libpcap | string | undefined;

/** libpcap's functions, or why they cannot be loaded. */
function loadLibpcap(): Libpcap | string {
  if (libpcap !== undefined) return libpcap;
  for (const name of ["libpcap.so.0.8", "libpcap.so.1", "libpcap.so"]) {
    try {
      const lib = koffi.load(name);
      const pcapT = koffi.pointer("pcap_t", koffi.opaque());
      libpcap = {
        open_dead: lib.func("pcap_open_dead", pcapT, ["int", "int"]) as Libpcap["open_dead"],
        compile: lib.func("pcap_compile", "int", [
          pcapT,
          "void *",
          "const char *",
          "int",
          "uint32_t",
        ]) as Libpcap["compile"],
        geterr: lib.func("pcap_geterr", "const char *", [pcapT]) as Libpcap["geterr"],
        offline_filter: lib.func("pcap_offline_filter", "int", [
          "void *",
          "void *",
          "void *",
        ]) as Libpcap["offline_filter"],
        freecode: lib.func("pcap_freecode", "void", ["void *"]) as Libpcap["freecode"],
        close: lib.func("pcap_close", "void", [pcapT]) as Libpcap["close"],
      };
      return libpcap;
    } catch {
      // Why: try the next name (Debian ships libpcap.so.0.8; others libpcap.so.1).
    }
  }
  libpcap =
    "libpcap is missing: capture filters need the system's libpcap (Debian: apt-get install libpcap0.8)";
  return libpcap;
}

/** A compiled filter; match() asks libpcap whether a raw IP packet passes. free() when done. */
export interface CaptureFilter {
  /** The expression as given ("" = every packet). */
  readonly expression: string;
  /** True when the IP packet `pkt` (origLen bytes on the wire) passes. */
  match(pkt: Uint8Array, origLen?: number): boolean;
  /** The same decision by libpcap's pcap_offline_filter (tests compare the two). */
  matchWithLibpcap(pkt: Uint8Array, origLen?: number): boolean;
  free(): void;
}

const EVERYTHING: CaptureFilter = {
  expression: "",
  match: () => true,
  matchWithLibpcap: () => true,
  free: () => undefined,
};

/**
 * Compiles `expression` for raw IP packets. Returns the filter, or the reason it is refused:
 * libpcap's message for a syntax error (e.g. "syntax error in filter expression: syntax
 * error"), a too-long expression, or a missing libpcap. "" (or only spaces) matches everything.
 */
export function compileCaptureFilter(expression: string): CaptureFilter | string {
  if (expression.trim() === "") return EVERYTHING;
  if (expression.length > MAX_FILTER_LENGTH) {
    return `capture filter longer than ${MAX_FILTER_LENGTH} characters`;
  }
  if (expression.includes("\0")) return "capture filter contains a NUL character";
  const pcap = loadLibpcap();
  if (typeof pcap === "string") return pcap;
  const handle = pcap.open_dead(DLT_RAW, FILTER_SNAPLEN);
  if (handle === null) return "libpcap could not open a handle for raw IP";
  const prog = new Uint8Array(BPF_PROGRAM_BYTES);
  try {
    if (pcap.compile(handle, prog, expression, 1, PCAP_NETMASK_UNKNOWN) !== 0) {
      return pcap.geterr(handle);
    }
  } finally {
    pcap.close(handle);
  }
  const count = new DataView(prog.buffer).getUint32(0, true);
  const insns = koffi.decode(prog, 8, "void *") as unknown;
  const program: BpfProgram = decodeBpfProgram(
    koffi.decode(insns, koffi.array("uint8_t", count * 8)) as Uint8Array,
    count,
  );
  const hdr = new Uint8Array(PKTHDR_BYTES);
  const hdrView = new DataView(hdr.buffer);
  let freed = false;
  return {
    expression,
    match(pkt: Uint8Array, origLen = pkt.length): boolean {
      if (freed) return false;
      return runBpf(program, pkt, origLen) !== 0;
    },
    matchWithLibpcap(pkt: Uint8Array, origLen = pkt.length): boolean {
      if (freed) return false;
      hdrView.setUint32(16, pkt.length, true); // caplen
      hdrView.setUint32(20, origLen, true); // len
      return pcap.offline_filter(prog, hdr, pkt) !== 0;
    },
    free(): void {
      if (freed) return;
      freed = true;
      pcap.freecode(prog);
    },
  };
}
