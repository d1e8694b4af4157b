/**
 * What the hub tells an observer (the controller's metrics, controller/metrics/): compile
 * times and acks. Called synchronously on the hub's paths; an observer must be cheap and must
 * not throw.
 */
export interface HubObserver {
  /** One incremental compile (CompilePush) took `ms` milliseconds. */
  compiled(ms: number): void;
  /**
   * An agent acknowledged a push at `revision` (`connectedAtMs`: when its connection opened;
   * `nowMs`: the hub's clock).
   */
  acked(agentId: string, revision: number, connectedAtMs: number, nowMs: number): void;
}
