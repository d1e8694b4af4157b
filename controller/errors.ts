/**
 * The controller's one error catalogue (STYLE.md §4.12, §7). Every failure the control plane
 * reports has an `EMU_ERR_*` code here, with the AWS code the EC2 Query API answers with, the
 * HTTP status, and a message template whose `{0}`, `{1}` ... are filled from the arguments given
 * to `controllerError()`. Messages follow AWS-BEHAVIOUR.md ERR-* where AWS publishes a text.
 * Keys equal codes; test/unit/controller/errors.test.ts checks both and that codes are unique.
 */

export interface ErrorDef {
  /** `EMU_ERR_<AREA>_<WHAT>`, equal to the catalogue key. */
  readonly code: string;
  /** AWS error code answered by the EC2 Query API (`<Code>`), verbatim. */
  readonly awsCode: string;
  readonly status: number;
  /** Message template; `{n}` is replaced by the n-th argument. */
  readonly message: string;
}

function def(code: string, awsCode: string, status: number, message: string): ErrorDef {
  return { code, awsCode, status, message };
}

export const ERRORS = {
  // --- request / protocol (AWS-BEHAVIOUR API-1..API-5, ERR-36, ERR-39)
  EMU_ERR_REQ_INVALID_ACTION: def(
    "EMU_ERR_REQ_INVALID_ACTION",
    "InvalidAction",
    400,
    "The action {0} is not valid for this web service.",
  ),
  EMU_ERR_REQ_MISSING_ACTION: def(
    "EMU_ERR_REQ_MISSING_ACTION",
    "MissingAction",
    400,
    "The request must contain the parameter Action",
  ),
  EMU_ERR_REQ_MISSING_PARAMETER: def(
    "EMU_ERR_REQ_MISSING_PARAMETER",
    "MissingParameter",
    400,
    "The request must contain the parameter {0}",
  ),
  EMU_ERR_REQ_UNKNOWN_PARAMETER: def(
    "EMU_ERR_REQ_UNKNOWN_PARAMETER",
    "UnknownParameter",
    400,
    "The parameter {0} is not recognized",
  ),
  EMU_ERR_REQ_INVALID_PARAMETER_VALUE: def(
    "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
    "InvalidParameterValue",
    400,
    "{0}",
  ),
  EMU_ERR_REQ_INVALID_PARAMETER: def(
    "EMU_ERR_REQ_INVALID_PARAMETER",
    "InvalidParameter",
    400,
    "{0}",
  ),
  EMU_ERR_REQ_PARAMETER_COMBINATION: def(
    "EMU_ERR_REQ_PARAMETER_COMBINATION",
    "InvalidParameterCombination",
    400,
    "{0}",
  ),
  EMU_ERR_REQ_BAD_TOKEN: def(
    "EMU_ERR_REQ_BAD_TOKEN",
    "InvalidPaginationToken",
    400,
    "The pagination token '{0}' is invalid.",
  ),
  EMU_ERR_REQ_DRY_RUN: def(
    "EMU_ERR_REQ_DRY_RUN",
    "DryRunOperation",
    412,
    "Request would have succeeded, but DryRun flag is set.",
  ),
  EMU_ERR_REQ_BODY_TOO_LARGE: def(
    "EMU_ERR_REQ_BODY_TOO_LARGE",
    "RequestEntityTooLarge",
    413,
    "The request body exceeds {0} bytes.",
  ),
  EMU_ERR_REQ_TOO_MANY_PARAMETERS: def(
    "EMU_ERR_REQ_TOO_MANY_PARAMETERS",
    "InvalidRequest",
    400,
    "The request has {0} parameters; at most {1} are accepted in one request.",
  ),
  EMU_ERR_REQ_TOO_MANY_MEMBERS: def(
    "EMU_ERR_REQ_TOO_MANY_MEMBERS",
    "InvalidParameterValue",
    400,
    "The list {0} has {1} members; at most {2} are accepted in one request.",
  ),
  EMU_ERR_REQ_TOO_MANY_RULES: def(
    "EMU_ERR_REQ_TOO_MANY_RULES",
    "RulesPerSecurityGroupLimitExceeded",
    400,
    "The maximum number of rules per security group has been reached. The request carries {0} rules; at most {1} are accepted in one request.",
  ),
  EMU_ERR_REQ_FILTER_LIMIT: def(
    "EMU_ERR_REQ_FILTER_LIMIT",
    "FilterLimitExceeded",
    400,
    "The request uses too many filters or too many filter values.",
  ),
  EMU_ERR_REQ_URL_TOO_LARGE: def(
    "EMU_ERR_REQ_URL_TOO_LARGE",
    "RequestHeaderSectionTooLarge",
    431,
    "The request line and headers exceed {0} bytes; send the parameters in a POST body.",
  ),
  EMU_ERR_REQ_METHOD: def(
    "EMU_ERR_REQ_METHOD",
    "UnsupportedHttpVerb",
    405,
    "The HTTP verb {0} is not supported; use POST or GET.",
  ),
  EMU_ERR_INTERNAL: def("EMU_ERR_INTERNAL", "InternalError", 500, "An internal error has occurred"),
  // --- auth (SigV4, docs/ec2-api.md)
  EMU_ERR_AUTH_MISSING: def(
    "EMU_ERR_AUTH_MISSING",
    "AuthFailure",
    401,
    "AWS was not able to validate the provided access credentials",
  ),
  EMU_ERR_AUTH_UNKNOWN_KEY: def(
    "EMU_ERR_AUTH_UNKNOWN_KEY",
    "AuthFailure",
    401,
    "AWS was not able to validate the provided access credentials",
  ),
  EMU_ERR_AUTH_SIGNATURE: def(
    "EMU_ERR_AUTH_SIGNATURE",
    "SignatureDoesNotMatch",
    403,
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  ),
  EMU_ERR_AUTH_SCOPE: def(
    "EMU_ERR_AUTH_SCOPE",
    "SignatureDoesNotMatch",
    403,
    "Credential should be scoped to correct service: '{0}'. ",
  ),
  EMU_ERR_AUTH_EXPIRED_TOKEN: def(
    "EMU_ERR_AUTH_EXPIRED_TOKEN",
    "ExpiredToken",
    400,
    "The security token included in the request is expired",
  ),
  EMU_ERR_AUTH_INVALID_TOKEN: def(
    "EMU_ERR_AUTH_INVALID_TOKEN",
    "InvalidClientTokenId",
    403,
    "The security token included in the request is invalid.",
  ),
  EMU_ERR_AUTH_REGION: def(
    "EMU_ERR_AUTH_REGION",
    "SignatureDoesNotMatch",
    403,
    "Credential should be scoped to a valid region, not '{0}'.",
  ),
  EMU_ERR_AUTH_REQUEST_EXPIRED: def(
    "EMU_ERR_AUTH_REQUEST_EXPIRED",
    "RequestExpired",
    400,
    "Request has expired. Timestamp date is {0}.",
  ),
  EMU_ERR_AUTH_SIGNATURE_EXPIRED: def(
    "EMU_ERR_AUTH_SIGNATURE_EXPIRED",
    "SignatureDoesNotMatch",
    403,
    "Signature expired: {0} is now earlier than {1} ({2} - 15 min.)",
  ),
  EMU_ERR_AUTH_SIGNATURE_NOT_YET_CURRENT: def(
    "EMU_ERR_AUTH_SIGNATURE_NOT_YET_CURRENT",
    "SignatureDoesNotMatch",
    403,
    "Signature not yet current: {0} is still later than {1} ({2} + 15 min.)",
  ),
  EMU_ERR_AUTH_HOST_UNSIGNED: def(
    "EMU_ERR_AUTH_HOST_UNSIGNED",
    "SignatureDoesNotMatch",
    403,
    "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  ),
  EMU_ERR_AUTH_DATE_UNSIGNED: def(
    "EMU_ERR_AUTH_DATE_UNSIGNED",
    "SignatureDoesNotMatch",
    403,
    "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.",
  ),
  EMU_ERR_AUTH_DATE_MISSING: def(
    "EMU_ERR_AUTH_DATE_MISSING",
    "IncompleteSignature",
    400,
    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={0}",
  ),
  EMU_ERR_AUTH_QUERY_INCOMPLETE: def(
    "EMU_ERR_AUTH_QUERY_INCOMPLETE",
    "IncompleteSignature",
    400,
    "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the query-string parameters.",
  ),
  EMU_ERR_AUTH_API_CREDENTIALS: def(
    "EMU_ERR_AUTH_API_CREDENTIALS",
    "AuthFailure",
    401,
    "The JSON API needs one of the controller's auth keys: Authorization: Bearer ACCESS_KEY_ID:SECRET (or HTTP Basic).",
  ),
  // --- STS (docs/ec2-api.md "STS")
  EMU_ERR_STS_VALIDATION: def("EMU_ERR_STS_VALIDATION", "ValidationError", 400, "{0}"),
  EMU_ERR_STS_ACCESS_DENIED: def("EMU_ERR_STS_ACCESS_DENIED", "AccessDenied", 403, "{0}"),
  // --- VPC / subnet (ERR-31..ERR-33, Q-6)
  EMU_ERR_VPC_NOT_FOUND_MANY: def(
    "EMU_ERR_VPC_NOT_FOUND_MANY",
    "InvalidVpcID.NotFound",
    400,
    "The vpc IDs '{0}' do not exist",
  ),
  EMU_ERR_VPC_NOT_FOUND: def(
    "EMU_ERR_VPC_NOT_FOUND",
    "InvalidVpcID.NotFound",
    400,
    "The vpc ID '{0}' does not exist",
  ),
  EMU_ERR_VPC_MALFORMED_ID: def(
    "EMU_ERR_VPC_MALFORMED_ID",
    "InvalidVpcID.Malformed",
    400,
    'Invalid id: "{0}" (expecting "vpc-...")',
  ),
  EMU_ERR_VPC_RANGE: def(
    "EMU_ERR_VPC_RANGE",
    "InvalidVpc.Range",
    400,
    "The CIDR '{0}' is invalid.",
  ),
  EMU_ERR_VPC_DEPENDENCY: def(
    "EMU_ERR_VPC_DEPENDENCY",
    "DependencyViolation",
    400,
    "The vpc '{0}' has dependencies and cannot be deleted.",
  ),
  EMU_ERR_VPC_NO_DEFAULT: def(
    "EMU_ERR_VPC_NO_DEFAULT",
    "VPCIdNotSpecified",
    400,
    "No default VPC for this user",
  ),
  EMU_ERR_VPC_DEFAULT_EXISTS: def(
    "EMU_ERR_VPC_DEFAULT_EXISTS",
    "DefaultVpcAlreadyExists",
    400,
    "A Default VPC already exists for this account in this region.",
  ),
  EMU_ERR_VPC_DEFAULT_MISSING: def(
    "EMU_ERR_VPC_DEFAULT_MISSING",
    "DefaultVpcDoesNotExist",
    400,
    "No default VPC exists for this account in this region.",
  ),
  EMU_ERR_SUBNET_DEFAULT_EXISTS: def(
    "EMU_ERR_SUBNET_DEFAULT_EXISTS",
    "DefaultSubnetAlreadyExistsInAvailabilityZone",
    400,
    "A Default Subnet already exists in availability zone {0}.",
  ),
  EMU_ERR_SUBNET_NO_DEFAULT: def(
    "EMU_ERR_SUBNET_NO_DEFAULT",
    "MissingInput",
    400,
    "No default subnet for availability zone: '{0}'.",
  ),
  EMU_ERR_VPC_LIMIT: def(
    "EMU_ERR_VPC_LIMIT",
    "VpcLimitExceeded",
    400,
    "The maximum number of VPCs has been reached.",
  ),
  EMU_ERR_ROUTE_TABLE_NOT_FOUND_MANY: def(
    "EMU_ERR_ROUTE_TABLE_NOT_FOUND_MANY",
    "InvalidRouteTableID.NotFound",
    400,
    "The routeTable IDs '{0}' do not exist",
  ),
  EMU_ERR_ROUTE_TABLE_NOT_FOUND: def(
    "EMU_ERR_ROUTE_TABLE_NOT_FOUND",
    "InvalidRouteTableID.NotFound",
    400,
    "The routeTable ID '{0}' does not exist",
  ),
  EMU_ERR_SUBNET_NOT_FOUND_MANY: def(
    "EMU_ERR_SUBNET_NOT_FOUND_MANY",
    "InvalidSubnetID.NotFound",
    400,
    "The subnet IDs '{0}' do not exist",
  ),
  EMU_ERR_SUBNET_NOT_FOUND: def(
    "EMU_ERR_SUBNET_NOT_FOUND",
    "InvalidSubnetID.NotFound",
    400,
    "The subnet ID '{0}' does not exist",
  ),
  EMU_ERR_SUBNET_RANGE: def(
    "EMU_ERR_SUBNET_RANGE",
    "InvalidSubnet.Range",
    400,
    "The CIDR '{0}' is invalid.",
  ),
  EMU_ERR_SUBNET_CONFLICT: def(
    "EMU_ERR_SUBNET_CONFLICT",
    "InvalidSubnet.Conflict",
    400,
    "The CIDR '{0}' conflicts with another subnet",
  ),
  EMU_ERR_SUBNET_DEPENDENCY: def(
    "EMU_ERR_SUBNET_DEPENDENCY",
    "DependencyViolation",
    400,
    "The subnet '{0}' has dependencies and cannot be deleted.",
  ),
  EMU_ERR_SUBNET_LIMIT: def(
    "EMU_ERR_SUBNET_LIMIT",
    "SubnetLimitExceeded",
    400,
    "The maximum number of subnets per VPC has been reached.",
  ),
  // --- security groups and rules (ERR-1..ERR-25)
  EMU_ERR_SG_NOT_FOUND: def(
    "EMU_ERR_SG_NOT_FOUND",
    "InvalidGroup.NotFound",
    400,
    "The security group '{0}' does not exist",
  ),
  EMU_ERR_SG_NOT_FOUND_MANY: def(
    "EMU_ERR_SG_NOT_FOUND_MANY",
    "InvalidGroup.NotFound",
    400,
    "The security groups {0} do not exist",
  ),
  EMU_ERR_SG_NOT_FOUND_IN_VPC: def(
    "EMU_ERR_SG_NOT_FOUND_IN_VPC",
    "InvalidGroup.NotFound",
    400,
    "The security group '{0}' does not exist in VPC '{1}'",
  ),
  EMU_ERR_SG_NOT_FOUND_IN_DEFAULT_VPC: def(
    "EMU_ERR_SG_NOT_FOUND_IN_DEFAULT_VPC",
    "InvalidGroup.NotFound",
    400,
    "The security group '{0}' does not exist in default VPC '{1}'",
  ),
  EMU_ERR_SG_DIFFERENT_NETWORKS: def(
    "EMU_ERR_SG_DIFFERENT_NETWORKS",
    "InvalidGroup.NotFound",
    400,
    "You have specified two resources that belong to different networks.",
  ),
  EMU_ERR_SG_MALFORMED_ID: def(
    "EMU_ERR_SG_MALFORMED_ID",
    "InvalidGroupId.Malformed",
    400,
    'Invalid id: "{0}" (expecting "sg-...")',
  ),
  EMU_ERR_SG_DEPENDENCY: def(
    "EMU_ERR_SG_DEPENDENCY",
    "DependencyViolation",
    400,
    "resource {0} has a dependent object",
  ),
  EMU_ERR_SG_DELETE_DEFAULT: def(
    "EMU_ERR_SG_DELETE_DEFAULT",
    "CannotDelete",
    400,
    'the specified group: "{0}" name: "default" cannot be deleted by a user',
  ),
  EMU_ERR_SG_DUPLICATE_NAME: def(
    "EMU_ERR_SG_DUPLICATE_NAME",
    "InvalidGroup.Duplicate",
    400,
    "The security group '{0}' already exists for VPC '{1}'",
  ),
  EMU_ERR_SG_RESERVED_NAME: def(
    "EMU_ERR_SG_RESERVED_NAME",
    "InvalidGroup.Reserved",
    400,
    "The name 'default' is reserved, and cannot be used to create a new security group.",
  ),
  EMU_ERR_SG_LIMIT: def(
    "EMU_ERR_SG_LIMIT",
    "SecurityGroupLimitExceeded",
    400,
    "The maximum number of security groups has been reached.",
  ),
  EMU_ERR_SG_PER_ENI_LIMIT: def(
    "EMU_ERR_SG_PER_ENI_LIMIT",
    "SecurityGroupsPerInterfaceLimitExceeded",
    400,
    "The maximum number of security groups per interface has been reached.",
  ),
  EMU_ERR_SG_PER_ENI_RULE_LIMIT: def(
    "EMU_ERR_SG_PER_ENI_RULE_LIMIT",
    "SecurityGroupsPerInterfaceLimitExceeded",
    400,
    "The maximum number of security groups per interface has been reached. These security groups have {0} {1} rules together; an interface allows {2} (rules per group x groups per interface).",
  ),
  EMU_ERR_RULE_DUPLICATE: def(
    "EMU_ERR_RULE_DUPLICATE",
    "InvalidPermission.Duplicate",
    400,
    'the specified rule "peer: {0}, {1}, from port: {2}, to port: {3}, ALLOW" already exists',
  ),
  EMU_ERR_RULE_DUPLICATE_IN_REQUEST: def(
    "EMU_ERR_RULE_DUPLICATE_IN_REQUEST",
    "InvalidParameterValue",
    400,
    "The same permission must not appear multiple times",
  ),
  EMU_ERR_RULE_NOT_FOUND: def(
    "EMU_ERR_RULE_NOT_FOUND",
    "InvalidPermission.NotFound",
    400,
    "The specified rule does not exist in this security group.",
  ),
  EMU_ERR_RULE_ID_NOT_FOUND_MANY: def(
    "EMU_ERR_RULE_ID_NOT_FOUND_MANY",
    "InvalidSecurityGroupRuleId.NotFound",
    400,
    "The security group rule IDs '{0}' do not exist",
  ),
  EMU_ERR_RULE_ID_NOT_FOUND: def(
    "EMU_ERR_RULE_ID_NOT_FOUND",
    "InvalidSecurityGroupRuleId.NotFound",
    400,
    "The security group rule ID '{0}' does not exist",
  ),
  EMU_ERR_RULE_ID_MALFORMED: def(
    "EMU_ERR_RULE_ID_MALFORMED",
    "InvalidSecurityGroupRuleId.Malformed",
    400,
    "The security group rule ID '{0}' is malformed",
  ),
  EMU_ERR_RULE_LIMIT: def(
    "EMU_ERR_RULE_LIMIT",
    "RulesPerSecurityGroupLimitExceeded",
    400,
    "The maximum number of rules per security group has been reached.",
  ),
  EMU_ERR_RULE_PER_ENI_LIMIT: def(
    "EMU_ERR_RULE_PER_ENI_LIMIT",
    "RulesPerSecurityGroupLimitExceeded",
    400,
    "The maximum number of rules per security group has been reached. Network interface {0} would have {1} {2} rules across its security groups; an interface allows {3} (rules per group x groups per interface).",
  ),
  EMU_ERR_RULE_MALFORMED: def("EMU_ERR_RULE_MALFORMED", "InvalidPermission.Malformed", 400, "{0}"),
  EMU_ERR_RULE_MISSING_PEER: def(
    "EMU_ERR_RULE_MISSING_PEER",
    "MissingParameter",
    400,
    "Missing source specification: include source security group or CIDR information",
  ),
  EMU_ERR_CIDR_BLOCK_INVALID: def(
    "EMU_ERR_CIDR_BLOCK_INVALID",
    "InvalidParameterValue",
    400,
    "Value ({0}) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
  ),
  EMU_ERR_VPC_CIDR_LIMIT: def(
    "EMU_ERR_VPC_CIDR_LIMIT",
    "CidrLimitExceeded",
    400,
    "This network '{0}' has met its maximum number of allowed CIDRs: {1}",
  ),
  EMU_ERR_VPC_CIDR_ASSOC_NOT_FOUND: def(
    "EMU_ERR_VPC_CIDR_ASSOC_NOT_FOUND",
    "InvalidVpcCidrBlockAssociationID.NotFound",
    400,
    "The vpc CIDR block association ID '{0}' does not exist",
  ),
  EMU_ERR_VPC_CIDR_PRIMARY: def(
    "EMU_ERR_VPC_CIDR_PRIMARY",
    "OperationNotPermitted",
    400,
    "The vpc CIDR block with association ID {0} may not be disassociated. It is the primary IPv4 CIDR block of the VPC",
  ),
  EMU_ERR_VPC_CIDR_IN_USE: def(
    "EMU_ERR_VPC_CIDR_IN_USE",
    "DependencyViolation",
    400,
    "The vpc CIDR block with association ID {0} has subnets ({1}) and cannot be disassociated.",
  ),
  EMU_ERR_VPC_TENANCY: def(
    "EMU_ERR_VPC_TENANCY",
    "UnsupportedTenancy",
    400,
    "The tenancy value {0} is not supported.",
  ),
  EMU_ERR_CIDR_MALFORMED: def(
    "EMU_ERR_CIDR_MALFORMED",
    "InvalidParameterValue",
    400,
    "CIDR block {0} is malformed",
  ),
  EMU_ERR_PREFIX_LIST_NOT_FOUND_MANY: def(
    "EMU_ERR_PREFIX_LIST_NOT_FOUND_MANY",
    "InvalidPrefixListID.NotFound",
    400,
    "The prefix list IDs '{0}' do not exist",
  ),
  EMU_ERR_PREFIX_LIST_NOT_FOUND: def(
    "EMU_ERR_PREFIX_LIST_NOT_FOUND",
    "InvalidPrefixListID.NotFound",
    400,
    "The prefix list ID '{0}' does not exist",
  ),
  EMU_ERR_PREFIX_LIST_IN_USE: def(
    "EMU_ERR_PREFIX_LIST_IN_USE",
    "DependencyViolation",
    400,
    "The prefix list '{0}' is referenced by security group rules ({1}) and cannot be deleted.",
  ),
  EMU_ERR_PREFIX_LIST_AWS_MANAGED: def(
    "EMU_ERR_PREFIX_LIST_AWS_MANAGED",
    "InvalidPrefixListModification",
    400,
    "The prefix list '{0}' is an AWS-managed prefix list and cannot be modified or deleted.",
  ),
  EMU_ERR_PREFIX_LIST_LIMIT: def(
    "EMU_ERR_PREFIX_LIST_LIMIT",
    "PrefixListLimitExceeded",
    400,
    "The maximum number of prefix lists has been reached.",
  ),
  EMU_ERR_PREFIX_LIST_VERSION: def(
    "EMU_ERR_PREFIX_LIST_VERSION",
    "PrefixListVersionMismatch",
    400,
    "The prefix list '{0}' has version {1}, not {2}.",
  ),
  EMU_ERR_PREFIX_LIST_ENTRIES: def(
    "EMU_ERR_PREFIX_LIST_ENTRIES",
    "PrefixListMaxEntriesExceeded",
    400,
    "The prefix list '{0}' would have {1} entries; its maximum is {2}.",
  ),
  // --- network ACLs (ERR-26..ERR-30, Q-5)
  EMU_ERR_NACL_NOT_FOUND_MANY: def(
    "EMU_ERR_NACL_NOT_FOUND_MANY",
    "InvalidNetworkAclID.NotFound",
    400,
    "The networkAcl IDs '{0}' do not exist",
  ),
  EMU_ERR_NACL_NOT_FOUND: def(
    "EMU_ERR_NACL_NOT_FOUND",
    "InvalidNetworkAclID.NotFound",
    400,
    "The networkAcl ID '{0}' does not exist",
  ),
  EMU_ERR_NACL_ENTRY_EXISTS: def(
    "EMU_ERR_NACL_ENTRY_EXISTS",
    "NetworkAclEntryAlreadyExists",
    400,
    "The network acl entry identified by {0} already exists.",
  ),
  EMU_ERR_NACL_ENTRY_NOT_FOUND: def(
    "EMU_ERR_NACL_ENTRY_NOT_FOUND",
    "InvalidNetworkAclEntry.NotFound",
    400,
    "The network acl entry identified by {0} does not exist.",
  ),
  EMU_ERR_NACL_ENTRY_LIMIT: def(
    "EMU_ERR_NACL_ENTRY_LIMIT",
    "NetworkAclEntryLimitExceeded",
    400,
    "The maximum number of entries per network ACL direction has been reached.",
  ),
  EMU_ERR_NACL_LIMIT: def(
    "EMU_ERR_NACL_LIMIT",
    "NetworkAclLimitExceeded",
    400,
    "The maximum number of network ACLs per VPC has been reached.",
  ),
  EMU_ERR_NACL_DEPENDENCY: def(
    "EMU_ERR_NACL_DEPENDENCY",
    "DependencyViolation",
    400,
    "The networkAcl '{0}' has dependencies and cannot be deleted.",
  ),
  EMU_ERR_NACL_DELETE_DEFAULT: def(
    "EMU_ERR_NACL_DELETE_DEFAULT",
    "InvalidParameterValue",
    400,
    "cannot delete default network ACL {0}",
  ),
  EMU_ERR_NACL_ASSOC_NOT_FOUND: def(
    "EMU_ERR_NACL_ASSOC_NOT_FOUND",
    "InvalidAssociationID.NotFound",
    400,
    "The association ID '{0}' does not exist",
  ),
  // --- ENIs and instances (ERR-32, ERR-34, ERR-35, ERR-37)
  EMU_ERR_ENI_NOT_FOUND_MANY: def(
    "EMU_ERR_ENI_NOT_FOUND_MANY",
    "InvalidNetworkInterfaceID.NotFound",
    400,
    "The networkInterface IDs '{0}' do not exist",
  ),
  EMU_ERR_ENI_NOT_FOUND: def(
    "EMU_ERR_ENI_NOT_FOUND",
    "InvalidNetworkInterfaceID.NotFound",
    400,
    "The networkInterface ID '{0}' does not exist",
  ),
  EMU_ERR_ENI_IN_USE: def(
    "EMU_ERR_ENI_IN_USE",
    "InvalidNetworkInterface.InUse",
    400,
    "Interface: [{0}] in use.",
  ),
  EMU_ERR_ENI_LIMIT: def(
    "EMU_ERR_ENI_LIMIT",
    "NetworkInterfaceLimitExceeded",
    400,
    "The maximum number of network interfaces has been reached.",
  ),
  EMU_ERR_ADDRESS_IN_USE: def(
    "EMU_ERR_ADDRESS_IN_USE",
    "InvalidIPAddress.InUse",
    400,
    "Address {0} is in use.",
  ),
  EMU_ERR_ADDRESS_OUT_OF_SUBNET: def(
    "EMU_ERR_ADDRESS_OUT_OF_SUBNET",
    "InvalidParameterValue",
    400,
    "Address {0} does not fall within the subnet's address range",
  ),
  EMU_ERR_SUBNET_FULL: def(
    "EMU_ERR_SUBNET_FULL",
    "InsufficientFreeAddressesInSubnet",
    400,
    "There are not enough free addresses in subnet '{0}' to satisfy the requested number of instances.",
  ),
  EMU_ERR_INSTANCE_NOT_FOUND_MANY: def(
    "EMU_ERR_INSTANCE_NOT_FOUND_MANY",
    "InvalidInstanceID.NotFound",
    400,
    "The instance IDs '{0}' do not exist",
  ),
  EMU_ERR_INSTANCE_NOT_FOUND: def(
    "EMU_ERR_INSTANCE_NOT_FOUND",
    "InvalidInstanceID.NotFound",
    400,
    "The instance ID '{0}' does not exist",
  ),
  EMU_ERR_INSTANCE_MALFORMED_ID: def(
    "EMU_ERR_INSTANCE_MALFORMED_ID",
    "InvalidInstanceID.Malformed",
    400,
    'Invalid id: "{0}"',
  ),
  EMU_ERR_INSTANCE_STATE: def(
    "EMU_ERR_INSTANCE_STATE",
    "IncorrectInstanceState",
    400,
    "The instance '{0}' is not in a state from which it can be modified.",
  ),
  EMU_ERR_INSTANCE_NOT_STOPPED: def(
    "EMU_ERR_INSTANCE_NOT_STOPPED",
    "IncorrectInstanceState",
    400,
    "The instance '{0}' is not in the 'stopped' state.",
  ),
  EMU_ERR_INSTANCE_CANNOT_STOP: def(
    "EMU_ERR_INSTANCE_CANNOT_STOP",
    "IncorrectInstanceState",
    400,
    "This instance '{0}' is not in a state from which it can be stopped.",
  ),
  EMU_ERR_INSTANCE_CANNOT_START: def(
    "EMU_ERR_INSTANCE_CANNOT_START",
    "IncorrectInstanceState",
    400,
    "The instance '{0}' is not in a state from which it can be started.",
  ),
  EMU_ERR_INSTANCE_CANNOT_REBOOT: def(
    "EMU_ERR_INSTANCE_CANNOT_REBOOT",
    "IncorrectInstanceState",
    400,
    "The instance '{0}' is not in a state from which it can be rebooted.",
  ),
  EMU_ERR_INSTANCE_TERMINATION_PROTECTED: def(
    "EMU_ERR_INSTANCE_TERMINATION_PROTECTED",
    "OperationNotPermitted",
    400,
    "The instance '{0}' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.",
  ),
  EMU_ERR_INSTANCE_STOP_PROTECTED: def(
    "EMU_ERR_INSTANCE_STOP_PROTECTED",
    "OperationNotPermitted",
    400,
    "The instance '{0}' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.",
  ),
  EMU_ERR_INSTANCE_HIBERNATION_NOT_CONFIGURED: def(
    "EMU_ERR_INSTANCE_HIBERNATION_NOT_CONFIGURED",
    "UnsupportedHibernationConfiguration",
    400,
    "The instance can't be hibernated because it was not configured at launch for hibernation: {0}",
  ),
  EMU_ERR_INSTANCE_CREDITS_NOT_SUPPORTED: def(
    "EMU_ERR_INSTANCE_CREDITS_NOT_SUPPORTED",
    "InstanceCreditSpecification.NotSupported",
    400,
    "The instance '{0}' is of type {1}, which is not a burstable performance instance type.",
  ),
  EMU_ERR_INSTANCE_TYPE_NOT_FOUND: def(
    "EMU_ERR_INSTANCE_TYPE_NOT_FOUND",
    "InvalidInstanceType",
    400,
    "The following supplied instance types do not exist: [{0}]",
  ),
  EMU_ERR_ENI_ATTACHMENT_LIMIT: def(
    "EMU_ERR_ENI_ATTACHMENT_LIMIT",
    "AttachmentLimitExceeded",
    400,
    "Interface count {0} exceeds the limit for {1}",
  ),
  EMU_ERR_PRIVATE_IP_LIMIT: def(
    "EMU_ERR_PRIVATE_IP_LIMIT",
    "PrivateIpAddressLimitExceeded",
    400,
    "Number of private addresses will exceed limit: {0} requested, {1} allows {2} per network interface.",
  ),
  EMU_ERR_IPV6_ADDRESS_LIMIT: def(
    "EMU_ERR_IPV6_ADDRESS_LIMIT",
    "InvalidParameterValue",
    400,
    "Number of IPv6 addresses will exceed limit: {0} requested, {1} allows {2} per network interface.",
  ),
  EMU_ERR_INSTANCE_NO_DEVICE: def(
    "EMU_ERR_INSTANCE_NO_DEVICE",
    "InvalidInstanceAttributeValue",
    400,
    "No device is currently mapped at {0}",
  ),
  EMU_ERR_RESOURCE_NOT_FOUND: def(
    "EMU_ERR_RESOURCE_NOT_FOUND",
    "InvalidID",
    400,
    'The ID "{0}" is not valid',
  ),
  EMU_ERR_TAG_LIMIT: def(
    "EMU_ERR_TAG_LIMIT",
    "TagLimitExceeded",
    400,
    "The maximum number of tags for resource '{0}' has been reached.",
  ),
  // --- routing (docs/routing.md RT-, IGW-, EIP-, NAT-, PCX-)
  EMU_ERR_IGW_NOT_FOUND: def(
    "EMU_ERR_IGW_NOT_FOUND",
    "InvalidInternetGatewayID.NotFound",
    400,
    "The internetGateway ID '{0}' does not exist",
  ),
  EMU_ERR_IGW_NOT_FOUND_MANY: def(
    "EMU_ERR_IGW_NOT_FOUND_MANY",
    "InvalidInternetGatewayID.NotFound",
    400,
    "The internetGateway IDs '{0}' do not exist",
  ),
  EMU_ERR_IGW_ALREADY_ATTACHED: def(
    "EMU_ERR_IGW_ALREADY_ATTACHED",
    "Resource.AlreadyAssociated",
    400,
    "resource {0} is already attached to network {1}",
  ),
  EMU_ERR_VPC_HAS_IGW: def(
    "EMU_ERR_VPC_HAS_IGW",
    "Resource.AlreadyAssociated",
    400,
    "Network {0} already has an internet gateway attached",
  ),
  EMU_ERR_IGW_NOT_ATTACHED: def(
    "EMU_ERR_IGW_NOT_ATTACHED",
    "Gateway.NotAttached",
    400,
    "resource {0} is not attached to network {1}",
  ),
  EMU_ERR_IGW_DEPENDENCY: def(
    "EMU_ERR_IGW_DEPENDENCY",
    "DependencyViolation",
    400,
    "The internetGateway '{0}' has dependencies and cannot be deleted.",
  ),
  EMU_ERR_IGW_MAPPED_ADDRESSES: def(
    "EMU_ERR_IGW_MAPPED_ADDRESSES",
    "DependencyViolation",
    400,
    "Network {0} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.",
  ),
  EMU_ERR_EIGW_NOT_FOUND: def(
    "EMU_ERR_EIGW_NOT_FOUND",
    "InvalidEgressOnlyInternetGatewayId.NotFound",
    400,
    "The egressOnlyInternetGateway ID '{0}' does not exist",
  ),
  EMU_ERR_EIGW_NOT_FOUND_MANY: def(
    "EMU_ERR_EIGW_NOT_FOUND_MANY",
    "InvalidEgressOnlyInternetGatewayId.NotFound",
    400,
    "The egressOnlyInternetGateway IDs '{0}' do not exist",
  ),
  EMU_ERR_GATEWAY_NOT_FOUND: def(
    "EMU_ERR_GATEWAY_NOT_FOUND",
    "InvalidGatewayID.NotFound",
    400,
    "The gateway ID '{0}' does not exist",
  ),
  EMU_ERR_ROUTE_TABLE_DEPENDENCY: def(
    "EMU_ERR_ROUTE_TABLE_DEPENDENCY",
    "DependencyViolation",
    400,
    "The routeTable '{0}' has dependencies and cannot be deleted.",
  ),
  EMU_ERR_ROUTE_EXISTS: def(
    "EMU_ERR_ROUTE_EXISTS",
    "RouteAlreadyExists",
    400,
    "The route identified by {0} already exists.",
  ),
  EMU_ERR_ROUTE_NOT_FOUND: def(
    "EMU_ERR_ROUTE_NOT_FOUND",
    "InvalidRoute.NotFound",
    400,
    "no route with {0} {1} in route table {2}",
  ),
  EMU_ERR_ROUTE_LOCAL: def(
    "EMU_ERR_ROUTE_LOCAL",
    "InvalidParameterValue",
    400,
    "cannot {0} local route {1} in route table {2}",
  ),
  EMU_ERR_ROUTE_MORE_SPECIFIC: def(
    "EMU_ERR_ROUTE_MORE_SPECIFIC",
    "InvalidParameterValue",
    400,
    "The destination CIDR block {0} is equal to or more specific than one of this VPC's CIDR blocks. This route can target only an interface or an instance.",
  ),
  EMU_ERR_ROUTE_DIFFERENT_NETWORKS: def(
    "EMU_ERR_ROUTE_DIFFERENT_NETWORKS",
    "InvalidParameterValue",
    400,
    "route table {0} and network gateway {1} belong to different networks",
  ),
  EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS: def(
    "EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS",
    "InvalidParameterValue",
    400,
    "route table {0} and {1} belong to different networks",
  ),
  EMU_ERR_ROUTE_TABLE_ASSOC_NOT_FOUND: def(
    "EMU_ERR_ROUTE_TABLE_ASSOC_NOT_FOUND",
    "InvalidAssociationID.NotFound",
    400,
    "The association ID '{0}' does not exist",
  ),
  EMU_ERR_ROUTE_TABLE_ALREADY_ASSOCIATED: def(
    "EMU_ERR_ROUTE_TABLE_ALREADY_ASSOCIATED",
    "Resource.AlreadyAssociated",
    400,
    "the specified association for route table {0} conflicts with an existing association",
  ),
  EMU_ERR_ROUTE_TABLE_MAIN_ASSOCIATION: def(
    "EMU_ERR_ROUTE_TABLE_MAIN_ASSOCIATION",
    "InvalidParameterValue",
    400,
    "cannot disassociate the main route table association {0}",
  ),
  EMU_ERR_ADDRESS_ALLOCATION_NOT_FOUND: def(
    "EMU_ERR_ADDRESS_ALLOCATION_NOT_FOUND",
    "InvalidAllocationID.NotFound",
    400,
    "The allocation ID '{0}' does not exist",
  ),
  EMU_ERR_ADDRESS_NOT_FOUND: def(
    "EMU_ERR_ADDRESS_NOT_FOUND",
    "InvalidAddress.NotFound",
    400,
    "Address '{0}' not found.",
  ),
  EMU_ERR_ADDRESS_ASSOC_NOT_FOUND: def(
    "EMU_ERR_ADDRESS_ASSOC_NOT_FOUND",
    "InvalidAssociationID.NotFound",
    400,
    "The association ID '{0}' does not exist",
  ),
  EMU_ERR_ADDRESS_ALREADY_ASSOCIATED: def(
    "EMU_ERR_ADDRESS_ALREADY_ASSOCIATED",
    "Resource.AlreadyAssociated",
    400,
    "resource {0} is already associated with associationId {1}",
  ),
  EMU_ERR_ADDRESS_RELEASE_IN_USE: def(
    "EMU_ERR_ADDRESS_RELEASE_IN_USE",
    "InvalidIPAddress.InUse",
    400,
    "Address {0} is in use.",
  ),
  EMU_ERR_ADDRESS_LIMIT: def(
    "EMU_ERR_ADDRESS_LIMIT",
    "AddressLimitExceeded",
    400,
    "The maximum number of addresses has been reached.",
  ),
  EMU_ERR_ADDRESS_RANGE_EXHAUSTED: def(
    "EMU_ERR_ADDRESS_RANGE_EXHAUSTED",
    "InsufficientAddressCapacity",
    400,
    "There are no free addresses left in the emulated public range {0}.",
  ),
  EMU_ERR_ADDRESS_NO_IGW: def(
    "EMU_ERR_ADDRESS_NO_IGW",
    "Gateway.NotAttached",
    400,
    "Network {0} is not attached to any internet gateway",
  ),
  EMU_ERR_ADDRESS_PRIVATE_IP: def(
    "EMU_ERR_ADDRESS_PRIVATE_IP",
    "InvalidParameterValue",
    400,
    "Invalid value '{0}' for PrivateIpAddress. The address is not assigned to network interface {1}.",
  ),
  EMU_ERR_NAT_NOT_FOUND: def(
    "EMU_ERR_NAT_NOT_FOUND",
    "NatGatewayNotFound",
    400,
    "The natGateway ID '{0}' does not exist",
  ),
  EMU_ERR_NAT_NOT_FOUND_MANY: def(
    "EMU_ERR_NAT_NOT_FOUND_MANY",
    "NatGatewayNotFound",
    400,
    "The natGateway IDs '{0}' do not exist",
  ),
  EMU_ERR_NAT_ADDRESS_IN_USE: def(
    "EMU_ERR_NAT_ADDRESS_IN_USE",
    "Resource.AlreadyAssociated",
    400,
    "Elastic IP address [{0}] is already associated",
  ),
  EMU_ERR_NAT_DEPENDENCY: def(
    "EMU_ERR_NAT_DEPENDENCY",
    "DependencyViolation",
    400,
    "The {0} '{1}' has dependencies and cannot be deleted.",
  ),
  EMU_ERR_PCX_NOT_FOUND: def(
    "EMU_ERR_PCX_NOT_FOUND",
    "InvalidVpcPeeringConnectionID.NotFound",
    400,
    "The vpcPeeringConnection ID '{0}' does not exist",
  ),
  EMU_ERR_PCX_NOT_FOUND_MANY: def(
    "EMU_ERR_PCX_NOT_FOUND_MANY",
    "InvalidVpcPeeringConnectionID.NotFound",
    400,
    "The vpcPeeringConnection IDs '{0}' do not exist",
  ),
  EMU_ERR_PCX_STATE: def(
    "EMU_ERR_PCX_STATE",
    "InvalidStateTransition",
    400,
    "Invalid state transition for {0}, attempted to transition from {1} to {2}",
  ),
  EMU_ERR_PCX_NOT_PERMITTED: def(
    "EMU_ERR_PCX_NOT_PERMITTED",
    "OperationNotPermitted",
    400,
    "User {0} cannot {1} peering {2}",
  ),
  EMU_ERR_PCX_ALREADY_EXISTS: def(
    "EMU_ERR_PCX_ALREADY_EXISTS",
    "VpcPeeringConnectionAlreadyExists",
    400,
    "A VPC peering connection between {0} and {1} already exists: {2}",
  ),
  EMU_ERR_PCX_SAME_VPC: def(
    "EMU_ERR_PCX_SAME_VPC",
    "InvalidParameterValue",
    400,
    "Invalid value '{0}' for PeerVpcId. A VPC cannot be peered with itself.",
  ),
  // --- VPC flow logs (docs/observability.md FLW-1..FLW-5; controller/ec2/flow-logs.ts)
  EMU_ERR_FLOW_LOG_FORMAT_INVALID: def(
    "EMU_ERR_FLOW_LOG_FORMAT_INVALID",
    "InvalidParameter",
    400,
    "Value '{0}' at 'logFormat' has an invalid format: give ${field} tokens separated by single spaces.",
  ),
  EMU_ERR_FLOW_LOG_FORMAT_UNKNOWN_FIELD: def(
    "EMU_ERR_FLOW_LOG_FORMAT_UNKNOWN_FIELD",
    "InvalidParameter",
    400,
    "Unknown fields provided: {0}",
  ),
  EMU_ERR_FLOW_LOG_AGGREGATION_INTERVAL: def(
    "EMU_ERR_FLOW_LOG_AGGREGATION_INTERVAL",
    "InvalidParameter",
    400,
    "Invalid MaxAggregationInterval {0}: valid values are 60 and 600.",
  ),
  EMU_ERR_FLOW_LOG_FILE_DESTINATION: def(
    "EMU_ERR_FLOW_LOG_FILE_DESTINATION",
    "InvalidParameterValue",
    400,
    "Value ({0}) for parameter LogDestination is invalid. A file destination is file:// or arn:vpcemu:file::: followed by an absolute path.",
  ),
  EMU_ERR_FLOW_LOG_FILE_FOREIGN: def(
    "EMU_ERR_FLOW_LOG_FILE_FOREIGN",
    "InvalidParameterValue",
    400,
    "Value ({0}) for parameter LogDestination is invalid: {1}",
  ),
  EMU_ERR_FLOW_LOG_NOT_FOUND: def(
    "EMU_ERR_FLOW_LOG_NOT_FOUND",
    "InvalidFlowLogId.NotFound",
    400,
    "These flow log ids in the input list are not found: [TotalCount: 1] {0}",
  ),
  EMU_ERR_FLOW_LOG_EXISTS: def(
    "EMU_ERR_FLOW_LOG_EXISTS",
    "FlowLogAlreadyExists",
    400,
    "Error. There is an existing Flow Log with the same configuration and log destination.",
  ),
  // --- network insights (docs/observability.md EXP-8..EXP-10; controller/ec2/network-insights.ts)
  EMU_ERR_NIP_NOT_FOUND: def(
    "EMU_ERR_NIP_NOT_FOUND",
    "InvalidNetworkInsightsPathId.NotFound",
    400,
    "The network insights path ID '{0}' does not exist",
  ),
  EMU_ERR_NIA_NOT_FOUND: def(
    "EMU_ERR_NIA_NOT_FOUND",
    "InvalidNetworkInsightsAnalysisId.NotFound",
    400,
    "The network insights analysis ID '{0}' does not exist",
  ),
  EMU_ERR_NIP_UNSUPPORTED_END: def(
    "EMU_ERR_NIP_UNSUPPORTED_END",
    "InvalidParameterValue",
    400,
    "Invalid value '{0}' for {1}. vpcemu analyses paths between instances, network interfaces and internet gateways.",
  ),
  EMU_ERR_NIP_PORT_REQUIRED: def(
    "EMU_ERR_NIP_PORT_REQUIRED",
    "MissingParameter",
    400,
    "The request must contain the parameter DestinationPort (or FilterAtSource.DestinationPortRange with one port): vpcemu analyses one destination port",
  ),
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

/** A coded control-plane failure; the EC2 API answers with `awsCode`, `status`, `message`. */
export class ControllerError extends Error {
  readonly code: ErrorCode;
  readonly awsCode: string;
  readonly status: number;

  constructor(def: ErrorDef, message: string) {
    super(message);
    this.name = "ControllerError";
    this.code = def.code as ErrorCode;
    this.awsCode = def.awsCode;
    this.status = def.status;
  }
}

/** Builds the error for catalogue entry `code`, filling `{n}` from `args`. */
export function controllerError(
  code: ErrorCode,
  ...args: ReadonlyArray<string | number>
): ControllerError {
  const d = ERRORS[code];
  const message = d.message.replace(/\{(\d+)\}/g, (_m, i: string) => String(args[Number(i)] ?? ""));
  return new ControllerError(d, message);
}

/** `InvalidParameterValue` with AWS's usual text: `Invalid value '<v>' for <param>.` (ERR-24). */
export function invalidValue(value: unknown, param: string, why?: string): ControllerError {
  const tail = why === undefined ? "" : ` ${why}`;
  return controllerError(
    "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
    `Invalid value '${String(value)}' for ${param}.${tail}`,
  );
}
