/**
 * Explain through the JSON API (GET /v1/explain) on a real controller whose state the AWS SDK
 * v3 made (docs/observability.md "Explain", EXP-1..EXP-6):
 *
 *   VPC 10.0.0.0/16: web 10.0.1.x web-sg (default egress, no ingress) | db 10.0.2.x db-sg
 *   (tcp 3306 from web-sg); both subnets on the default NACL (allow all)
 *
 * No agent runs: explain compiles each ENI's policy from the state, as the hub would.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import {
  createWebDbTopology,
  startTestController,
  type TestController,
  type WebDbTopology,
} from "../helpers/in-process-agents.js";

let t: TestController;
let topo: WebDbTopology;

async function getExplain(query: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.ctl.url}/v1/explain?${query}`);
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  t = await startTestController();
  topo = await createWebDbTopology(t.ec2);
});

afterAll(async () => {
  await t?.stop();
});

describe("GET /v1/explain", () => {
  it("answers every hop with its rule for web -> db:3306/tcp (EXP-1, EXP-2)", async () => {
    const web = topo.web.PrivateIpAddress!;
    const db = topo.db.PrivateIpAddress!;
    const { status, body } = await getExplain(
      `src=${topo.web.InstanceId}&dst=${encodeURIComponent(`${db}:3306/tcp`)}`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      reachable: true,
      protocol: "tcp",
      port: 3306,
      source: {
        address: web,
        eniId: topo.web.NetworkInterfaces![0]!.NetworkInterfaceId,
        agentId: "",
      },
      destination: { address: db },
    });
    const hops = body.hops.map((h: any) => `${h.path} ${h.hop} ${h.verdict}`);
    expect(hops).toEqual([
      "forward instance allow",
      "forward route allow",
      "forward sg-egress allow",
      "forward nacl-outbound allow",
      "forward nacl-inbound allow",
      "forward sg-ingress allow",
      "forward instance allow",
      "return sg-egress allow",
      "return route allow",
      "return nacl-outbound allow",
      "return nacl-inbound allow",
      "return sg-ingress allow",
    ]);
    const ingress = body.hops.find((h: any) => h.path === "forward" && h.hop === "sg-ingress");
    expect(ingress).toMatchObject({ groupId: topo.dbSg, via: "rule" });
    expect(ingress.detail).toContain(`tcp 3306 from ${topo.webSg}`);
  });

  it("names the groups none of whose rules matched, with ENI_SG_RULES_MISMATCH (EXP-2, EXP-4)", async () => {
    const { body } = await getExplain(
      `src=${topo.db.InstanceId}&dst=${topo.web.InstanceId}:22/tcp`,
    );
    expect(body.reachable).toBe(false);
    const h = body.hops.find((x: any) => x.verdict === "deny");
    expect(h).toMatchObject({
      path: "forward",
      hop: "sg-ingress",
      componentId: topo.webSg,
      explanationCode: "ENI_SG_RULES_MISMATCH",
      reason: "sg_no_match",
      detail: `no ingress rule of groups [${topo.webSg}] matched`,
    });
  });

  it.each([
    ["src=nosuch&dst=db:1/tcp", 404, "EMU_ERR_API_EXPLAIN_UNKNOWN_NODE", /^unknown node 'nosuch'/],
    ["src=web&dst=10.0.1.999:80/tcp", 400, "EMU_ERR_API_EXPLAIN_BAD_ADDRESS", /not an IP address/],
    ["src=WEB&dst=DB:http/tcp", 400, "EMU_ERR_API_EXPLAIN_BAD_FLOW", /port 'http'/],
    ["src=x", 400, "EMU_ERR_API_BAD_QUERY", /give \?src=NODE&dst=NODE:PORT\/PROTO/],
  ])(
    "refuses %s with %s %s and a precise message (EXP-6)",
    async (query, status, code, message) => {
      const q = query
        .replace("src=WEB", `src=${topo.web.InstanceId}`)
        .replace("dst=DB", `dst=${topo.db.InstanceId}`)
        .replace("src=web", `src=${topo.web.InstanceId}`);
      const res = await getExplain(q);
      expect(res.status).toBe(status);
      expect(res.body.code).toBe(code);
      expect(res.body.message).toMatch(message);
    },
  );

  it("is what `vpcemu explain --endpoint URL` prints as its table, and -o json (EXP-1)", async () => {
    let out = "";
    let err = "";
    vi.spyOn(process.stdout, "write").mockImplementation((x) => ((out += String(x)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((x) => ((err += String(x)), true));
    try {
      const argv = ["explain", "--endpoint", t.ctl.url];
      expect(await main([...argv, topo.db.InstanceId!, `${topo.web.InstanceId}:22/tcp`])).toBe(0);
      expect(out).toMatch(
        /: NOT REACHABLE at revision \d+\n\nPATH +HOP +AT +COMPONENT +VERDICT +RULE +CODE\n/,
      );
      expect(out).toMatch(
        new RegExp(
          `forward +sg-ingress +\\S+ +${topo.webSg} +deny +no ingress rule of groups \\[${topo.webSg}\\] matched +ENI_SG_RULES_MISMATCH`,
        ),
      );
      out = "";
      expect(
        await main([...argv, "-o", "json", topo.web.InstanceId!, `${topo.db.InstanceId}:3306/tcp`]),
      ).toBe(0);
      expect(JSON.parse(out)).toMatchObject({ reachable: true, port: 3306 });
      expect(await main([...argv, "nosuch", "db:1/tcp"])).toBe(1);
      expect(err).toContain(
        "vpcemu explain: EMU_ERR_API_EXPLAIN_UNKNOWN_NODE: unknown node 'nosuch'",
      );
    } finally {
      vi.restoreAllMocks();
    }
  });
});
