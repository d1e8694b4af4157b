/**
 * VpcEmulatorContainer: the vpcemu controller (EC2 Query API, JSON API, agent hub) in a container.
 *
 *   new VpcEmulatorContainer()            image vpcemu:local (or $VPCEMU_IMAGE)
 *     .withUnderlayNetwork(net)?          else an internal network is created and owned
 *     .start()  -> StartedVpcEmulatorContainer   (getEc2Client(), attach(), conntrack(), ...)
 *
 * The controller joins the default bridge (so the host reaches its EC2 endpoint through a mapped
 * loopback port) and the internal underlay network under the alias `vpcemu-controller`, where the
 * agent sidecars reach it. Images are never pulled: a missing image is an error naming
 * `npm run image`.
 *
 * Inside, a minimal supervisor (scripts/docker/controller-supervisor.mjs, PID 1) runs
 * `vpcemu controller --state /var/lib/vpcemu/state.db`: the container outlives a controller that
 * `faults.killController()` SIGKILLs, its mapped ports stay, and the controller comes back with
 * its state.
 */
import { randomBytes } from "node:crypto";
import {
  GenericContainer,
  getContainerRuntimeClient,
  ImageName,
  Wait,
  type ImagePullPolicy,
  type StartedNetwork,
} from "testcontainers";
import {
  VPCEMU_CONTROLLER_ALIAS,
  VPCEMU_CONTROLLER_PORT,
  VPCEMU_CONTROLLER_STATE_PATH,
  VPCEMU_CONTROLLER_SUPERVISOR,
  VPCEMU_DEFAULT_IMAGE,
  VPCEMU_LABEL,
} from "./constants.js";
import { startInternalNetwork } from "./internal-network.js";
import {
  StartedVpcEmulatorContainer,
  type VpcEmulatorCredentials,
} from "./started-vpc-emulator-container.js";

/** Fails (never skips) when the image is missing, saying how to build it. */
export async function assertImagePresent(image: string): Promise<void> {
  let client;
  try {
    client = await getContainerRuntimeClient();
  } catch (err) {
    throw new Error(
      `vpcemu: no Docker engine answers (${(err as Error).message}); ` +
        "start one (CI: bash scripts/ci/10-docker.sh)",
    );
  }
  if (!(await client.image.exists(ImageName.fromString(image)))) {
    throw new Error(
      `vpcemu: image ${image} is not present locally and is never pulled; build it with \`npm run image\``,
    );
  }
}

export class VpcEmulatorContainer extends GenericContainer {
  private underlay: StartedNetwork | undefined;
  private region = "us-east-1";
  private credentials: VpcEmulatorCredentials | undefined;
  private readonly joinToken = randomBytes(16).toString("hex");
  /** Sidecars get keys derived from it; the controller then requires them (docs/agent.md). */
  private readonly agentSecret = randomBytes(32).toString("hex");
  private readonly emulatorImage: string;

  constructor(image: string = process.env.VPCEMU_IMAGE ?? VPCEMU_DEFAULT_IMAGE) {
    super(image);
    this.emulatorImage = image;
    this.withPullPolicy(NEVER_PULL)
      .withExposedPorts(VPCEMU_CONTROLLER_PORT)
      .withLabels({ [VPCEMU_LABEL]: "controller" })
      .withWaitStrategy(Wait.forHttp("/v1/revision", VPCEMU_CONTROLLER_PORT).forStatusCode(200))
      .withStartupTimeout(60_000);
  }

  /** Use this (internal) network as the underlay instead of creating one. */
  withUnderlayNetwork(network: StartedNetwork): this {
    this.underlay = network;
    return this;
  }

  /** Region of the emulator (shown in ARNs) and of the EC2 client it hands out. */
  withRegion(region: string): this {
    this.region = region;
    return this;
  }

  /**
   * Makes the emulator verify SigV4 signatures with this key pair (`--auth-keys`); without it any
   * credentials are accepted and `getCredentials()` returns test/test.
   */
  withCredentials(accessKeyId: string, secretAccessKey: string): this {
    if (!/^[A-Za-z0-9]+$/.test(accessKeyId) || secretAccessKey.includes(",")) {
      throw new Error("vpcemu: access key id must be alphanumeric and the secret free of ','");
    }
    this.credentials = { accessKeyId, secretAccessKey };
    // Auth mode covers the JSON API too (docs/json-api.md "Auth mode"), the readiness probe included.
    this.withWaitStrategy(
      Wait.forHttp("/v1/revision", VPCEMU_CONTROLLER_PORT)
        .withBasicCredentials(accessKeyId, secretAccessKey)
        .forStatusCode(200),
    );
    return this;
  }

  override async start(): Promise<StartedVpcEmulatorContainer> {
    await assertImagePresent(this.emulatorImage);
    const ownsNetwork = this.underlay === undefined;
    const network = this.underlay ?? (await startInternalNetwork());
    try {
      this.withNetwork(network)
        .withNetworkAliases(VPCEMU_CONTROLLER_ALIAS)
        .withEntrypoint(["node", VPCEMU_CONTROLLER_SUPERVISOR])
        .withEnvironment({ VPCEMU_AGENT_SECRET: this.agentSecret })
        .withCommand([
          "run",
          "--listen",
          `0.0.0.0:${VPCEMU_CONTROLLER_PORT}`,
          "--state",
          VPCEMU_CONTROLLER_STATE_PATH,
          "--join-token",
          this.joinToken,
          "--region",
          this.region,
          ...(this.credentials
            ? ["--auth-keys", `${this.credentials.accessKeyId}:${this.credentials.secretAccessKey}`]
            : []),
        ]);
      const started = await super.start();
      return new StartedVpcEmulatorContainer(started, {
        image: this.emulatorImage,
        network,
        ownsNetwork,
        region: this.region,
        joinToken: this.joinToken,
        agentSecret: this.agentSecret,
        credentials: this.credentials ?? { accessKeyId: "test", secretAccessKey: "test" },
      });
    } catch (err) {
      if (ownsNetwork) await network.stop().catch(() => undefined);
      throw err;
    }
  }
}

/** Images are built locally; pulling would reach a registry, which the project never does. */
export const NEVER_PULL: ImagePullPolicy = { shouldPull: () => false };
