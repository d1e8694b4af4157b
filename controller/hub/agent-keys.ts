/**
 * Agent credentials (docs/agent.md "Agent identity"). Each agent id has one key, derived from the
 * controller's agent secret:
 *
 *   agentKey(id) = lowercase hex of HMAC-SHA256(key = agent secret (UTF-8),
 *                                               message = "vpcemu-agent-key:" + id)
 *
 * so the controller verifies a Hello without storing a key per agent, and a runtime that holds
 * the secret (`vpcemu up`, compose, the testcontainers module) can hand each agent its key
 * without a round trip. Agents never learn the secret: only their own key.
 * testcontainers/ and scripts/docker/compose-agent.sh repeat the formula (they import neither app).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefix of the HMAC message; changing it invalidates every key issued. */
export const AGENT_KEY_CONTEXT = "vpcemu-agent-key:";

/** The key of `agentId` under `secret` (64 lowercase hex digits). */
export function deriveAgentKey(secret: string, agentId: string): string {
  return createHmac("sha256", secret)
    .update(AGENT_KEY_CONTEXT + agentId)
    .digest("hex");
}

/** A fresh agent secret: 32 random bytes as hex. */
export function newAgentSecret(): string {
  return randomBytes(32).toString("hex");
}

/** Constant-time string equality (join tokens, agent keys). */
export function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
