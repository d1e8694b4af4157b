import { describe, expect, it } from "vitest";
import { deriveAgentKey, sameSecret } from "../../../../controller/hub/agent-keys.js";
import { agentKeyFor } from "../../../../testcontainers/attach.js";

describe("agent keys (docs/agent.md 'Agent identity')", () => {
  it("derives hex HMAC-SHA256(secret, 'vpcemu-agent-key:' + id), as the module does", () => {
    // openssl: printf 'vpcemu-agent-key:agent-web' | openssl dgst -sha256 -hmac abc
    expect(deriveAgentKey("abc", "agent-web")).toBe(
      "68ee27abfa00b356ee043386a6ffa37927e6d87a8b85e8a9d44f377ea3604312",
    );
    expect(agentKeyFor("abc", "agent-web")).toBe(deriveAgentKey("abc", "agent-web"));
    expect(deriveAgentKey("abc", "agent-db")).not.toBe(deriveAgentKey("abc", "agent-web"));
    expect(deriveAgentKey("abd", "agent-web")).not.toBe(deriveAgentKey("abc", "agent-web"));
  });

  it("compares secrets whole", () => {
    expect(sameSecret("k", "k")).toBe(true);
    expect(sameSecret("k", "k2")).toBe(false);
    expect(sameSecret("", "k")).toBe(false);
  });
});
