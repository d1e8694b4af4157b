/**
 * The underlay between agents (STYLE.md §4.1, §5): batched datagrams to an endpoint. Each
 * datagram is one Geneve-encapsulated packet (overlay/geneve.ts). Implementations: UdpTransport
 * (overlay/udp-transport.ts, node:dgram) and the in-memory bus (test/helpers/memory-transport.ts).
 */

/**
 * An underlay address, "host:port" ("127.0.0.1:7001", "[::1]:7001"): the form the mapping table
 * carries (MappingEntry.endpoint) and the form `from` takes on receive, so anti-spoofing compares
 * strings.
 */
export type Endpoint = string;

export interface Transport {
  /** Where this transport receives (what the agent announces in Hello). */
  readonly localEndpoint: Endpoint;
  /**
   * Sends each datagram to `to`. The caller may reuse the buffers once the promise resolves.
   * Delivery is best effort (like UDP): a lost datagram is not an error.
   */
  sendBatch(datagrams: Uint8Array[], to: Endpoint): Promise<void>;
  /** Registers the receiver; `data` is valid only during the callback (copy to keep it). */
  onReceive(cb: (data: Uint8Array, from: Endpoint) => void): void;
  close(): Promise<void>;
}

/** "host:port" of an address and port (IPv6 hosts in brackets). */
export function formatEndpoint(host: string, port: number): Endpoint {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Splits "host:port" / "[v6]:port"; throws RangeError on a malformed endpoint. */
export function parseEndpoint(ep: Endpoint): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(ep);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new RangeError(`endpoint must be HOST:PORT, got '${ep}'`);
  }
  return { host: (m[1] ?? m[2])!, port };
}
