import * as $protobuf from "protobufjs";
import Long = require("long");
export namespace vpcemu {

    namespace v1 {

        interface IExternalAddress {
            name?: (string|null);
            address?: (string|null);
        }

        class ExternalAddress implements IExternalAddress {
            constructor(properties?: vpcemu.v1.IExternalAddress);
            public name: string;
            public address: string;
            public static create(properties?: vpcemu.v1.IExternalAddress): vpcemu.v1.ExternalAddress;
            public static encode(message: vpcemu.v1.IExternalAddress, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ExternalAddress;
        }

        interface IHosting {
            instanceIds?: (string[]|null);
            eniIds?: (string[]|null);
            externals?: (vpcemu.v1.IExternalAddress[]|null);
            underlayEndpoint?: (string|null);
            conntrackMax?: (number|null);
            autoTracked?: (boolean|null);
        }

        class Hosting implements IHosting {
            constructor(properties?: vpcemu.v1.IHosting);
            public instanceIds: string[];
            public eniIds: string[];
            public externals: vpcemu.v1.IExternalAddress[];
            public underlayEndpoint: string;
            public conntrackMax: number;
            public autoTracked: boolean;
            public static create(properties?: vpcemu.v1.IHosting): vpcemu.v1.Hosting;
            public static encode(message: vpcemu.v1.IHosting, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Hosting;
        }

        interface IHello {
            agentId?: (string|null);
            joinToken?: (string|null);
            hosting?: (vpcemu.v1.IHosting|null);
            version?: (string|null);
            enforcedRevision?: (number|null);
            agentKey?: (string|null);
        }

        class Hello implements IHello {
            constructor(properties?: vpcemu.v1.IHello);
            public agentId: string;
            public joinToken: string;
            public hosting?: (vpcemu.v1.IHosting|null);
            public version: string;
            public enforcedRevision: number;
            public agentKey: string;
            public static create(properties?: vpcemu.v1.IHello): vpcemu.v1.Hello;
            public static encode(message: vpcemu.v1.IHello, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Hello;
        }

        interface IWelcome {
            agentKey?: (string|null);
        }

        class Welcome implements IWelcome {
            constructor(properties?: vpcemu.v1.IWelcome);
            public agentKey: string;
            public static create(properties?: vpcemu.v1.IWelcome): vpcemu.v1.Welcome;
            public static encode(message: vpcemu.v1.IWelcome, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Welcome;
        }

        interface ISnapshot {
            snapshot?: (vpcemu.v1.IAgentSnapshot|null);
            generation?: (number|null);
            reuseMapping?: (boolean|null);
        }

        class Snapshot implements ISnapshot {
            constructor(properties?: vpcemu.v1.ISnapshot);
            public snapshot?: (vpcemu.v1.IAgentSnapshot|null);
            public generation: number;
            public reuseMapping: boolean;
            public static create(properties?: vpcemu.v1.ISnapshot): vpcemu.v1.Snapshot;
            public static encode(message: vpcemu.v1.ISnapshot, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Snapshot;
        }

        interface IAck {
            revision?: (number|null);
            generation?: (number|null);
        }

        class Ack implements IAck {
            constructor(properties?: vpcemu.v1.IAck);
            public revision: number;
            public generation: number;
            public static create(properties?: vpcemu.v1.IAck): vpcemu.v1.Ack;
            public static encode(message: vpcemu.v1.IAck, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Ack;
        }

        interface IHeartbeat {
            sentAtMs?: (number|null);
            reply?: (boolean|null);
        }

        class Heartbeat implements IHeartbeat {
            constructor(properties?: vpcemu.v1.IHeartbeat);
            public sentAtMs: number;
            public reply: boolean;
            public static create(properties?: vpcemu.v1.IHeartbeat): vpcemu.v1.Heartbeat;
            public static encode(message: vpcemu.v1.IHeartbeat, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Heartbeat;
        }

        enum ErrorCode {
            ERROR_CODE_UNSPECIFIED = 0,
            ERROR_CODE_BAD_FRAME = 1,
            ERROR_CODE_HELLO_REQUIRED = 2,
            ERROR_CODE_JOIN_TOKEN = 3,
            ERROR_CODE_DUPLICATE_AGENT = 4,
            ERROR_CODE_INTERNAL = 5,
            ERROR_CODE_AGENT_KEY = 6,
            ERROR_CODE_LIMIT = 7
        }

        interface IError {
            code?: (vpcemu.v1.ErrorCode|null);
            emuCode?: (string|null);
            message?: (string|null);
        }

        class Error implements IError {
            constructor(properties?: vpcemu.v1.IError);
            public code: vpcemu.v1.ErrorCode;
            public emuCode: string;
            public message: string;
            public static create(properties?: vpcemu.v1.IError): vpcemu.v1.Error;
            public static encode(message: vpcemu.v1.IError, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Error;
        }

        interface ICaptureControl {
            captureId?: (string|null);
            stop?: (boolean|null);
            ports?: (string[]|null);
            filter?: (string|null);
            underlay?: (boolean|null);
            snaplen?: (number|null);
            maxPackets?: (number|null);
        }

        class CaptureControl implements ICaptureControl {
            constructor(properties?: vpcemu.v1.ICaptureControl);
            public captureId: string;
            public stop: boolean;
            public ports: string[];
            public filter: string;
            public underlay: boolean;
            public snaplen: number;
            public maxPackets: number;
            public static create(properties?: vpcemu.v1.ICaptureControl): vpcemu.v1.CaptureControl;
            public static encode(message: vpcemu.v1.ICaptureControl, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CaptureControl;
        }

        interface ICapturedPackets {
            captureId?: (string|null);
            started?: (boolean|null);
            error?: (string|null);
            pcapng?: (Uint8Array|null);
            packets?: (number|null);
            dropped?: (number|null);
            finished?: (boolean|null);
        }

        class CapturedPackets implements ICapturedPackets {
            constructor(properties?: vpcemu.v1.ICapturedPackets);
            public captureId: string;
            public started: boolean;
            public error: string;
            public pcapng: Uint8Array;
            public packets: number;
            public dropped: number;
            public finished: boolean;
            public static create(properties?: vpcemu.v1.ICapturedPackets): vpcemu.v1.CapturedPackets;
            public static encode(message: vpcemu.v1.ICapturedPackets, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CapturedPackets;
        }

        interface ITraceControl {
            traceId?: (string|null);
            stop?: (boolean|null);
            eniIds?: (string[]|null);
            expiresAtMs?: (number|null);
            filter?: (vpcemu.v1.ITraceFilter|null);
        }

        class TraceControl implements ITraceControl {
            constructor(properties?: vpcemu.v1.ITraceControl);
            public traceId: string;
            public stop: boolean;
            public eniIds: string[];
            public expiresAtMs: number;
            public filter?: (vpcemu.v1.ITraceFilter|null);
            public static create(properties?: vpcemu.v1.ITraceControl): vpcemu.v1.TraceControl;
            public static encode(message: vpcemu.v1.ITraceControl, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.TraceControl;
        }

        interface ITraceFilter {
            verdict?: (string|null);
            protocol?: (number|null);
            address?: (string|null);
            port?: (number|null);
        }

        class TraceFilter implements ITraceFilter {
            constructor(properties?: vpcemu.v1.ITraceFilter);
            public verdict: string;
            public protocol: number;
            public address: string;
            public port: number;
            public static create(properties?: vpcemu.v1.ITraceFilter): vpcemu.v1.TraceFilter;
            public static encode(message: vpcemu.v1.ITraceFilter, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.TraceFilter;
        }

        interface IVerdictEventRecord {
            eniId?: (string|null);
            direction?: (string|null);
            verdict?: (string|null);
            reason?: (string|null);
            site?: (string|null);
            sgRuleId?: (string|null);
            noMatchGroups?: (string[]|null);
            naclId?: (string|null);
            naclRuleNumber?: (number|null);
            conntrack?: (string|null);
            faultId?: (string|null);
            protocol?: (number|null);
            src?: (string|null);
            dst?: (string|null);
            srcPort?: (number|null);
            dstPort?: (number|null);
            icmpType?: (number|null);
            icmpCode?: (number|null);
            length?: (number|null);
            atMs?: (number|null);
        }

        class VerdictEventRecord implements IVerdictEventRecord {
            constructor(properties?: vpcemu.v1.IVerdictEventRecord);
            public eniId: string;
            public direction: string;
            public verdict: string;
            public reason: string;
            public site: string;
            public sgRuleId: string;
            public noMatchGroups: string[];
            public naclId: string;
            public naclRuleNumber: number;
            public conntrack: string;
            public faultId: string;
            public protocol: number;
            public src: string;
            public dst: string;
            public srcPort: number;
            public dstPort: number;
            public icmpType: number;
            public icmpCode: number;
            public length: number;
            public atMs: number;
            public static create(properties?: vpcemu.v1.IVerdictEventRecord): vpcemu.v1.VerdictEventRecord;
            public static encode(message: vpcemu.v1.IVerdictEventRecord, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.VerdictEventRecord;
        }

        interface IVerdictEvents {
            traceId?: (string|null);
            events?: (vpcemu.v1.IVerdictEventRecord[]|null);
            lost?: (number|null);
            finished?: (boolean|null);
            error?: (string|null);
        }

        class VerdictEvents implements IVerdictEvents {
            constructor(properties?: vpcemu.v1.IVerdictEvents);
            public traceId: string;
            public events: vpcemu.v1.IVerdictEventRecord[];
            public lost: number;
            public finished: boolean;
            public error: string;
            public static create(properties?: vpcemu.v1.IVerdictEvents): vpcemu.v1.VerdictEvents;
            public static encode(message: vpcemu.v1.IVerdictEvents, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.VerdictEvents;
        }

        interface IFrame {
            hello?: (vpcemu.v1.IHello|null);
            snapshot?: (vpcemu.v1.ISnapshot|null);
            ack?: (vpcemu.v1.IAck|null);
            conntrackReport?: (vpcemu.v1.IConntrackReport|null);
            conntrackRequest?: (vpcemu.v1.IConntrackRequest|null);
            flowLogs?: (vpcemu.v1.IFlowLogBatch|null);
            counters?: (vpcemu.v1.ICounters|null);
            heartbeat?: (vpcemu.v1.IHeartbeat|null);
            error?: (vpcemu.v1.IError|null);
            hosting?: (vpcemu.v1.IHosting|null);
            welcome?: (vpcemu.v1.IWelcome|null);
            traceControl?: (vpcemu.v1.ITraceControl|null);
            verdictEvents?: (vpcemu.v1.IVerdictEvents|null);
            captureControl?: (vpcemu.v1.ICaptureControl|null);
            capturedPackets?: (vpcemu.v1.ICapturedPackets|null);
            auditEvents?: (vpcemu.v1.IAuditEventBatch|null);
        }

        class Frame implements IFrame {
            constructor(properties?: vpcemu.v1.IFrame);
            public hello?: (vpcemu.v1.IHello|null);
            public snapshot?: (vpcemu.v1.ISnapshot|null);
            public ack?: (vpcemu.v1.IAck|null);
            public conntrackReport?: (vpcemu.v1.IConntrackReport|null);
            public conntrackRequest?: (vpcemu.v1.IConntrackRequest|null);
            public flowLogs?: (vpcemu.v1.IFlowLogBatch|null);
            public counters?: (vpcemu.v1.ICounters|null);
            public heartbeat?: (vpcemu.v1.IHeartbeat|null);
            public error?: (vpcemu.v1.IError|null);
            public hosting?: (vpcemu.v1.IHosting|null);
            public welcome?: (vpcemu.v1.IWelcome|null);
            public traceControl?: (vpcemu.v1.ITraceControl|null);
            public verdictEvents?: (vpcemu.v1.IVerdictEvents|null);
            public captureControl?: (vpcemu.v1.ICaptureControl|null);
            public capturedPackets?: (vpcemu.v1.ICapturedPackets|null);
            public auditEvents?: (vpcemu.v1.IAuditEventBatch|null);
            public body?: ("hello"|"snapshot"|"ack"|"conntrackReport"|"conntrackRequest"|"flowLogs"|"counters"|"heartbeat"|"error"|"hosting"|"welcome"|"traceControl"|"verdictEvents"|"captureControl"|"capturedPackets"|"auditEvents");
            public static create(properties?: vpcemu.v1.IFrame): vpcemu.v1.Frame;
            public static encode(message: vpcemu.v1.IFrame, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Frame;
        }

        enum PeerKind {
            PEER_KIND_UNSPECIFIED = 0,
            PEER_KIND_CIDR = 1,
            PEER_KIND_SECURITY_GROUP = 2,
            PEER_KIND_PREFIX_LIST = 3
        }

        interface ICompiledRule {
            ruleId?: (string|null);
            groupId?: (string|null);
            protocol?: (number|null);
            fromPort?: (number|null);
            toPort?: (number|null);
            cidrs?: (string[]|null);
            peerKind?: (vpcemu.v1.PeerKind|null);
            peerId?: (string|null);
            description?: (string|null);
        }

        class CompiledRule implements ICompiledRule {
            constructor(properties?: vpcemu.v1.ICompiledRule);
            public ruleId: string;
            public groupId: string;
            public protocol: number;
            public fromPort: number;
            public toPort: number;
            public cidrs: string[];
            public peerKind: vpcemu.v1.PeerKind;
            public peerId: string;
            public description?: (string|null);
            public static create(properties?: vpcemu.v1.ICompiledRule): vpcemu.v1.CompiledRule;
            public static encode(message: vpcemu.v1.ICompiledRule, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CompiledRule;
        }

        enum NaclAction {
            NACL_ACTION_UNSPECIFIED = 0,
            NACL_ACTION_ALLOW = 1,
            NACL_ACTION_DENY = 2
        }

        interface INaclEntry {
            ruleNumber?: (number|null);
            action?: (vpcemu.v1.NaclAction|null);
            protocol?: (number|null);
            cidr?: (string|null);
            fromPort?: (number|null);
            toPort?: (number|null);
            icmpType?: (number|null);
            icmpCode?: (number|null);
        }

        class NaclEntry implements INaclEntry {
            constructor(properties?: vpcemu.v1.INaclEntry);
            public ruleNumber: number;
            public action: vpcemu.v1.NaclAction;
            public protocol: number;
            public cidr: string;
            public fromPort: number;
            public toPort: number;
            public icmpType: number;
            public icmpCode: number;
            public static create(properties?: vpcemu.v1.INaclEntry): vpcemu.v1.NaclEntry;
            public static encode(message: vpcemu.v1.INaclEntry, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.NaclEntry;
        }

        interface IConntrackTimeouts {
            tcpEstablished?: (number|null);
            udp?: (number|null);
            udpStream?: (number|null);
        }

        class ConntrackTimeouts implements IConntrackTimeouts {
            constructor(properties?: vpcemu.v1.IConntrackTimeouts);
            public tcpEstablished: number;
            public udp: number;
            public udpStream: number;
            public static create(properties?: vpcemu.v1.IConntrackTimeouts): vpcemu.v1.ConntrackTimeouts;
            public static encode(message: vpcemu.v1.IConntrackTimeouts, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ConntrackTimeouts;
        }

        enum RouteTargetKind {
            ROUTE_TARGET_KIND_UNSPECIFIED = 0,
            ROUTE_TARGET_KIND_LOCAL = 1,
            ROUTE_TARGET_KIND_PEERING = 2,
            ROUTE_TARGET_KIND_BLACKHOLE = 3,
            ROUTE_TARGET_KIND_INTERNET_GATEWAY = 4,
            ROUTE_TARGET_KIND_EGRESS_ONLY_INTERNET_GATEWAY = 5,
            ROUTE_TARGET_KIND_NAT_GATEWAY = 6,
            ROUTE_TARGET_KIND_NETWORK_INTERFACE = 7
        }

        interface ICompiledRoute {
            destination?: (string|null);
            kind?: (vpcemu.v1.RouteTargetKind|null);
            targetId?: (string|null);
            peerVpcId?: (string|null);
            nextHop?: (string|null);
        }

        class CompiledRoute implements ICompiledRoute {
            constructor(properties?: vpcemu.v1.ICompiledRoute);
            public destination: string;
            public kind: vpcemu.v1.RouteTargetKind;
            public targetId: string;
            public peerVpcId: string;
            public nextHop: string;
            public static create(properties?: vpcemu.v1.ICompiledRoute): vpcemu.v1.CompiledRoute;
            public static encode(message: vpcemu.v1.ICompiledRoute, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CompiledRoute;
        }

        interface ICompiledEniPolicy {
            revision?: (number|null);
            eniId?: (string|null);
            instanceId?: (string|null);
            vpcId?: (string|null);
            subnetId?: (string|null);
            ipv4?: (string[]|null);
            ipv6?: (string[]|null);
            sourceDestCheck?: (boolean|null);
            ingress?: (vpcemu.v1.ICompiledRule[]|null);
            egress?: (vpcemu.v1.ICompiledRule[]|null);
            naclIn?: (vpcemu.v1.INaclEntry[]|null);
            naclOut?: (vpcemu.v1.INaclEntry[]|null);
            timeouts?: (vpcemu.v1.IConntrackTimeouts|null);
            allowance?: (number|null);
            autoTracked?: (boolean|null);
            conntrackEpoch?: (number|null);
            instanceStopped?: (boolean|null);
            routeTableId?: (string|null);
            routes?: (vpcemu.v1.ICompiledRoute[]|null);
            publicIpv4?: (vpcemu.v1.IPublicAddress[]|null);
            groupIds?: (string[]|null);
            naclId?: (string|null);
            natGateway?: (vpcemu.v1.ICompiledNatGateway|null);
            audit?: (boolean|null);
            auditIngress?: (vpcemu.v1.ICompiledRule[]|null);
            auditEgress?: (vpcemu.v1.ICompiledRule[]|null);
        }

        class CompiledEniPolicy implements ICompiledEniPolicy {
            constructor(properties?: vpcemu.v1.ICompiledEniPolicy);
            public revision: number;
            public eniId: string;
            public instanceId: string;
            public vpcId: string;
            public subnetId: string;
            public ipv4: string[];
            public ipv6: string[];
            public sourceDestCheck: boolean;
            public ingress: vpcemu.v1.ICompiledRule[];
            public egress: vpcemu.v1.ICompiledRule[];
            public naclIn: vpcemu.v1.INaclEntry[];
            public naclOut: vpcemu.v1.INaclEntry[];
            public timeouts?: (vpcemu.v1.IConntrackTimeouts|null);
            public allowance: number;
            public autoTracked: boolean;
            public conntrackEpoch: number;
            public instanceStopped: boolean;
            public routeTableId: string;
            public routes: vpcemu.v1.ICompiledRoute[];
            public publicIpv4: vpcemu.v1.IPublicAddress[];
            public groupIds: string[];
            public naclId: string;
            public natGateway?: (vpcemu.v1.ICompiledNatGateway|null);
            public audit: boolean;
            public auditIngress: vpcemu.v1.ICompiledRule[];
            public auditEgress: vpcemu.v1.ICompiledRule[];
            public static create(properties?: vpcemu.v1.ICompiledEniPolicy): vpcemu.v1.CompiledEniPolicy;
            public static encode(message: vpcemu.v1.ICompiledEniPolicy, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CompiledEniPolicy;
        }

        interface ICompiledNatGateway {
            natGatewayId?: (string|null);
            idleTimeout?: (number|null);
            portsPerDestination?: (number|null);
        }

        class CompiledNatGateway implements ICompiledNatGateway {
            constructor(properties?: vpcemu.v1.ICompiledNatGateway);
            public natGatewayId: string;
            public idleTimeout: number;
            public portsPerDestination: number;
            public static create(properties?: vpcemu.v1.ICompiledNatGateway): vpcemu.v1.CompiledNatGateway;
            public static encode(message: vpcemu.v1.ICompiledNatGateway, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CompiledNatGateway;
        }

        interface IPublicAddress {
            publicIp?: (string|null);
            privateIp?: (string|null);
        }

        class PublicAddress implements IPublicAddress {
            constructor(properties?: vpcemu.v1.IPublicAddress);
            public publicIp: string;
            public privateIp: string;
            public static create(properties?: vpcemu.v1.IPublicAddress): vpcemu.v1.PublicAddress;
            public static encode(message: vpcemu.v1.IPublicAddress, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.PublicAddress;
        }

        interface IMappingEntry {
            address?: (string|null);
            eniId?: (string|null);
            subnetId?: (string|null);
            vpcId?: (string|null);
            agentId?: (string|null);
            endpoint?: (string|null);
            privateAddress?: (string|null);
            natGateway?: (boolean|null);
        }

        class MappingEntry implements IMappingEntry {
            constructor(properties?: vpcemu.v1.IMappingEntry);
            public address: string;
            public eniId: string;
            public subnetId: string;
            public vpcId: string;
            public agentId: string;
            public endpoint: string;
            public privateAddress: string;
            public natGateway: boolean;
            public static create(properties?: vpcemu.v1.IMappingEntry): vpcemu.v1.MappingEntry;
            public static encode(message: vpcemu.v1.IMappingEntry, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.MappingEntry;
        }

        interface IAgentSnapshot {
            revision?: (number|null);
            agentId?: (string|null);
            enis?: (vpcemu.v1.ICompiledEniPolicy[]|null);
            mapping?: (vpcemu.v1.IMappingEntry[]|null);
            faults?: (vpcemu.v1.ICompiledFault[]|null);
        }

        class AgentSnapshot implements IAgentSnapshot {
            constructor(properties?: vpcemu.v1.IAgentSnapshot);
            public revision: number;
            public agentId: string;
            public enis: vpcemu.v1.ICompiledEniPolicy[];
            public mapping: vpcemu.v1.IMappingEntry[];
            public faults: vpcemu.v1.ICompiledFault[];
            public static create(properties?: vpcemu.v1.IAgentSnapshot): vpcemu.v1.AgentSnapshot;
            public static encode(message: vpcemu.v1.IAgentSnapshot, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.AgentSnapshot;
        }

        interface IFaultEndpointSet {
            any?: (boolean|null);
            portKeys?: (string[]|null);
        }

        class FaultEndpointSet implements IFaultEndpointSet {
            constructor(properties?: vpcemu.v1.IFaultEndpointSet);
            public any: boolean;
            public portKeys: string[];
            public static create(properties?: vpcemu.v1.IFaultEndpointSet): vpcemu.v1.FaultEndpointSet;
            public static encode(message: vpcemu.v1.IFaultEndpointSet, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FaultEndpointSet;
        }

        interface IFaultPair {
            from?: (vpcemu.v1.IFaultEndpointSet|null);
            to?: (vpcemu.v1.IFaultEndpointSet|null);
            reverse?: (boolean|null);
        }

        class FaultPair implements IFaultPair {
            constructor(properties?: vpcemu.v1.IFaultPair);
            public from?: (vpcemu.v1.IFaultEndpointSet|null);
            public to?: (vpcemu.v1.IFaultEndpointSet|null);
            public reverse: boolean;
            public static create(properties?: vpcemu.v1.IFaultPair): vpcemu.v1.FaultPair;
            public static encode(message: vpcemu.v1.IFaultPair, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FaultPair;
        }

        enum DelayDistribution {
            DELAY_DISTRIBUTION_UNSPECIFIED = 0,
            DELAY_DISTRIBUTION_UNIFORM = 1,
            DELAY_DISTRIBUTION_NORMAL = 2,
            DELAY_DISTRIBUTION_PARETO = 3,
            DELAY_DISTRIBUTION_PARETONORMAL = 4
        }

        interface IDelayEffect {
            latencyMs?: (number|null);
            jitterMs?: (number|null);
            correlation?: (number|null);
            distribution?: (vpcemu.v1.DelayDistribution|null);
        }

        class DelayEffect implements IDelayEffect {
            constructor(properties?: vpcemu.v1.IDelayEffect);
            public latencyMs: number;
            public jitterMs: number;
            public correlation: number;
            public distribution: vpcemu.v1.DelayDistribution;
            public static create(properties?: vpcemu.v1.IDelayEffect): vpcemu.v1.DelayEffect;
            public static encode(message: vpcemu.v1.IDelayEffect, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.DelayEffect;
        }

        interface ILossEffect {
            percent?: (number|null);
            correlation?: (number|null);
            gilbertElliott?: (boolean|null);
            geP?: (number|null);
            geR?: (number|null);
            ge_1h?: (number|null);
            ge_1k?: (number|null);
        }

        class LossEffect implements ILossEffect {
            constructor(properties?: vpcemu.v1.ILossEffect);
            public percent: number;
            public correlation: number;
            public gilbertElliott: boolean;
            public geP: number;
            public geR: number;
            public ge_1h: number;
            public ge_1k: number;
            public static create(properties?: vpcemu.v1.ILossEffect): vpcemu.v1.LossEffect;
            public static encode(message: vpcemu.v1.ILossEffect, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.LossEffect;
        }

        interface IProbabilityEffect {
            percent?: (number|null);
            correlation?: (number|null);
        }

        class ProbabilityEffect implements IProbabilityEffect {
            constructor(properties?: vpcemu.v1.IProbabilityEffect);
            public percent: number;
            public correlation: number;
            public static create(properties?: vpcemu.v1.IProbabilityEffect): vpcemu.v1.ProbabilityEffect;
            public static encode(message: vpcemu.v1.IProbabilityEffect, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ProbabilityEffect;
        }

        interface IReorderEffect {
            percent?: (number|null);
            correlation?: (number|null);
            gap?: (number|null);
        }

        class ReorderEffect implements IReorderEffect {
            constructor(properties?: vpcemu.v1.IReorderEffect);
            public percent: number;
            public correlation: number;
            public gap: number;
            public static create(properties?: vpcemu.v1.IReorderEffect): vpcemu.v1.ReorderEffect;
            public static encode(message: vpcemu.v1.IReorderEffect, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ReorderEffect;
        }

        interface IRateEffect {
            bitsPerSecond?: (number|null);
            queueLimitBytes?: (number|null);
        }

        class RateEffect implements IRateEffect {
            constructor(properties?: vpcemu.v1.IRateEffect);
            public bitsPerSecond: number;
            public queueLimitBytes: number;
            public static create(properties?: vpcemu.v1.IRateEffect): vpcemu.v1.RateEffect;
            public static encode(message: vpcemu.v1.IRateEffect, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.RateEffect;
        }

        interface IFaultEffects {
            delay?: (vpcemu.v1.IDelayEffect|null);
            loss?: (vpcemu.v1.ILossEffect|null);
            duplicate?: (vpcemu.v1.IProbabilityEffect|null);
            corrupt?: (vpcemu.v1.IProbabilityEffect|null);
            reorder?: (vpcemu.v1.IReorderEffect|null);
            rate?: (vpcemu.v1.IRateEffect|null);
            blackhole?: (boolean|null);
            reject?: (boolean|null);
        }

        class FaultEffects implements IFaultEffects {
            constructor(properties?: vpcemu.v1.IFaultEffects);
            public delay?: (vpcemu.v1.IDelayEffect|null);
            public loss?: (vpcemu.v1.ILossEffect|null);
            public duplicate?: (vpcemu.v1.IProbabilityEffect|null);
            public corrupt?: (vpcemu.v1.IProbabilityEffect|null);
            public reorder?: (vpcemu.v1.IReorderEffect|null);
            public rate?: (vpcemu.v1.IRateEffect|null);
            public blackhole: boolean;
            public reject: boolean;
            public static create(properties?: vpcemu.v1.IFaultEffects): vpcemu.v1.FaultEffects;
            public static encode(message: vpcemu.v1.IFaultEffects, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FaultEffects;
        }

        interface ICompiledFault {
            faultId?: (string|null);
            pairs?: (vpcemu.v1.IFaultPair[]|null);
            protocol?: (number|null);
            fromPort?: (number|null);
            toPort?: (number|null);
            effects?: (vpcemu.v1.IFaultEffects|null);
            seed?: (number|null);
            startAtMs?: (number|null);
            endAtMs?: (number|null);
            queueLimitPackets?: (number|null);
        }

        class CompiledFault implements ICompiledFault {
            constructor(properties?: vpcemu.v1.ICompiledFault);
            public faultId: string;
            public pairs: vpcemu.v1.IFaultPair[];
            public protocol: number;
            public fromPort: number;
            public toPort: number;
            public effects?: (vpcemu.v1.IFaultEffects|null);
            public seed: number;
            public startAtMs: number;
            public endAtMs: number;
            public queueLimitPackets: number;
            public static create(properties?: vpcemu.v1.ICompiledFault): vpcemu.v1.CompiledFault;
            public static encode(message: vpcemu.v1.ICompiledFault, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.CompiledFault;
        }

        interface IFaultCounters {
            faultId?: (string|null);
            matched?: (number|null);
            delayed?: (number|null);
            dropped?: (number|null);
            duplicated?: (number|null);
            corrupted?: (number|null);
            reordered?: (number|null);
            rejected?: (number|null);
            queueOverflow?: (number|null);
            rateLimited?: (number|null);
        }

        class FaultCounters implements IFaultCounters {
            constructor(properties?: vpcemu.v1.IFaultCounters);
            public faultId: string;
            public matched: number;
            public delayed: number;
            public dropped: number;
            public duplicated: number;
            public corrupted: number;
            public reordered: number;
            public rejected: number;
            public queueOverflow: number;
            public rateLimited: number;
            public static create(properties?: vpcemu.v1.IFaultCounters): vpcemu.v1.FaultCounters;
            public static encode(message: vpcemu.v1.IFaultCounters, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FaultCounters;
        }

        interface IFlowTuple {
            src?: (string|null);
            srcPort?: (number|null);
            dst?: (string|null);
            dstPort?: (number|null);
        }

        class FlowTuple implements IFlowTuple {
            constructor(properties?: vpcemu.v1.IFlowTuple);
            public src: string;
            public srcPort: number;
            public dst: string;
            public dstPort: number;
            public static create(properties?: vpcemu.v1.IFlowTuple): vpcemu.v1.FlowTuple;
            public static encode(message: vpcemu.v1.IFlowTuple, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FlowTuple;
        }

        interface IConntrackEntry {
            protocol?: (number|null);
            original?: (vpcemu.v1.IFlowTuple|null);
            reply?: (vpcemu.v1.IFlowTuple|null);
            state?: (string|null);
            expiresAtMs?: (number|null);
            packetsOriginal?: (number|null);
            bytesOriginal?: (number|null);
            packetsReply?: (number|null);
            bytesReply?: (number|null);
            ruleId?: (string|null);
            direction?: (string|null);
        }

        class ConntrackEntry implements IConntrackEntry {
            constructor(properties?: vpcemu.v1.IConntrackEntry);
            public protocol: number;
            public original?: (vpcemu.v1.IFlowTuple|null);
            public reply?: (vpcemu.v1.IFlowTuple|null);
            public state: string;
            public expiresAtMs: number;
            public packetsOriginal: number;
            public bytesOriginal: number;
            public packetsReply: number;
            public bytesReply: number;
            public ruleId: string;
            public direction: string;
            public static create(properties?: vpcemu.v1.IConntrackEntry): vpcemu.v1.ConntrackEntry;
            public static encode(message: vpcemu.v1.IConntrackEntry, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ConntrackEntry;
        }

        interface IEniConntrack {
            eniId?: (string|null);
            instanceId?: (string|null);
            entries?: (vpcemu.v1.IConntrackEntry[]|null);
        }

        class EniConntrack implements IEniConntrack {
            constructor(properties?: vpcemu.v1.IEniConntrack);
            public eniId: string;
            public instanceId: string;
            public entries: vpcemu.v1.IConntrackEntry[];
            public static create(properties?: vpcemu.v1.IEniConntrack): vpcemu.v1.EniConntrack;
            public static encode(message: vpcemu.v1.IEniConntrack, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.EniConntrack;
        }

        interface IConntrackReport {
            requestId?: (string|null);
            takenAtMs?: (number|null);
            enis?: (vpcemu.v1.IEniConntrack[]|null);
        }

        class ConntrackReport implements IConntrackReport {
            constructor(properties?: vpcemu.v1.IConntrackReport);
            public requestId: string;
            public takenAtMs: number;
            public enis: vpcemu.v1.IEniConntrack[];
            public static create(properties?: vpcemu.v1.IConntrackReport): vpcemu.v1.ConntrackReport;
            public static encode(message: vpcemu.v1.IConntrackReport, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ConntrackReport;
        }

        interface IConntrackRequest {
            requestId?: (string|null);
            eniIds?: (string[]|null);
        }

        class ConntrackRequest implements IConntrackRequest {
            constructor(properties?: vpcemu.v1.IConntrackRequest);
            public requestId: string;
            public eniIds: string[];
            public static create(properties?: vpcemu.v1.IConntrackRequest): vpcemu.v1.ConntrackRequest;
            public static encode(message: vpcemu.v1.IConntrackRequest, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.ConntrackRequest;
        }

        interface IEniCounters {
            eniId?: (string|null);
            instanceId?: (string|null);
            drops?: ({ [k: string]: number }|null);
            conntrackAllowanceExceeded?: (number|null);
            conntrackAllowanceAvailable?: (number|null);
            bwInAllowanceExceeded?: (number|null);
            bwOutAllowanceExceeded?: (number|null);
            ppsAllowanceExceeded?: (number|null);
            linklocalAllowanceExceeded?: (number|null);
            packetsAccepted?: (number|null);
            auditWouldBlock?: (number|null);
            auditWouldAllow?: (number|null);
        }

        class EniCounters implements IEniCounters {
            constructor(properties?: vpcemu.v1.IEniCounters);
            public eniId: string;
            public instanceId: string;
            public drops: { [k: string]: number };
            public conntrackAllowanceExceeded: number;
            public conntrackAllowanceAvailable: number;
            public bwInAllowanceExceeded: number;
            public bwOutAllowanceExceeded: number;
            public ppsAllowanceExceeded: number;
            public linklocalAllowanceExceeded: number;
            public packetsAccepted: number;
            public auditWouldBlock: number;
            public auditWouldAllow: number;
            public static create(properties?: vpcemu.v1.IEniCounters): vpcemu.v1.EniCounters;
            public static encode(message: vpcemu.v1.IEniCounters, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.EniCounters;
        }

        interface ICounters {
            takenAtMs?: (number|null);
            enis?: (vpcemu.v1.IEniCounters[]|null);
            faults?: (vpcemu.v1.IFaultCounters[]|null);
        }

        class Counters implements ICounters {
            constructor(properties?: vpcemu.v1.ICounters);
            public takenAtMs: number;
            public enis: vpcemu.v1.IEniCounters[];
            public faults: vpcemu.v1.IFaultCounters[];
            public static create(properties?: vpcemu.v1.ICounters): vpcemu.v1.Counters;
            public static encode(message: vpcemu.v1.ICounters, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.Counters;
        }

        interface IFlowLogRecord {
            eniId?: (string|null);
            line?: (string|null);
            flowDirection?: (string|null);
            tcpFlags?: (number|null);
            pktSrcaddr?: (string|null);
            pktDstaddr?: (string|null);
            sgRuleId?: (string|null);
            naclRuleNumber?: (number|null);
            dropReason?: (string|null);
        }

        class FlowLogRecord implements IFlowLogRecord {
            constructor(properties?: vpcemu.v1.IFlowLogRecord);
            public eniId: string;
            public line: string;
            public flowDirection: string;
            public tcpFlags: number;
            public pktSrcaddr: string;
            public pktDstaddr: string;
            public sgRuleId: string;
            public naclRuleNumber: number;
            public dropReason: string;
            public static create(properties?: vpcemu.v1.IFlowLogRecord): vpcemu.v1.FlowLogRecord;
            public static encode(message: vpcemu.v1.IFlowLogRecord, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FlowLogRecord;
        }

        interface IFlowLogBatch {
            records?: (vpcemu.v1.IFlowLogRecord[]|null);
        }

        class FlowLogBatch implements IFlowLogBatch {
            constructor(properties?: vpcemu.v1.IFlowLogBatch);
            public records: vpcemu.v1.IFlowLogRecord[];
            public static create(properties?: vpcemu.v1.IFlowLogBatch): vpcemu.v1.FlowLogBatch;
            public static encode(message: vpcemu.v1.IFlowLogBatch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.FlowLogBatch;
        }

        interface IAuditEvent {
            eniId?: (string|null);
            direction?: (string|null);
            kind?: (string|null);
            protocol?: (number|null);
            src?: (string|null);
            srcPort?: (number|null);
            dst?: (string|null);
            dstPort?: (number|null);
            icmpType?: (number|null);
            icmpCode?: (number|null);
            enforcedRuleId?: (string|null);
            stagedRuleId?: (string|null);
            packets?: (number|null);
            bytes?: (number|null);
            firstAtMs?: (number|null);
            lastAtMs?: (number|null);
        }

        class AuditEvent implements IAuditEvent {
            constructor(properties?: vpcemu.v1.IAuditEvent);
            public eniId: string;
            public direction: string;
            public kind: string;
            public protocol: number;
            public src: string;
            public srcPort: number;
            public dst: string;
            public dstPort: number;
            public icmpType: number;
            public icmpCode: number;
            public enforcedRuleId: string;
            public stagedRuleId: string;
            public packets: number;
            public bytes: number;
            public firstAtMs: number;
            public lastAtMs: number;
            public static create(properties?: vpcemu.v1.IAuditEvent): vpcemu.v1.AuditEvent;
            public static encode(message: vpcemu.v1.IAuditEvent, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.AuditEvent;
        }

        interface IAuditEventBatch {
            events?: (vpcemu.v1.IAuditEvent[]|null);
            lost?: (number|null);
        }

        class AuditEventBatch implements IAuditEventBatch {
            constructor(properties?: vpcemu.v1.IAuditEventBatch);
            public events: vpcemu.v1.IAuditEvent[];
            public lost: number;
            public static create(properties?: vpcemu.v1.IAuditEventBatch): vpcemu.v1.AuditEventBatch;
            public static encode(message: vpcemu.v1.IAuditEventBatch, writer?: $protobuf.Writer): $protobuf.Writer;
            public static decode(reader: ($protobuf.Reader|Uint8Array), length?: number): vpcemu.v1.AuditEventBatch;
        }
    }
}
