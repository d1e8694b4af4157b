import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EC2Client } from "@aws-sdk/client-ec2";
import {
  createEc2Handler,
  readRequestBody,
  type Ec2HandlerOptions,
} from "../../controller/ec2/handler.js";
import { StateStore, type StateStoreOptions } from "../../controller/store/state-store.js";

/** A running EC2 Query endpoint on loopback around createEc2Handler (until server.ts exists). */
export interface Ec2TestServer extends AsyncDisposable {
  readonly store: StateStore;
  readonly endpoint: string;
  readonly port: number;
  /** An SDK v3 client for the endpoint (any static credentials). */
  client(credentials?: { accessKeyId: string; secretAccessKey: string }): EC2Client;
  close(): Promise<void>;
}

export interface Ec2TestServerOptions extends Ec2HandlerOptions {
  /** State path; default ":memory:". */
  readonly statePath?: string;
  readonly store?: StateStoreOptions;
  /** Port to bind (default 0 = any free port). */
  readonly port?: number;
}

/** Starts a node:http server on 127.0.0.1 serving `/` with the EC2 handler. */
export async function startEc2Server(opts: Ec2TestServerOptions = {}): Promise<Ec2TestServer> {
  const store = StateStore.open(opts.statePath ?? ":memory:", opts.store ?? {});
  const handler = createEc2Handler(store, opts);
  const server: Server = createServer((req, res) => {
    readRequestBody(req)
      .then((body) => handler(req, res, body))
      .catch(() => {
        res.statusCode = 400;
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: EC2Client[] = [];
  const close = async () => {
    for (const c of clients) c.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
  };
  return {
    store,
    endpoint,
    port,
    client(credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" }) {
      const c = new EC2Client({
        endpoint,
        region: opts.region ?? "us-east-1",
        credentials,
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
