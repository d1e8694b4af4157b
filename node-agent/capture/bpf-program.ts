/**
 * A classic BPF interpreter (the program pcap_compile makes: struct bpf_insn {u16 code; u8 jt;
 * u8 jf; u32 k}, pcap/bpf.h), PURE: runs a capture filter on a packet in JavaScript, with the
 * semantics of libpcap's bpf_filter(): loads outside the packet, division or modulo by zero
 * and a jump outside the program reject the packet; the return value is the snap length (0 =
 * reject). Why not call libpcap per packet: a native call with a fresh buffer cost ~2.5 us per
 * captured packet (bench:capture); this costs tens of ns for a typical filter.
 */

/** Instruction classes, sizes, modes, operations (pcap/bpf.h). */
const BPF_LD = 0x00;
const BPF_LDX = 0x01;
const BPF_ST = 0x02;
const BPF_STX = 0x03;
const BPF_ALU = 0x04;
const BPF_JMP = 0x05;
const BPF_RET = 0x06;
const BPF_MISC = 0x07;

const BPF_W = 0x00;
const BPF_H = 0x08;
const BPF_B = 0x10;

const BPF_IMM = 0x00;
const BPF_ABS = 0x20;
const BPF_IND = 0x40;
const BPF_MEM = 0x60;
const BPF_LEN = 0x80;
const BPF_MSH = 0xa0;

const BPF_ADD = 0x00;
const BPF_SUB = 0x10;
const BPF_MUL = 0x20;
const BPF_DIV = 0x30;
const BPF_OR = 0x40;
const BPF_AND = 0x50;
const BPF_LSH = 0x60;
const BPF_RSH = 0x70;
const BPF_NEG = 0x80;
const BPF_MOD = 0x90;
const BPF_XOR = 0xa0;

const BPF_JA = 0x00;
const BPF_JEQ = 0x10;
const BPF_JGT = 0x20;
const BPF_JGE = 0x30;
const BPF_JSET = 0x40;

const BPF_X = 0x08;
const BPF_A = 0x10;
const BPF_TXA = 0x80;

const BPF_MEMWORDS = 16;
/** The scratch memory (M[]): single-threaded, and a program stores before it loads. */
const mem = new Uint32Array(BPF_MEMWORDS);

/** A program: its instructions as parallel arrays. */
export interface BpfProgram {
  readonly code: Uint16Array;
  readonly jt: Uint8Array;
  readonly jf: Uint8Array;
  readonly k: Uint32Array;
}

/** The program of `n` struct bpf_insn (8 bytes each, little-endian) in `bytes`. */
export function decodeBpfProgram(bytes: Uint8Array, n: number): BpfProgram {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const code = new Uint16Array(n);
  const jt = new Uint8Array(n);
  const jf = new Uint8Array(n);
  const k = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    code[i] = view.getUint16(i * 8, true);
    jt[i] = bytes[i * 8 + 2]!;
    jf[i] = bytes[i * 8 + 3]!;
    k[i] = view.getUint32(i * 8 + 4, true);
  }
  return { code, jt, jf, k };
}

/**
 * Runs `prog` on pkt[0, caplen) (`wirelen`: the packet's length on the wire, what BPF_LEN
 * loads). Returns what the program returns (0: rejected).
 */
export function runBpf(prog: BpfProgram, pkt: Uint8Array, wirelen: number): number {
  const { code, jt, jf, k } = prog;
  const n = code.length;
  const caplen = pkt.length;
  let a = 0;
  let x = 0;
  for (let pc = 0; pc < n; pc++) {
    const c = code[pc]!;
    const kk = k[pc]!;
    switch (c & 0x07) {
      case BPF_LD:
      case BPF_LDX: {
        const ldx = (c & 0x07) === BPF_LDX;
        const mode = c & 0xe0;
        let v: number;
        if (mode === BPF_IMM) v = kk;
        else if (mode === BPF_LEN) v = wirelen;
        else if (mode === BPF_MEM) {
          if (kk >= BPF_MEMWORDS) return 0;
          v = mem[kk]!;
        } else if (mode === BPF_MSH) {
          if (!ldx || kk >= caplen) return 0;
          v = (pkt[kk]! & 0x0f) << 2;
        } else if (mode === BPF_ABS || mode === BPF_IND) {
          if (ldx) return 0;
          const off = mode === BPF_IND ? x + kk : kk;
          if (off > 0xffffffff) return 0;
          const size = c & 0x18;
          if (size === BPF_W) {
            if (off + 4 > caplen) return 0;
            v =
              ((pkt[off]! << 24) | (pkt[off + 1]! << 16) | (pkt[off + 2]! << 8) | pkt[off + 3]!) >>>
              0;
          } else if (size === BPF_H) {
            if (off + 2 > caplen) return 0;
            v = (pkt[off]! << 8) | pkt[off + 1]!;
          } else if (size === BPF_B) {
            if (off >= caplen) return 0;
            v = pkt[off]!;
          } else return 0;
        } else return 0;
        if (ldx) x = v >>> 0;
        else a = v >>> 0;
        break;
      }
      case BPF_ST:
        if (kk >= BPF_MEMWORDS) return 0;
        mem[kk] = a;
        break;
      case BPF_STX:
        if (kk >= BPF_MEMWORDS) return 0;
        mem[kk] = x;
        break;
      case BPF_ALU: {
        const op = c & 0xf0;
        if (op === BPF_NEG) {
          a = -a >>> 0;
          break;
        }
        const v = (c & BPF_X) !== 0 ? x : kk;
        switch (op) {
          case BPF_ADD:
            a = (a + v) >>> 0;
            break;
          case BPF_SUB:
            a = (a - v) >>> 0;
            break;
          case BPF_MUL:
            a = Math.imul(a, v) >>> 0;
            break;
          case BPF_DIV:
            if (v === 0) return 0;
            a = Math.floor(a / v) >>> 0;
            break;
          case BPF_MOD:
            if (v === 0) return 0;
            a = (a % v) >>> 0;
            break;
          case BPF_OR:
            a = (a | v) >>> 0;
            break;
          case BPF_AND:
            a = (a & v) >>> 0;
            break;
          case BPF_XOR:
            a = (a ^ v) >>> 0;
            break;
          case BPF_LSH:
            a = v >= 32 ? 0 : (a << v) >>> 0;
            break;
          case BPF_RSH:
            a = v >= 32 ? 0 : a >>> v;
            break;
          default:
            return 0;
        }
        break;
      }
      case BPF_JMP: {
        const op = c & 0xf0;
        if (op === BPF_JA) {
          pc += kk;
          if (pc >= n) return 0;
          break;
        }
        const v = (c & BPF_X) !== 0 ? x : kk;
        let cond: boolean;
        if (op === BPF_JEQ) cond = a === v;
        else if (op === BPF_JGT) cond = a > v;
        else if (op === BPF_JGE) cond = a >= v;
        else if (op === BPF_JSET) cond = (a & v) !== 0;
        else return 0;
        pc += cond ? jt[pc]! : jf[pc]!;
        break;
      }
      case BPF_RET: {
        const src = c & 0x18;
        return src === BPF_A ? a : src === BPF_X ? x : kk;
      }
      case BPF_MISC:
        if ((c & 0xf8) === BPF_TXA) a = x;
        else x = a;
        break;
    }
  }
  return 0; // fell off the end (pcap_compile never makes such a program)
}
