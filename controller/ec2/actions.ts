import { ADDRESS_ACTIONS } from "./addresses.js";
import type { ActionHandler } from "./context.js";
import { INTERNET_GATEWAY_ACTIONS } from "./internet-gateways.js";
import { NAT_GATEWAY_ACTIONS } from "./nat-gateways.js";
import { VPC_PEERING_ACTIONS } from "./vpc-peering.js";
import { FLOW_LOG_ACTIONS } from "./flow-logs.js";
import { INSTANCE_ACTIONS } from "./instances.js";
import { NETWORK_ACL_ACTIONS } from "./network-acls.js";
import { NETWORK_INTERFACE_ACTIONS } from "./network-interfaces.js";
import { NETWORK_INSIGHTS_ACTIONS } from "./network-insights.js";
import { PREFIX_LIST_ACTIONS } from "./prefix-lists.js";
import { REGION_ACTIONS } from "./regions.js";
import { ROUTE_TABLE_ACTIONS } from "./route-tables.js";
import { SECURITY_GROUP_ACTIONS } from "./security-groups.js";
import { TAG_ACTIONS } from "./tags.js";
import { VPC_ACTIONS } from "./vpcs.js";

/** Action -> handler: every EC2 action vpcemu answers (docs/ec2-api.md lists them). */
export const EC2_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  ...VPC_ACTIONS,
  ...SECURITY_GROUP_ACTIONS,
  ...NETWORK_ACL_ACTIONS,
  ...NETWORK_INTERFACE_ACTIONS,
  ...INSTANCE_ACTIONS,
  ...PREFIX_LIST_ACTIONS,
  ...ROUTE_TABLE_ACTIONS,
  ...INTERNET_GATEWAY_ACTIONS,
  ...ADDRESS_ACTIONS,
  ...NAT_GATEWAY_ACTIONS,
  ...VPC_PEERING_ACTIONS,
  ...FLOW_LOG_ACTIONS,
  ...NETWORK_INSIGHTS_ACTIONS,
  ...REGION_ACTIONS,
  ...TAG_ACTIONS,
};

/** Read-only actions: DryRun runs them, then answers DryRunOperation (API-5). */
export function isReadOnlyAction(action: string): boolean {
  return action.startsWith("Describe") || action.startsWith("Get");
}
