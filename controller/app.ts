/**
 * The controller's composition root: state store (SQLite), EC2 Query API, policy compiler and
 * agent hub, JSON API, one HTTP listener. cli/commands/controller.ts and the local runtime
 * start it; tests start it in-process on port 0.
 *
 *   new Controller(config) --start()--> StartedController --stop() / await using--> stopped
 *
 * A Controller starts once; StartedController is AsyncDisposable (STYLE.md §4.10).
 */
import { hubExplainer } from "./explain/hub-sources.js";
import type { AddressInfo } from "node:net";
import { createEc2Handler } from "./ec2/handler.js";
import { StateStore } from "./store/state-store.js";
import { createJsonApi } from "./api/routes.js";
import { hubWhatIfSource } from "./whatif/hub-source.js";
import { WhatIf } from "./whatif/whatif.js";
import { whatIfRoute } from "./whatif/whatif-route.js";
import { AuditService } from "./audit/audit-service.js";
import { CaptureService } from "./capture/capture-service.js";
import { TraceService } from "./traces/trace-service.js";
import { AGENT_WS_PATH, AgentHub, type KnownAgent } from "./hub/agent-hub.js";
import { FaultService } from "./hub/fault-service.js";
import { createControllerServer } from "./server.js";
import {
  resolveControllerConfig,
  type ControllerConfig,
  type ResolvedControllerConfig,
} from "./config.js";
import { systemClock, type Clock } from "./clock.js";
import { AlarmRegistry } from "./fis/alarms.js";
import { FisEngine } from "./fis/engine.js";
import { FisStore } from "./fis/fis-store.js";
import { attachFisEngine } from "./fis/handler.js";
import { newAgentSecret } from "./hub/agent-keys.js";
import type { HubObserver } from "./hub/hub-observer.js";
import { ControllerMetrics } from "./metrics/controller-metrics.js";
import { FlowLogDelivery } from "./reports/flow-log-delivery.js";
import { flowLogStoreOf } from "./store/flow-log-ops.js";

/** StateStore side value holding the hub's known agents (AgentHub PolicySource.saveAgents). */
const KNOWN_AGENTS_KEY = "hub.known-agents";
/** StateStore side value holding the agent secret when none is configured (agent-keys.ts). */
const AGENT_SECRET_KEY = "hub.agent-secret";

export interface StartedController extends AsyncDisposable {
  /** http://HOST:PORT (wildcard listens are shown as loopback). */
  readonly url: string;
  /** Endpoint for EC2 SDKs / the aws CLI (--endpoint-url): the same as url. */
  readonly ec2Endpoint: string;
  /** ws://HOST:PORT/v1/agents/ws: what agents connect to. */
  readonly agentUrl: string;
  readonly port: number;
  readonly config: ResolvedControllerConfig;
  readonly store: StateStore;
  readonly hub: AgentHub;
  /**
   * Chaos faults, as the JSON API's /v1/faults serves them: `faults.add(body)` takes the
   * POST /v1/faults body and returns the view (throws HubError EMU_ERR_FAULT_INVALID).
   */
  readonly faults: FaultService;
  /**
   * Verdict traces, as /v1/traces serves them (controller/traces/trace-service.ts): `create(body)`
   * resolves once the agents trace, `events(id, since, limit)` pages; errors are HubErrors.
   */
  readonly traces: TraceService;
  /** vpcemu alarms (/v1/alarms): the source of FIS stop conditions (docs/fis.md). */
  readonly alarms: AlarmRegistry;
  /** The AWS FIS engine (templates, experiments) the `fis` service answers from. */
  readonly fis: FisEngine;
  /** Prometheus metrics (GET /metrics; docs/observability.md). */
  readonly metrics: ControllerMetrics;
  /** The store's current (persisted) revision. */
  revision(): number;
  /** Resolves when every connected agent enforces `revision`; rejects (EMU_ERR_HUB_NOT_ENFORCED) after timeoutMs. */
  waitForEnforced(revision: number, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ControllerDeps {
  readonly clock?: Clock;
  /**
   * FIS durations run this many real ms per FIS ms (tests: 0.001 runs PT1M in 60 ms); default 1.
   * Not a user setting: FIS's ranges (PT1M..PT12H) are checked on the unscaled values.
   */
  readonly fisTimeScale?: number;
}

export class Controller {
  private started = false;
  readonly config: ResolvedControllerConfig;

  /** Validates the configuration at once (throws ConfigError). */
  constructor(
    config: ControllerConfig = {},
    private readonly deps: ControllerDeps = {},
  ) {
    this.config = resolveControllerConfig(config);
  }

  async start(): Promise<StartedController> {
    if (this.started) throw new Error("Controller.start() called twice; make a new Controller");
    this.started = true;
    const cfg = this.config;
    const store = StateStore.open(cfg.statePath);
    let hub: AgentHub | undefined;
    let faults: FaultService | undefined;
    let fis: FisEngine | undefined;
    let unobserve: (() => void) | undefined;
    const clock = this.deps.clock ?? systemClock;
    // Why forward: the hub is built before the metrics that read it.
    let metrics: ControllerMetrics | undefined;
    const observer: HubObserver = {
      compiled: (ms) => metrics?.compiled(ms),
      acked: (agentId, revision, since, now) => metrics?.acked(agentId, revision, since, now),
    };
    try {
      hub = new AgentHub({
        source: {
          revision: () => store.revision(),
          readPolicyState: () => store.readPolicyState(),
          onChange: (listener) => store.onChange(listener),
          // Known agents survive a controller restart, so the first agent to reconnect gets the
          // last endpoints of peers still in reconnect backoff (the hub validates each row).
          loadAgents: () => {
            const saved = store.readSideValue(KNOWN_AGENTS_KEY);
            return Array.isArray(saved) ? (saved as KnownAgent[]) : [];
          },
          saveAgents: (agents) => store.writeSideValue(KNOWN_AGENTS_KEY, agents),
        },
        ...(cfg.joinToken !== undefined ? { joinToken: cfg.joinToken } : {}),
        // Why kept in the state: keys issued to agents must stay valid across a restart.
        agentSecret: cfg.agentSecret ?? persistedAgentSecret(store),
        // Auth mode (--auth-keys) makes the hub require a token too: a join token, or the key of
        // an agent the runtime provisioned (docs/agent.md "Agent identity", json-api.md "Auth mode").
        requireAgentKeys: cfg.agentSecret !== undefined || cfg.authKeys !== undefined,
        clock: this.deps.clock ?? systemClock,
        heartbeatIntervalMs: cfg.heartbeatIntervalMs,
        heartbeatTimeoutMs: cfg.heartbeatTimeoutMs,
        compile: { defaultAllowance: cfg.conntrackMax },
        log: (l) => cfg.log(`vpcemu hub: ${l}`),
        observer,
      });
      const ec2 = createEc2Handler(store, {
        region: cfg.region,
        accountId: cfg.accountId,
        ...(cfg.authKeys !== undefined ? { auth: { keys: cfg.authKeys } } : {}),
        logger: {
          error: (msg, fields) =>
            cfg.log(`vpcemu ec2: ${msg}${fields ? ` ${JSON.stringify(fields)}` : ""}`),
        },
      });
      const h = hub;
      const f = new FaultService({
        store,
        hub: h,
        clock: this.deps.clock ?? systemClock,
        log: (l) => cfg.log(`vpcemu faults: ${l}`),
      });
      faults = f;
      // Past-due faults (a restart after their end) expire now, before anyone connects.
      f.start();
      const alarms = new AlarmRegistry(store);
      const engine = new FisEngine({
        store,
        fis: new FisStore(store.sideDatabase()),
        faults: f,
        alarms,
        ...(this.deps.fisTimeScale !== undefined ? { timeScale: this.deps.fisTimeScale } : {}),
        log: (l) => cfg.log(`vpcemu ${l}`),
      });
      fis = engine;
      // An experiment a previous run left running is rolled back (no clone NACL, no stopped
      // instance left) and marked failed, before anyone connects.
      engine.start();
      attachFisEngine(store, engine);
      // EC2 flow logs: agents' records become each flow log's lines (JSON API, files).
      const flowLogStore = flowLogStoreOf(store);
      const delivery = new FlowLogDelivery({
        flowLogs: flowLogStore,
        reader: () => store.reader(),
        log: (l) => cfg.log(`vpcemu flow logs: ${l}`),
      });
      const unflow = h.reports.onFlowLogs((records) => {
        try {
          delivery.deliver(records);
        } catch (err) {
          cfg.log(`vpcemu flow logs: ${(err as Error).message}`);
        }
      });
      // Packet captures (vpcemu capture): agents stream pcapng through the hub to the client.
      const captures = new CaptureService(h, (l) => cfg.log(`vpcemu capture: ${l}`));
      // Verdict traces (/v1/traces): agents stream their verdict events through the hub.
      const traces = new TraceService(h);
      // What-if (controller/whatif/): proposed EC2 calls judged against the live flows.
      const whatifSource = hubWhatIfSource(h);
      const whatif = new WhatIf({
        store,
        source: whatifSource,
        region: ec2.context.defaultRegion,
        accountId: ec2.context.defaultAccountId,
      });
      const api = createJsonApi({
        captures,
        traces,
        flowLogs: {
          get: (id) => flowLogStore.get(id),
          entriesOf: (id, n) => delivery.entriesOf(id, n),
        },
        revision: () => store.revision(),
        hub: h,
        faults: f,
        alarms,
        whatif: whatIfRoute(whatif),
        audit: new AuditService(store, h.reports),
        readPolicyState: () => store.readPolicyState(),
        explain: hubExplainer(h, () => store.readPolicyState()),
        log: (l) => cfg.log(`vpcemu api: ${l}`),
      });
      const m = new ControllerMetrics({
        revision: () => store.revision(),
        hub: h,
        faults: () => f.list(),
      });
      metrics = m;
      unobserve = store.onChange((change) => m.revisionProduced(change.revision, clock.now()));
      const server = createControllerServer({
        ec2,
        api,
        hub: h,
        metrics: m,
        log: (l) => cfg.log(`vpcemu http: ${l}`),
      });
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(cfg.port, cfg.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      const port = (server.address() as AddressInfo).port;
      const shownHost = cfg.host === "0.0.0.0" ? "127.0.0.1" : cfg.host === "::" ? "::1" : cfg.host;
      const hostPart = shownHost.includes(":") ? `[${shownHost}]` : shownHost;
      const url = `http://${hostPart}:${port}`;
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> =>
        (stopping ??= (async () => {
          unobserve?.();
          unflow();
          delivery.close();
          engine.close();
          f.close();
          whatifSource.close();
          captures.close();
          traces.close();
          await h.close();
          await delivery.flushed();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
          store.close();
        })());
      return {
        url,
        ec2Endpoint: url,
        agentUrl: `ws://${hostPart}:${port}${AGENT_WS_PATH}`,
        port,
        config: cfg,
        store,
        hub: h,
        faults: f,
        traces,
        alarms,
        fis: engine,
        metrics: m,
        revision: () => store.revision(),
        waitForEnforced: (revision, timeoutMs) => h.waitForEnforced(revision, timeoutMs),
        stop,
        [Symbol.asyncDispose]: stop,
      };
    } catch (err) {
      unobserve?.();
      fis?.close();
      faults?.close();
      await hub?.close();
      store.close();
      throw err;
    }
  }
}

/** The agent secret kept beside the state (created on first use). */
function persistedAgentSecret(store: {
  readSideValue(key: string): unknown;
  writeSideValue(key: string, value: unknown): void;
}): string {
  const saved = store.readSideValue(AGENT_SECRET_KEY);
  if (typeof saved === "string" && saved.length >= 32) return saved;
  const secret = newAgentSecret();
  store.writeSideValue(AGENT_SECRET_KEY, secret);
  return secret;
}
