/**
 * Docker networks the module creates: always `internal: true` (DESIGN.md, network safety), so
 * nothing on them can reach beyond the machine. testcontainers' own `Network` cannot make
 * internal networks, hence this small twin returning the same `StartedNetwork` type.
 */
import { getContainerRuntimeClient, RandomUuid, StartedNetwork } from "testcontainers";
import { VPCEMU_LABEL } from "./constants.js";

/** Creates an internal bridge network named `vpcemu-<uuid>`; remove it with `stop()`. */
export async function startInternalNetwork(): Promise<StartedNetwork> {
  const client = await getContainerRuntimeClient();
  const name = `vpcemu-${new RandomUuid().nextUuid().slice(0, 12)}`;
  const network = await client.network.create({
    Name: name,
    CheckDuplicate: true,
    Driver: "bridge",
    Internal: true,
    Attachable: true,
    EnableIPv6: false,
    Labels: { [VPCEMU_LABEL]: "underlay" },
  });
  return new StartedNetwork(client, name, network);
}
