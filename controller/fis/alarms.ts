/**
 * vpcemu alarms (docs/fis.md "Stop conditions"): named OK/ALARM flags that stand in for
 * CloudWatch alarms. The JSON API sets and reads them (`PUT /v1/alarms/{name}`,
 * `GET /v1/alarms`, `GET /v1/alarms/{name}`); a FIS stop condition
 * `aws:cloudwatch:alarm` whose ARN ends in `:alarm:NAME` watches the alarm NAME. Kept beside
 * the state (StateStore side value), so they survive a restart; not policy state.
 */
import { HubError } from "../hub/hub-errors.js";
import { userText } from "../user-text.js";
import type { StateStore } from "../store/state-store.js";

export type AlarmStateValue = "OK" | "ALARM";

export interface AlarmView {
  readonly name: string;
  readonly state: AlarmStateValue;
  readonly reason: string;
  /** ISO 8601 time of the last PUT. */
  readonly updatedAt: string;
}

const SIDE_KEY = "fis.alarms";
const NAME_RE = /^[A-Za-z0-9._\-]{1,255}$/;

/** Set / read alarms; listeners hear every change. */
export class AlarmRegistry {
  private readonly alarms = new Map<string, AlarmView>();
  private readonly listeners = new Set<(alarm: AlarmView) => void>();

  constructor(private readonly store: StateStore) {
    const saved = store.readSideValue(SIDE_KEY);
    if (Array.isArray(saved))
      for (const a of saved as AlarmView[])
        if (typeof a?.name === "string" && (a.state === "OK" || a.state === "ALARM"))
          this.alarms.set(a.name, a);
  }

  /** PUT body `{"state": "ALARM"|"OK", "reason": "..."}`; throws EMU_ERR_API_ALARM_INVALID. */
  put(name: string, body: unknown): AlarmView {
    if (!NAME_RE.test(name))
      throw new HubError(
        "EMU_ERR_API_ALARM_INVALID",
        `name '${name}' (1..255 of A-Z a-z 0-9 . _ -)`,
      );
    if (typeof body !== "object" || body === null || Array.isArray(body))
      throw new HubError("EMU_ERR_API_ALARM_INVALID", 'the body is {"state": "ALARM"|"OK"}');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b))
      if (k !== "state" && k !== "reason")
        throw new HubError("EMU_ERR_API_ALARM_INVALID", `unknown field '${k}'`);
    if (b["state"] !== "OK" && b["state"] !== "ALARM")
      throw new HubError(
        "EMU_ERR_API_ALARM_INVALID",
        `state '${userText(b["state"])}' (ALARM or OK)`,
      );
    if (b["reason"] !== undefined && typeof b["reason"] !== "string")
      throw new HubError("EMU_ERR_API_ALARM_INVALID", "reason must be a string");
    const view: AlarmView = {
      name,
      state: b["state"],
      reason: (b["reason"] as string | undefined) ?? "",
      updatedAt: new Date().toISOString(),
    };
    this.alarms.set(name, view);
    this.store.writeSideValue(SIDE_KEY, [...this.alarms.values()]);
    for (const l of this.listeners) l(view);
    return view;
  }

  list(): AlarmView[] {
    return [...this.alarms.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): AlarmView {
    const a = this.alarms.get(name);
    if (a === undefined) throw new HubError("EMU_ERR_API_ALARM_NOT_FOUND", name);
    return a;
  }

  /** The alarm's state; an alarm never set is OK (INSUFFICIENT_DATA does not stop FIS). */
  stateOf(name: string): AlarmStateValue {
    return this.alarms.get(name)?.state ?? "OK";
  }

  onChange(listener: (alarm: AlarmView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
