/**
 * The default VPC of each account and region (docs/ec2-api.md "Default VPC"), laid out as AWS
 * lays it out (VPC user guide, "Default VPCs"): 172.31.0.0/16, one /20 default subnet per
 * Availability Zone (172.31.0.0/20, 172.31.16.0/20, ... in zone order) that maps public IPv4
 * addresses on launch, the VPC's default security group and default network ACL, its main route
 * table, DNS hostnames on, an internet gateway attached and a 0.0.0.0/0 route to it in the main
 * route table (docs/routing.md IGW-9; default VPCs created before routing existed have neither).
 *
 * Created lazily: the first EC2 request of an account in a region creates it (ensureDefaultVpc),
 * once; a default VPC the user deletes stays deleted until CreateDefaultVpc.
 */
import { controllerError } from "../errors.js";
import { ipv4FromBigint, parseCidr, cidrsOverlap } from "../model/cidr.js";
import { zonesOf, type ZoneInfo } from "../model/regions.js";
import type { Subnet, Vpc } from "../model/vpc.js";
import { inScopeOf, listInScope, scopedList, type Scope, type ScopedOpContext } from "./scope.js";
import type { StateStore } from "./state-store.js";
import type { StateReader } from "./transaction.js";
import {
  attachInternetGateway,
  createInternetGateway,
  createRoute,
  mainRouteTableIds,
} from "./routing-ops.js";
import { createSubnet, createVpc } from "./vpc-ops.js";

export const DEFAULT_VPC_CIDR = "172.31.0.0/16";
/** Default subnets are /20s (4,091 usable addresses each). */
export const DEFAULT_SUBNET_PREFIX = 20;

/** The default VPC of `scope`, if it has one. */
export function findDefaultVpc(reader: StateReader, scope: Scope): Vpc | undefined {
  return listInScope(reader, "vpc", scope).find((v) => v.isDefault);
}

/** The default VPC of the request's scope, or VPCIdNotSpecified (`No default VPC for this user`). */
export function requireDefaultVpc(ctx: ScopedOpContext): Vpc {
  const vpc = findDefaultVpc(ctx.tx, ctx.scope);
  if (vpc === undefined) throw controllerError("EMU_ERR_VPC_NO_DEFAULT");
  return vpc;
}

/** The first /20 of 172.31.0.0/16 that no subnet of `vpc` overlaps. */
function freeDefaultSubnetCidr(ctx: ScopedOpContext, vpc: Vpc): string {
  const base = parseCidr(vpc.cidrBlock);
  const taken = scopedList(ctx, "subnet")
    .filter((s) => s.vpcId === vpc.vpcId)
    .map((s) => parseCidr(s.cidrBlock));
  const step = 1n << BigInt(32 - DEFAULT_SUBNET_PREFIX);
  for (let first = base.first; first + step - 1n <= base.last; first += step) {
    const cidr = `${ipv4FromBigint(first)}/${DEFAULT_SUBNET_PREFIX}`;
    const c = parseCidr(cidr);
    if (!taken.some((t) => cidrsOverlap(t, c))) return cidr;
  }
  throw controllerError(
    "EMU_ERR_SUBNET_CONFLICT",
    `${vpc.cidrBlock} (no free /${DEFAULT_SUBNET_PREFIX})`,
  );
}

function putDefaultSubnet(ctx: ScopedOpContext, vpc: Vpc, zone: ZoneInfo): Subnet {
  const s = createSubnet(ctx, {
    vpcId: vpc.vpcId,
    cidrBlock: freeDefaultSubnetCidr(ctx, vpc),
    availabilityZone: zone.zoneName,
  });
  const subnet: Subnet = {
    ...s,
    defaultForAz: true,
    attributes: { mapPublicIpOnLaunch: true },
  };
  ctx.tx.put("subnet", subnet.subnetId, subnet);
  return subnet;
}

/**
 * CreateDefaultVpc: DefaultVpcAlreadyExists when the scope has one; otherwise the AWS layout
 * above (VpcLimitExceeded when the scope has no VPC left in its quota).
 */
export function createDefaultVpc(ctx: ScopedOpContext): Vpc {
  if (findDefaultVpc(ctx.tx, ctx.scope) !== undefined)
    throw controllerError("EMU_ERR_VPC_DEFAULT_EXISTS");
  const created = createVpc(ctx, { cidrBlock: DEFAULT_VPC_CIDR });
  const vpc: Vpc = { ...created, isDefault: true };
  ctx.tx.put("vpc", vpc.vpcId, vpc);
  for (const zone of zonesOf(ctx.scope.region)) putDefaultSubnet(ctx, vpc, zone);
  const igw = createInternetGateway(ctx, {});
  attachInternetGateway(ctx, igw.internetGatewayId, vpc.vpcId);
  createRoute(
    ctx,
    mainRouteTableIds(vpc).routeTableId,
    { cidr4: "0.0.0.0/0" },
    { gatewayId: igw.internetGatewayId },
  );
  return vpc;
}

/**
 * CreateDefaultSubnet: a /20 default subnet in `zone` of the default VPC
 * (DefaultVpcDoesNotExist without one; DefaultSubnetAlreadyExistsInAvailabilityZone).
 */
export function createDefaultSubnet(ctx: ScopedOpContext, zone: ZoneInfo): Subnet {
  const vpc = findDefaultVpc(ctx.tx, ctx.scope);
  if (vpc === undefined) throw controllerError("EMU_ERR_VPC_DEFAULT_MISSING");
  if (
    scopedList(ctx, "subnet").some(
      (s) =>
        s.vpcId === vpc.vpcId && s.defaultForAz === true && s.availabilityZone === zone.zoneName,
    )
  )
    throw controllerError("EMU_ERR_SUBNET_DEFAULT_EXISTS", zone.zoneName);
  return putDefaultSubnet(ctx, vpc, zone);
}

/**
 * The default subnet RunInstances uses without SubnetId: the default VPC's default subnet in
 * `zoneName` when given, else in the first zone that has one (VPCIdNotSpecified without a
 * default VPC).
 */
export function defaultSubnetFor(ctx: ScopedOpContext, zoneName?: string): Subnet {
  const vpc = requireDefaultVpc(ctx);
  const candidates = scopedList(ctx, "subnet").filter(
    (s) => s.vpcId === vpc.vpcId && s.defaultForAz === true,
  );
  const zones = zonesOf(ctx.scope.region).map((z) => z.zoneName);
  candidates.sort((a, b) => zones.indexOf(a.availabilityZone) - zones.indexOf(b.availabilityZone));
  const s =
    zoneName === undefined
      ? candidates[0]
      : candidates.find((x) => x.availabilityZone === zoneName);
  if (s === undefined)
    throw controllerError("EMU_ERR_SUBNET_NO_DEFAULT", zoneName ?? ctx.scope.region);
  return s;
}

const INITIALIZED_KEY = "ec2.default-vpc-scopes";
const initialized = new WeakMap<StateStore, Set<string>>();

/**
 * Creates the default VPC of `scope` the first time the scope is used (one transaction), and
 * remembers (beside the state, so across restarts) that it did, so a deleted default VPC is not
 * recreated. A scope that already has a default VPC (a crash between the two writes) is just
 * marked. Regions without zones (unknown to vpcemu) get none.
 */
export function ensureDefaultVpc(store: StateStore, scope: Scope): void {
  let done = initialized.get(store);
  if (done === undefined) {
    const saved = store.readSideValue(INITIALIZED_KEY);
    done = new Set(
      Array.isArray(saved) ? saved.filter((x): x is string => typeof x === "string") : [],
    );
    initialized.set(store, done);
  }
  const key = `${scope.accountId}/${scope.region}`;
  if (done.has(key)) return;
  if (zonesOf(scope.region).length > 0 && findDefaultVpc(store.reader(), scope) === undefined) {
    const vpcs = listInScope(store.reader(), "vpc", scope).length;
    // Why: a scope whose quota is already used up (configured below the default) gets none.
    if (vpcs < store.quotas.vpcsPerRegion)
      store.mutate((tx) => createDefaultVpc(inScopeOf(tx, scope)));
  }
  done.add(key);
  store.writeSideValue(INITIALIZED_KEY, [...done]);
}
