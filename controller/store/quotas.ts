/** Emulated AWS quotas (AWS-BEHAVIOUR Q-1..Q-6), defaults as AWS's; all configurable. */
export interface Quotas {
  /** rules per SG per direction, counted separately per address family. */
  readonly rulesPerGroupPerDirection: number;
  /** SGs per ENI. */
  readonly groupsPerEni: number;
  /**
   * (rules per SG) x (SGs per ENI) <= 1,000, held as a cap on the rules of all groups on one
   * ENI, per direction and per address family, weighted as Q-2 (docs/ec2-api.md [CHOICE]).
   */
  readonly rulesPerEni: number;
  /** VPC SGs per Region. */
  readonly groupsPerRegion: number;
  /** Q-4 optional per-VPC cap (older SDK docs: 100); undefined = none. */
  readonly groupsPerVpc: number | undefined;
  /** NACL entries per direction, `*` not counted. */
  readonly naclEntriesPerDirection: number;
  readonly naclsPerVpc: number;
  /** */
  readonly prefixListsPerRegion: number;
  readonly vpcsPerRegion: number;
  readonly subnetsPerVpc: number;
  /** IPv4 CIDR blocks per VPC, the primary included. */
  readonly cidrsPerVpc: number;
  readonly enisPerRegion: number;
  /** Elastic IP addresses per Region (VPC quotas: 5); docs/routing.md EIP-5. */
  readonly elasticIpsPerRegion?: number;
}

export const DEFAULT_QUOTAS: Quotas = {
  rulesPerGroupPerDirection: 60,
  groupsPerEni: 5,
  rulesPerEni: 1000,
  groupsPerRegion: 2500,
  groupsPerVpc: undefined,
  naclEntriesPerDirection: 20,
  naclsPerVpc: 200,
  prefixListsPerRegion: 100,
  vpcsPerRegion: 5,
  subnetsPerVpc: 200,
  cidrsPerVpc: 5,
  enisPerRegion: 5000,
  elasticIpsPerRegion: 5,
};
