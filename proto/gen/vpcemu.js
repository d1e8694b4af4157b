/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars*/
import $protobuf from "protobufjs/minimal.js";

// Common aliases
const $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;

// Exported root namespace
const $root = $protobuf.roots["default"] || ($protobuf.roots["default"] = {});

export const vpcemu = $root.vpcemu = (() => {

    /**
     * Namespace vpcemu.
     * @exports vpcemu
     * @namespace
     */
    const vpcemu = {};

    vpcemu.v1 = (function() {

        /**
         * Namespace v1.
         * @memberof vpcemu
         * @namespace
         */
        const v1 = {};

        v1.ExternalAddress = (function() {

            /**
             * Properties of an ExternalAddress.
             * @memberof vpcemu.v1
             * @interface IExternalAddress
             * @property {string|null} [name] ExternalAddress name
             * @property {string|null} [address] ExternalAddress address
             */

            /**
             * Constructs a new ExternalAddress.
             * @memberof vpcemu.v1
             * @classdesc Represents an ExternalAddress.
             * @implements IExternalAddress
             * @constructor
             * @param {vpcemu.v1.IExternalAddress=} [properties] Properties to set
             */
            function ExternalAddress(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ExternalAddress name.
             * @member {string} name
             * @memberof vpcemu.v1.ExternalAddress
             * @instance
             */
            ExternalAddress.prototype.name = "";

            /**
             * ExternalAddress address.
             * @member {string} address
             * @memberof vpcemu.v1.ExternalAddress
             * @instance
             */
            ExternalAddress.prototype.address = "";

            /**
             * Creates a new ExternalAddress instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ExternalAddress
             * @static
             * @param {vpcemu.v1.IExternalAddress=} [properties] Properties to set
             * @returns {vpcemu.v1.ExternalAddress} ExternalAddress instance
             */
            ExternalAddress.create = function create(properties) {
                return new ExternalAddress(properties);
            };

            /**
             * Encodes the specified ExternalAddress message. Does not implicitly {@link vpcemu.v1.ExternalAddress.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ExternalAddress
             * @static
             * @param {vpcemu.v1.IExternalAddress} message ExternalAddress message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ExternalAddress.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.name != null && Object.hasOwnProperty.call(message, "name"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.name);
                if (message.address != null && Object.hasOwnProperty.call(message, "address"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.address);
                return writer;
            };

            /**
             * Decodes an ExternalAddress message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ExternalAddress
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ExternalAddress} ExternalAddress
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ExternalAddress.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ExternalAddress();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.name = reader.string();
                            break;
                        }
                    case 2: {
                            message.address = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ExternalAddress;
        })();

        v1.Hosting = (function() {

            /**
             * Properties of a Hosting.
             * @memberof vpcemu.v1
             * @interface IHosting
             * @property {Array.<string>|null} [instanceIds] Hosting instanceIds
             * @property {Array.<string>|null} [eniIds] Hosting eniIds
             * @property {Array.<vpcemu.v1.IExternalAddress>|null} [externals] Hosting externals
             * @property {string|null} [underlayEndpoint] Hosting underlayEndpoint
             * @property {number|null} [conntrackMax] Hosting conntrackMax
             * @property {boolean|null} [autoTracked] Hosting autoTracked
             */

            /**
             * Constructs a new Hosting.
             * @memberof vpcemu.v1
             * @classdesc Represents a Hosting.
             * @implements IHosting
             * @constructor
             * @param {vpcemu.v1.IHosting=} [properties] Properties to set
             */
            function Hosting(properties) {
                this.instanceIds = [];
                this.eniIds = [];
                this.externals = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Hosting instanceIds.
             * @member {Array.<string>} instanceIds
             * @memberof vpcemu.v1.Hosting
             * @instance
             */
            Hosting.prototype.instanceIds = $util.emptyArray;

            /**
             * Hosting eniIds.
             * @member {Array.<string>} eniIds
             * @memberof vpcemu.v1.Hosting
             * @instance
             */
            Hosting.prototype.eniIds = $util.emptyArray;

            /**
             * Hosting externals.
             * @member {Array.<vpcemu.v1.IExternalAddress>} externals
             * @memberof vpcemu.v1.Hosting
             * @instance
             */
            Hosting.prototype.externals = $util.emptyArray;

            /**
             * Hosting underlayEndpoint.
             * @member {string} underlayEndpoint
             * @memberof vpcemu.v1.Hosting
             * @instance
             */
            Hosting.prototype.underlayEndpoint = "";

            /**
             * Hosting conntrackMax.
             * @member {number} conntrackMax
             * @memberof vpcemu.v1.Hosting
             * @instance
             */
            Hosting.prototype.conntrackMax = 0;

            /**
             * Hosting autoTracked.
             * @member {boolean} autoTracked
             * @memberof vpcemu.v1.Hosting
             * @instance
             */
            Hosting.prototype.autoTracked = false;

            /**
             * Creates a new Hosting instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Hosting
             * @static
             * @param {vpcemu.v1.IHosting=} [properties] Properties to set
             * @returns {vpcemu.v1.Hosting} Hosting instance
             */
            Hosting.create = function create(properties) {
                return new Hosting(properties);
            };

            /**
             * Encodes the specified Hosting message. Does not implicitly {@link vpcemu.v1.Hosting.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Hosting
             * @static
             * @param {vpcemu.v1.IHosting} message Hosting message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Hosting.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.instanceIds != null && message.instanceIds.length)
                    for (let i = 0; i < message.instanceIds.length; ++i)
                        writer.uint32(/* id 1, wireType 2 =*/10).string(message.instanceIds[i]);
                if (message.eniIds != null && message.eniIds.length)
                    for (let i = 0; i < message.eniIds.length; ++i)
                        writer.uint32(/* id 2, wireType 2 =*/18).string(message.eniIds[i]);
                if (message.externals != null && message.externals.length)
                    for (let i = 0; i < message.externals.length; ++i)
                        $root.vpcemu.v1.ExternalAddress.encode(message.externals[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.underlayEndpoint != null && Object.hasOwnProperty.call(message, "underlayEndpoint"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.underlayEndpoint);
                if (message.conntrackMax != null && Object.hasOwnProperty.call(message, "conntrackMax"))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint32(message.conntrackMax);
                if (message.autoTracked != null && Object.hasOwnProperty.call(message, "autoTracked"))
                    writer.uint32(/* id 6, wireType 0 =*/48).bool(message.autoTracked);
                return writer;
            };

            /**
             * Decodes a Hosting message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Hosting
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Hosting} Hosting
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Hosting.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Hosting();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            if (!(message.instanceIds && message.instanceIds.length))
                                message.instanceIds = [];
                            message.instanceIds.push(reader.string());
                            break;
                        }
                    case 2: {
                            if (!(message.eniIds && message.eniIds.length))
                                message.eniIds = [];
                            message.eniIds.push(reader.string());
                            break;
                        }
                    case 3: {
                            if (!(message.externals && message.externals.length))
                                message.externals = [];
                            message.externals.push($root.vpcemu.v1.ExternalAddress.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 4: {
                            message.underlayEndpoint = reader.string();
                            break;
                        }
                    case 5: {
                            message.conntrackMax = reader.uint32();
                            break;
                        }
                    case 6: {
                            message.autoTracked = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Hosting;
        })();

        v1.Hello = (function() {

            /**
             * Properties of a Hello.
             * @memberof vpcemu.v1
             * @interface IHello
             * @property {string|null} [agentId] Hello agentId
             * @property {string|null} [joinToken] Hello joinToken
             * @property {vpcemu.v1.IHosting|null} [hosting] Hello hosting
             * @property {string|null} [version] Hello version
             * @property {number|null} [enforcedRevision] Hello enforcedRevision
             * @property {string|null} [agentKey] Hello agentKey
             */

            /**
             * Constructs a new Hello.
             * @memberof vpcemu.v1
             * @classdesc Represents a Hello.
             * @implements IHello
             * @constructor
             * @param {vpcemu.v1.IHello=} [properties] Properties to set
             */
            function Hello(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Hello agentId.
             * @member {string} agentId
             * @memberof vpcemu.v1.Hello
             * @instance
             */
            Hello.prototype.agentId = "";

            /**
             * Hello joinToken.
             * @member {string} joinToken
             * @memberof vpcemu.v1.Hello
             * @instance
             */
            Hello.prototype.joinToken = "";

            /**
             * Hello hosting.
             * @member {vpcemu.v1.IHosting|null|undefined} hosting
             * @memberof vpcemu.v1.Hello
             * @instance
             */
            Hello.prototype.hosting = null;

            /**
             * Hello version.
             * @member {string} version
             * @memberof vpcemu.v1.Hello
             * @instance
             */
            Hello.prototype.version = "";

            /**
             * Hello enforcedRevision.
             * @member {number} enforcedRevision
             * @memberof vpcemu.v1.Hello
             * @instance
             */
            Hello.prototype.enforcedRevision = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Hello agentKey.
             * @member {string} agentKey
             * @memberof vpcemu.v1.Hello
             * @instance
             */
            Hello.prototype.agentKey = "";

            /**
             * Creates a new Hello instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Hello
             * @static
             * @param {vpcemu.v1.IHello=} [properties] Properties to set
             * @returns {vpcemu.v1.Hello} Hello instance
             */
            Hello.create = function create(properties) {
                return new Hello(properties);
            };

            /**
             * Encodes the specified Hello message. Does not implicitly {@link vpcemu.v1.Hello.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Hello
             * @static
             * @param {vpcemu.v1.IHello} message Hello message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Hello.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.agentId != null && Object.hasOwnProperty.call(message, "agentId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.agentId);
                if (message.joinToken != null && Object.hasOwnProperty.call(message, "joinToken"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.joinToken);
                if (message.hosting != null && Object.hasOwnProperty.call(message, "hosting"))
                    $root.vpcemu.v1.Hosting.encode(message.hosting, writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.version != null && Object.hasOwnProperty.call(message, "version"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.version);
                if (message.enforcedRevision != null && Object.hasOwnProperty.call(message, "enforcedRevision"))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.enforcedRevision);
                if (message.agentKey != null && Object.hasOwnProperty.call(message, "agentKey"))
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.agentKey);
                return writer;
            };

            /**
             * Decodes a Hello message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Hello
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Hello} Hello
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Hello.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Hello();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.agentId = reader.string();
                            break;
                        }
                    case 2: {
                            message.joinToken = reader.string();
                            break;
                        }
                    case 3: {
                            message.hosting = $root.vpcemu.v1.Hosting.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 4: {
                            message.version = reader.string();
                            break;
                        }
                    case 5: {
                            message.enforcedRevision = reader.uint64();
                            break;
                        }
                    case 6: {
                            message.agentKey = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Hello;
        })();

        v1.Welcome = (function() {

            /**
             * Properties of a Welcome.
             * @memberof vpcemu.v1
             * @interface IWelcome
             * @property {string|null} [agentKey] Welcome agentKey
             */

            /**
             * Constructs a new Welcome.
             * @memberof vpcemu.v1
             * @classdesc Represents a Welcome.
             * @implements IWelcome
             * @constructor
             * @param {vpcemu.v1.IWelcome=} [properties] Properties to set
             */
            function Welcome(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Welcome agentKey.
             * @member {string} agentKey
             * @memberof vpcemu.v1.Welcome
             * @instance
             */
            Welcome.prototype.agentKey = "";

            /**
             * Creates a new Welcome instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Welcome
             * @static
             * @param {vpcemu.v1.IWelcome=} [properties] Properties to set
             * @returns {vpcemu.v1.Welcome} Welcome instance
             */
            Welcome.create = function create(properties) {
                return new Welcome(properties);
            };

            /**
             * Encodes the specified Welcome message. Does not implicitly {@link vpcemu.v1.Welcome.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Welcome
             * @static
             * @param {vpcemu.v1.IWelcome} message Welcome message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Welcome.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.agentKey != null && Object.hasOwnProperty.call(message, "agentKey"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.agentKey);
                return writer;
            };

            /**
             * Decodes a Welcome message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Welcome
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Welcome} Welcome
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Welcome.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Welcome();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.agentKey = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Welcome;
        })();

        v1.Snapshot = (function() {

            /**
             * Properties of a Snapshot.
             * @memberof vpcemu.v1
             * @interface ISnapshot
             * @property {vpcemu.v1.IAgentSnapshot|null} [snapshot] Snapshot snapshot
             * @property {number|null} [generation] Snapshot generation
             * @property {boolean|null} [reuseMapping] Snapshot reuseMapping
             */

            /**
             * Constructs a new Snapshot.
             * @memberof vpcemu.v1
             * @classdesc Represents a Snapshot.
             * @implements ISnapshot
             * @constructor
             * @param {vpcemu.v1.ISnapshot=} [properties] Properties to set
             */
            function Snapshot(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Snapshot snapshot.
             * @member {vpcemu.v1.IAgentSnapshot|null|undefined} snapshot
             * @memberof vpcemu.v1.Snapshot
             * @instance
             */
            Snapshot.prototype.snapshot = null;

            /**
             * Snapshot generation.
             * @member {number} generation
             * @memberof vpcemu.v1.Snapshot
             * @instance
             */
            Snapshot.prototype.generation = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Snapshot reuseMapping.
             * @member {boolean} reuseMapping
             * @memberof vpcemu.v1.Snapshot
             * @instance
             */
            Snapshot.prototype.reuseMapping = false;

            /**
             * Creates a new Snapshot instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Snapshot
             * @static
             * @param {vpcemu.v1.ISnapshot=} [properties] Properties to set
             * @returns {vpcemu.v1.Snapshot} Snapshot instance
             */
            Snapshot.create = function create(properties) {
                return new Snapshot(properties);
            };

            /**
             * Encodes the specified Snapshot message. Does not implicitly {@link vpcemu.v1.Snapshot.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Snapshot
             * @static
             * @param {vpcemu.v1.ISnapshot} message Snapshot message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Snapshot.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.snapshot != null && Object.hasOwnProperty.call(message, "snapshot"))
                    $root.vpcemu.v1.AgentSnapshot.encode(message.snapshot, writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.generation != null && Object.hasOwnProperty.call(message, "generation"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.generation);
                if (message.reuseMapping != null && Object.hasOwnProperty.call(message, "reuseMapping"))
                    writer.uint32(/* id 3, wireType 0 =*/24).bool(message.reuseMapping);
                return writer;
            };

            /**
             * Decodes a Snapshot message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Snapshot
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Snapshot} Snapshot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Snapshot.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Snapshot();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.snapshot = $root.vpcemu.v1.AgentSnapshot.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 2: {
                            message.generation = reader.uint64();
                            break;
                        }
                    case 3: {
                            message.reuseMapping = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Snapshot;
        })();

        v1.Ack = (function() {

            /**
             * Properties of an Ack.
             * @memberof vpcemu.v1
             * @interface IAck
             * @property {number|null} [revision] Ack revision
             * @property {number|null} [generation] Ack generation
             */

            /**
             * Constructs a new Ack.
             * @memberof vpcemu.v1
             * @classdesc Represents an Ack.
             * @implements IAck
             * @constructor
             * @param {vpcemu.v1.IAck=} [properties] Properties to set
             */
            function Ack(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Ack revision.
             * @member {number} revision
             * @memberof vpcemu.v1.Ack
             * @instance
             */
            Ack.prototype.revision = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Ack generation.
             * @member {number} generation
             * @memberof vpcemu.v1.Ack
             * @instance
             */
            Ack.prototype.generation = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new Ack instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Ack
             * @static
             * @param {vpcemu.v1.IAck=} [properties] Properties to set
             * @returns {vpcemu.v1.Ack} Ack instance
             */
            Ack.create = function create(properties) {
                return new Ack(properties);
            };

            /**
             * Encodes the specified Ack message. Does not implicitly {@link vpcemu.v1.Ack.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Ack
             * @static
             * @param {vpcemu.v1.IAck} message Ack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Ack.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.revision != null && Object.hasOwnProperty.call(message, "revision"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.revision);
                if (message.generation != null && Object.hasOwnProperty.call(message, "generation"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.generation);
                return writer;
            };

            /**
             * Decodes an Ack message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Ack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Ack} Ack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Ack.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Ack();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.revision = reader.uint64();
                            break;
                        }
                    case 2: {
                            message.generation = reader.uint64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Ack;
        })();

        v1.Heartbeat = (function() {

            /**
             * Properties of a Heartbeat.
             * @memberof vpcemu.v1
             * @interface IHeartbeat
             * @property {number|null} [sentAtMs] Heartbeat sentAtMs
             * @property {boolean|null} [reply] Heartbeat reply
             */

            /**
             * Constructs a new Heartbeat.
             * @memberof vpcemu.v1
             * @classdesc Represents a Heartbeat.
             * @implements IHeartbeat
             * @constructor
             * @param {vpcemu.v1.IHeartbeat=} [properties] Properties to set
             */
            function Heartbeat(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Heartbeat sentAtMs.
             * @member {number} sentAtMs
             * @memberof vpcemu.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.sentAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Heartbeat reply.
             * @member {boolean} reply
             * @memberof vpcemu.v1.Heartbeat
             * @instance
             */
            Heartbeat.prototype.reply = false;

            /**
             * Creates a new Heartbeat instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Heartbeat
             * @static
             * @param {vpcemu.v1.IHeartbeat=} [properties] Properties to set
             * @returns {vpcemu.v1.Heartbeat} Heartbeat instance
             */
            Heartbeat.create = function create(properties) {
                return new Heartbeat(properties);
            };

            /**
             * Encodes the specified Heartbeat message. Does not implicitly {@link vpcemu.v1.Heartbeat.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Heartbeat
             * @static
             * @param {vpcemu.v1.IHeartbeat} message Heartbeat message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Heartbeat.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.sentAtMs != null && Object.hasOwnProperty.call(message, "sentAtMs"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.sentAtMs);
                if (message.reply != null && Object.hasOwnProperty.call(message, "reply"))
                    writer.uint32(/* id 2, wireType 0 =*/16).bool(message.reply);
                return writer;
            };

            /**
             * Decodes a Heartbeat message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Heartbeat
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Heartbeat} Heartbeat
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Heartbeat.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Heartbeat();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.sentAtMs = reader.int64();
                            break;
                        }
                    case 2: {
                            message.reply = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Heartbeat;
        })();

        /**
         * ErrorCode enum.
         * @name vpcemu.v1.ErrorCode
         * @enum {number}
         * @property {number} ERROR_CODE_UNSPECIFIED=0 ERROR_CODE_UNSPECIFIED value
         * @property {number} ERROR_CODE_BAD_FRAME=1 ERROR_CODE_BAD_FRAME value
         * @property {number} ERROR_CODE_HELLO_REQUIRED=2 ERROR_CODE_HELLO_REQUIRED value
         * @property {number} ERROR_CODE_JOIN_TOKEN=3 ERROR_CODE_JOIN_TOKEN value
         * @property {number} ERROR_CODE_DUPLICATE_AGENT=4 ERROR_CODE_DUPLICATE_AGENT value
         * @property {number} ERROR_CODE_INTERNAL=5 ERROR_CODE_INTERNAL value
         * @property {number} ERROR_CODE_AGENT_KEY=6 ERROR_CODE_AGENT_KEY value
         * @property {number} ERROR_CODE_LIMIT=7 ERROR_CODE_LIMIT value
         */
        v1.ErrorCode = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "ERROR_CODE_UNSPECIFIED"] = 0;
            values[valuesById[1] = "ERROR_CODE_BAD_FRAME"] = 1;
            values[valuesById[2] = "ERROR_CODE_HELLO_REQUIRED"] = 2;
            values[valuesById[3] = "ERROR_CODE_JOIN_TOKEN"] = 3;
            values[valuesById[4] = "ERROR_CODE_DUPLICATE_AGENT"] = 4;
            values[valuesById[5] = "ERROR_CODE_INTERNAL"] = 5;
            values[valuesById[6] = "ERROR_CODE_AGENT_KEY"] = 6;
            values[valuesById[7] = "ERROR_CODE_LIMIT"] = 7;
            return values;
        })();

        v1.Error = (function() {

            /**
             * Properties of an Error.
             * @memberof vpcemu.v1
             * @interface IError
             * @property {vpcemu.v1.ErrorCode|null} [code] Error code
             * @property {string|null} [emuCode] Error emuCode
             * @property {string|null} [message] Error message
             */

            /**
             * Constructs a new Error.
             * @memberof vpcemu.v1
             * @classdesc Represents an Error.
             * @implements IError
             * @constructor
             * @param {vpcemu.v1.IError=} [properties] Properties to set
             */
            function Error(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Error code.
             * @member {vpcemu.v1.ErrorCode} code
             * @memberof vpcemu.v1.Error
             * @instance
             */
            Error.prototype.code = 0;

            /**
             * Error emuCode.
             * @member {string} emuCode
             * @memberof vpcemu.v1.Error
             * @instance
             */
            Error.prototype.emuCode = "";

            /**
             * Error message.
             * @member {string} message
             * @memberof vpcemu.v1.Error
             * @instance
             */
            Error.prototype.message = "";

            /**
             * Creates a new Error instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Error
             * @static
             * @param {vpcemu.v1.IError=} [properties] Properties to set
             * @returns {vpcemu.v1.Error} Error instance
             */
            Error.create = function create(properties) {
                return new Error(properties);
            };

            /**
             * Encodes the specified Error message. Does not implicitly {@link vpcemu.v1.Error.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Error
             * @static
             * @param {vpcemu.v1.IError} message Error message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Error.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.code != null && Object.hasOwnProperty.call(message, "code"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int32(message.code);
                if (message.emuCode != null && Object.hasOwnProperty.call(message, "emuCode"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.emuCode);
                if (message.message != null && Object.hasOwnProperty.call(message, "message"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.message);
                return writer;
            };

            /**
             * Decodes an Error message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Error
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Error} Error
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Error.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Error();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.code = reader.int32();
                            break;
                        }
                    case 2: {
                            message.emuCode = reader.string();
                            break;
                        }
                    case 3: {
                            message.message = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Error;
        })();

        v1.CaptureControl = (function() {

            /**
             * Properties of a CaptureControl.
             * @memberof vpcemu.v1
             * @interface ICaptureControl
             * @property {string|null} [captureId] CaptureControl captureId
             * @property {boolean|null} [stop] CaptureControl stop
             * @property {Array.<string>|null} [ports] CaptureControl ports
             * @property {string|null} [filter] CaptureControl filter
             * @property {boolean|null} [underlay] CaptureControl underlay
             * @property {number|null} [snaplen] CaptureControl snaplen
             * @property {number|null} [maxPackets] CaptureControl maxPackets
             */

            /**
             * Constructs a new CaptureControl.
             * @memberof vpcemu.v1
             * @classdesc Represents a CaptureControl.
             * @implements ICaptureControl
             * @constructor
             * @param {vpcemu.v1.ICaptureControl=} [properties] Properties to set
             */
            function CaptureControl(properties) {
                this.ports = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CaptureControl captureId.
             * @member {string} captureId
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.captureId = "";

            /**
             * CaptureControl stop.
             * @member {boolean} stop
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.stop = false;

            /**
             * CaptureControl ports.
             * @member {Array.<string>} ports
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.ports = $util.emptyArray;

            /**
             * CaptureControl filter.
             * @member {string} filter
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.filter = "";

            /**
             * CaptureControl underlay.
             * @member {boolean} underlay
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.underlay = false;

            /**
             * CaptureControl snaplen.
             * @member {number} snaplen
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.snaplen = 0;

            /**
             * CaptureControl maxPackets.
             * @member {number} maxPackets
             * @memberof vpcemu.v1.CaptureControl
             * @instance
             */
            CaptureControl.prototype.maxPackets = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new CaptureControl instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CaptureControl
             * @static
             * @param {vpcemu.v1.ICaptureControl=} [properties] Properties to set
             * @returns {vpcemu.v1.CaptureControl} CaptureControl instance
             */
            CaptureControl.create = function create(properties) {
                return new CaptureControl(properties);
            };

            /**
             * Encodes the specified CaptureControl message. Does not implicitly {@link vpcemu.v1.CaptureControl.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CaptureControl
             * @static
             * @param {vpcemu.v1.ICaptureControl} message CaptureControl message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CaptureControl.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.captureId != null && Object.hasOwnProperty.call(message, "captureId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.captureId);
                if (message.stop != null && Object.hasOwnProperty.call(message, "stop"))
                    writer.uint32(/* id 2, wireType 0 =*/16).bool(message.stop);
                if (message.ports != null && message.ports.length)
                    for (let i = 0; i < message.ports.length; ++i)
                        writer.uint32(/* id 3, wireType 2 =*/26).string(message.ports[i]);
                if (message.filter != null && Object.hasOwnProperty.call(message, "filter"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.filter);
                if (message.underlay != null && Object.hasOwnProperty.call(message, "underlay"))
                    writer.uint32(/* id 5, wireType 0 =*/40).bool(message.underlay);
                if (message.snaplen != null && Object.hasOwnProperty.call(message, "snaplen"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.snaplen);
                if (message.maxPackets != null && Object.hasOwnProperty.call(message, "maxPackets"))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.maxPackets);
                return writer;
            };

            /**
             * Decodes a CaptureControl message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CaptureControl
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CaptureControl} CaptureControl
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CaptureControl.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CaptureControl();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.captureId = reader.string();
                            break;
                        }
                    case 2: {
                            message.stop = reader.bool();
                            break;
                        }
                    case 3: {
                            if (!(message.ports && message.ports.length))
                                message.ports = [];
                            message.ports.push(reader.string());
                            break;
                        }
                    case 4: {
                            message.filter = reader.string();
                            break;
                        }
                    case 5: {
                            message.underlay = reader.bool();
                            break;
                        }
                    case 6: {
                            message.snaplen = reader.uint32();
                            break;
                        }
                    case 7: {
                            message.maxPackets = reader.uint64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CaptureControl;
        })();

        v1.CapturedPackets = (function() {

            /**
             * Properties of a CapturedPackets.
             * @memberof vpcemu.v1
             * @interface ICapturedPackets
             * @property {string|null} [captureId] CapturedPackets captureId
             * @property {boolean|null} [started] CapturedPackets started
             * @property {string|null} [error] CapturedPackets error
             * @property {Uint8Array|null} [pcapng] CapturedPackets pcapng
             * @property {number|null} [packets] CapturedPackets packets
             * @property {number|null} [dropped] CapturedPackets dropped
             * @property {boolean|null} [finished] CapturedPackets finished
             */

            /**
             * Constructs a new CapturedPackets.
             * @memberof vpcemu.v1
             * @classdesc Represents a CapturedPackets.
             * @implements ICapturedPackets
             * @constructor
             * @param {vpcemu.v1.ICapturedPackets=} [properties] Properties to set
             */
            function CapturedPackets(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CapturedPackets captureId.
             * @member {string} captureId
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.captureId = "";

            /**
             * CapturedPackets started.
             * @member {boolean} started
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.started = false;

            /**
             * CapturedPackets error.
             * @member {string} error
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.error = "";

            /**
             * CapturedPackets pcapng.
             * @member {Uint8Array} pcapng
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.pcapng = $util.newBuffer([]);

            /**
             * CapturedPackets packets.
             * @member {number} packets
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.packets = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * CapturedPackets dropped.
             * @member {number} dropped
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.dropped = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * CapturedPackets finished.
             * @member {boolean} finished
             * @memberof vpcemu.v1.CapturedPackets
             * @instance
             */
            CapturedPackets.prototype.finished = false;

            /**
             * Creates a new CapturedPackets instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CapturedPackets
             * @static
             * @param {vpcemu.v1.ICapturedPackets=} [properties] Properties to set
             * @returns {vpcemu.v1.CapturedPackets} CapturedPackets instance
             */
            CapturedPackets.create = function create(properties) {
                return new CapturedPackets(properties);
            };

            /**
             * Encodes the specified CapturedPackets message. Does not implicitly {@link vpcemu.v1.CapturedPackets.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CapturedPackets
             * @static
             * @param {vpcemu.v1.ICapturedPackets} message CapturedPackets message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CapturedPackets.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.captureId != null && Object.hasOwnProperty.call(message, "captureId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.captureId);
                if (message.started != null && Object.hasOwnProperty.call(message, "started"))
                    writer.uint32(/* id 2, wireType 0 =*/16).bool(message.started);
                if (message.error != null && Object.hasOwnProperty.call(message, "error"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.error);
                if (message.pcapng != null && Object.hasOwnProperty.call(message, "pcapng"))
                    writer.uint32(/* id 4, wireType 2 =*/34).bytes(message.pcapng);
                if (message.packets != null && Object.hasOwnProperty.call(message, "packets"))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.packets);
                if (message.dropped != null && Object.hasOwnProperty.call(message, "dropped"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint64(message.dropped);
                if (message.finished != null && Object.hasOwnProperty.call(message, "finished"))
                    writer.uint32(/* id 7, wireType 0 =*/56).bool(message.finished);
                return writer;
            };

            /**
             * Decodes a CapturedPackets message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CapturedPackets
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CapturedPackets} CapturedPackets
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CapturedPackets.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CapturedPackets();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.captureId = reader.string();
                            break;
                        }
                    case 2: {
                            message.started = reader.bool();
                            break;
                        }
                    case 3: {
                            message.error = reader.string();
                            break;
                        }
                    case 4: {
                            message.pcapng = reader.bytes();
                            break;
                        }
                    case 5: {
                            message.packets = reader.uint64();
                            break;
                        }
                    case 6: {
                            message.dropped = reader.uint64();
                            break;
                        }
                    case 7: {
                            message.finished = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CapturedPackets;
        })();

        v1.TraceControl = (function() {

            /**
             * Properties of a TraceControl.
             * @memberof vpcemu.v1
             * @interface ITraceControl
             * @property {string|null} [traceId] TraceControl traceId
             * @property {boolean|null} [stop] TraceControl stop
             * @property {Array.<string>|null} [eniIds] TraceControl eniIds
             * @property {number|null} [expiresAtMs] TraceControl expiresAtMs
             * @property {vpcemu.v1.ITraceFilter|null} [filter] TraceControl filter
             */

            /**
             * Constructs a new TraceControl.
             * @memberof vpcemu.v1
             * @classdesc Represents a TraceControl.
             * @implements ITraceControl
             * @constructor
             * @param {vpcemu.v1.ITraceControl=} [properties] Properties to set
             */
            function TraceControl(properties) {
                this.eniIds = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * TraceControl traceId.
             * @member {string} traceId
             * @memberof vpcemu.v1.TraceControl
             * @instance
             */
            TraceControl.prototype.traceId = "";

            /**
             * TraceControl stop.
             * @member {boolean} stop
             * @memberof vpcemu.v1.TraceControl
             * @instance
             */
            TraceControl.prototype.stop = false;

            /**
             * TraceControl eniIds.
             * @member {Array.<string>} eniIds
             * @memberof vpcemu.v1.TraceControl
             * @instance
             */
            TraceControl.prototype.eniIds = $util.emptyArray;

            /**
             * TraceControl expiresAtMs.
             * @member {number} expiresAtMs
             * @memberof vpcemu.v1.TraceControl
             * @instance
             */
            TraceControl.prototype.expiresAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * TraceControl filter.
             * @member {vpcemu.v1.ITraceFilter|null|undefined} filter
             * @memberof vpcemu.v1.TraceControl
             * @instance
             */
            TraceControl.prototype.filter = null;

            /**
             * Creates a new TraceControl instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.TraceControl
             * @static
             * @param {vpcemu.v1.ITraceControl=} [properties] Properties to set
             * @returns {vpcemu.v1.TraceControl} TraceControl instance
             */
            TraceControl.create = function create(properties) {
                return new TraceControl(properties);
            };

            /**
             * Encodes the specified TraceControl message. Does not implicitly {@link vpcemu.v1.TraceControl.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.TraceControl
             * @static
             * @param {vpcemu.v1.ITraceControl} message TraceControl message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            TraceControl.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.traceId != null && Object.hasOwnProperty.call(message, "traceId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.traceId);
                if (message.stop != null && Object.hasOwnProperty.call(message, "stop"))
                    writer.uint32(/* id 2, wireType 0 =*/16).bool(message.stop);
                if (message.eniIds != null && message.eniIds.length)
                    for (let i = 0; i < message.eniIds.length; ++i)
                        writer.uint32(/* id 3, wireType 2 =*/26).string(message.eniIds[i]);
                if (message.expiresAtMs != null && Object.hasOwnProperty.call(message, "expiresAtMs"))
                    writer.uint32(/* id 4, wireType 0 =*/32).int64(message.expiresAtMs);
                if (message.filter != null && Object.hasOwnProperty.call(message, "filter"))
                    $root.vpcemu.v1.TraceFilter.encode(message.filter, writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a TraceControl message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.TraceControl
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.TraceControl} TraceControl
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            TraceControl.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.TraceControl();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.traceId = reader.string();
                            break;
                        }
                    case 2: {
                            message.stop = reader.bool();
                            break;
                        }
                    case 3: {
                            if (!(message.eniIds && message.eniIds.length))
                                message.eniIds = [];
                            message.eniIds.push(reader.string());
                            break;
                        }
                    case 4: {
                            message.expiresAtMs = reader.int64();
                            break;
                        }
                    case 5: {
                            message.filter = $root.vpcemu.v1.TraceFilter.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return TraceControl;
        })();

        v1.TraceFilter = (function() {

            /**
             * Properties of a TraceFilter.
             * @memberof vpcemu.v1
             * @interface ITraceFilter
             * @property {string|null} [verdict] TraceFilter verdict
             * @property {number|null} [protocol] TraceFilter protocol
             * @property {string|null} [address] TraceFilter address
             * @property {number|null} [port] TraceFilter port
             */

            /**
             * Constructs a new TraceFilter.
             * @memberof vpcemu.v1
             * @classdesc Represents a TraceFilter.
             * @implements ITraceFilter
             * @constructor
             * @param {vpcemu.v1.ITraceFilter=} [properties] Properties to set
             */
            function TraceFilter(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * TraceFilter verdict.
             * @member {string} verdict
             * @memberof vpcemu.v1.TraceFilter
             * @instance
             */
            TraceFilter.prototype.verdict = "";

            /**
             * TraceFilter protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.TraceFilter
             * @instance
             */
            TraceFilter.prototype.protocol = 0;

            /**
             * TraceFilter address.
             * @member {string} address
             * @memberof vpcemu.v1.TraceFilter
             * @instance
             */
            TraceFilter.prototype.address = "";

            /**
             * TraceFilter port.
             * @member {number} port
             * @memberof vpcemu.v1.TraceFilter
             * @instance
             */
            TraceFilter.prototype.port = 0;

            /**
             * Creates a new TraceFilter instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.TraceFilter
             * @static
             * @param {vpcemu.v1.ITraceFilter=} [properties] Properties to set
             * @returns {vpcemu.v1.TraceFilter} TraceFilter instance
             */
            TraceFilter.create = function create(properties) {
                return new TraceFilter(properties);
            };

            /**
             * Encodes the specified TraceFilter message. Does not implicitly {@link vpcemu.v1.TraceFilter.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.TraceFilter
             * @static
             * @param {vpcemu.v1.ITraceFilter} message TraceFilter message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            TraceFilter.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.verdict != null && Object.hasOwnProperty.call(message, "verdict"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.verdict);
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.protocol);
                if (message.address != null && Object.hasOwnProperty.call(message, "address"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.address);
                if (message.port != null && Object.hasOwnProperty.call(message, "port"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.port);
                return writer;
            };

            /**
             * Decodes a TraceFilter message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.TraceFilter
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.TraceFilter} TraceFilter
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            TraceFilter.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.TraceFilter();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.verdict = reader.string();
                            break;
                        }
                    case 2: {
                            message.protocol = reader.uint32();
                            break;
                        }
                    case 3: {
                            message.address = reader.string();
                            break;
                        }
                    case 4: {
                            message.port = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return TraceFilter;
        })();

        v1.VerdictEventRecord = (function() {

            /**
             * Properties of a VerdictEventRecord.
             * @memberof vpcemu.v1
             * @interface IVerdictEventRecord
             * @property {string|null} [eniId] VerdictEventRecord eniId
             * @property {string|null} [direction] VerdictEventRecord direction
             * @property {string|null} [verdict] VerdictEventRecord verdict
             * @property {string|null} [reason] VerdictEventRecord reason
             * @property {string|null} [site] VerdictEventRecord site
             * @property {string|null} [sgRuleId] VerdictEventRecord sgRuleId
             * @property {Array.<string>|null} [noMatchGroups] VerdictEventRecord noMatchGroups
             * @property {string|null} [naclId] VerdictEventRecord naclId
             * @property {number|null} [naclRuleNumber] VerdictEventRecord naclRuleNumber
             * @property {string|null} [conntrack] VerdictEventRecord conntrack
             * @property {string|null} [faultId] VerdictEventRecord faultId
             * @property {number|null} [protocol] VerdictEventRecord protocol
             * @property {string|null} [src] VerdictEventRecord src
             * @property {string|null} [dst] VerdictEventRecord dst
             * @property {number|null} [srcPort] VerdictEventRecord srcPort
             * @property {number|null} [dstPort] VerdictEventRecord dstPort
             * @property {number|null} [icmpType] VerdictEventRecord icmpType
             * @property {number|null} [icmpCode] VerdictEventRecord icmpCode
             * @property {number|null} [length] VerdictEventRecord length
             * @property {number|null} [atMs] VerdictEventRecord atMs
             */

            /**
             * Constructs a new VerdictEventRecord.
             * @memberof vpcemu.v1
             * @classdesc Represents a VerdictEventRecord.
             * @implements IVerdictEventRecord
             * @constructor
             * @param {vpcemu.v1.IVerdictEventRecord=} [properties] Properties to set
             */
            function VerdictEventRecord(properties) {
                this.noMatchGroups = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * VerdictEventRecord eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.eniId = "";

            /**
             * VerdictEventRecord direction.
             * @member {string} direction
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.direction = "";

            /**
             * VerdictEventRecord verdict.
             * @member {string} verdict
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.verdict = "";

            /**
             * VerdictEventRecord reason.
             * @member {string} reason
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.reason = "";

            /**
             * VerdictEventRecord site.
             * @member {string} site
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.site = "";

            /**
             * VerdictEventRecord sgRuleId.
             * @member {string} sgRuleId
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.sgRuleId = "";

            /**
             * VerdictEventRecord noMatchGroups.
             * @member {Array.<string>} noMatchGroups
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.noMatchGroups = $util.emptyArray;

            /**
             * VerdictEventRecord naclId.
             * @member {string} naclId
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.naclId = "";

            /**
             * VerdictEventRecord naclRuleNumber.
             * @member {number} naclRuleNumber
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.naclRuleNumber = 0;

            /**
             * VerdictEventRecord conntrack.
             * @member {string} conntrack
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.conntrack = "";

            /**
             * VerdictEventRecord faultId.
             * @member {string} faultId
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.faultId = "";

            /**
             * VerdictEventRecord protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.protocol = 0;

            /**
             * VerdictEventRecord src.
             * @member {string} src
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.src = "";

            /**
             * VerdictEventRecord dst.
             * @member {string} dst
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.dst = "";

            /**
             * VerdictEventRecord srcPort.
             * @member {number} srcPort
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.srcPort = 0;

            /**
             * VerdictEventRecord dstPort.
             * @member {number} dstPort
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.dstPort = 0;

            /**
             * VerdictEventRecord icmpType.
             * @member {number} icmpType
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.icmpType = 0;

            /**
             * VerdictEventRecord icmpCode.
             * @member {number} icmpCode
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.icmpCode = 0;

            /**
             * VerdictEventRecord length.
             * @member {number} length
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.length = 0;

            /**
             * VerdictEventRecord atMs.
             * @member {number} atMs
             * @memberof vpcemu.v1.VerdictEventRecord
             * @instance
             */
            VerdictEventRecord.prototype.atMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Creates a new VerdictEventRecord instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.VerdictEventRecord
             * @static
             * @param {vpcemu.v1.IVerdictEventRecord=} [properties] Properties to set
             * @returns {vpcemu.v1.VerdictEventRecord} VerdictEventRecord instance
             */
            VerdictEventRecord.create = function create(properties) {
                return new VerdictEventRecord(properties);
            };

            /**
             * Encodes the specified VerdictEventRecord message. Does not implicitly {@link vpcemu.v1.VerdictEventRecord.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.VerdictEventRecord
             * @static
             * @param {vpcemu.v1.IVerdictEventRecord} message VerdictEventRecord message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            VerdictEventRecord.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.eniId);
                if (message.direction != null && Object.hasOwnProperty.call(message, "direction"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.direction);
                if (message.verdict != null && Object.hasOwnProperty.call(message, "verdict"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.verdict);
                if (message.reason != null && Object.hasOwnProperty.call(message, "reason"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.reason);
                if (message.site != null && Object.hasOwnProperty.call(message, "site"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.site);
                if (message.sgRuleId != null && Object.hasOwnProperty.call(message, "sgRuleId"))
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.sgRuleId);
                if (message.noMatchGroups != null && message.noMatchGroups.length)
                    for (let i = 0; i < message.noMatchGroups.length; ++i)
                        writer.uint32(/* id 7, wireType 2 =*/58).string(message.noMatchGroups[i]);
                if (message.naclId != null && Object.hasOwnProperty.call(message, "naclId"))
                    writer.uint32(/* id 8, wireType 2 =*/66).string(message.naclId);
                if (message.naclRuleNumber != null && Object.hasOwnProperty.call(message, "naclRuleNumber"))
                    writer.uint32(/* id 9, wireType 0 =*/72).int32(message.naclRuleNumber);
                if (message.conntrack != null && Object.hasOwnProperty.call(message, "conntrack"))
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.conntrack);
                if (message.faultId != null && Object.hasOwnProperty.call(message, "faultId"))
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.faultId);
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 12, wireType 0 =*/96).int32(message.protocol);
                if (message.src != null && Object.hasOwnProperty.call(message, "src"))
                    writer.uint32(/* id 13, wireType 2 =*/106).string(message.src);
                if (message.dst != null && Object.hasOwnProperty.call(message, "dst"))
                    writer.uint32(/* id 14, wireType 2 =*/114).string(message.dst);
                if (message.srcPort != null && Object.hasOwnProperty.call(message, "srcPort"))
                    writer.uint32(/* id 15, wireType 0 =*/120).int32(message.srcPort);
                if (message.dstPort != null && Object.hasOwnProperty.call(message, "dstPort"))
                    writer.uint32(/* id 16, wireType 0 =*/128).int32(message.dstPort);
                if (message.icmpType != null && Object.hasOwnProperty.call(message, "icmpType"))
                    writer.uint32(/* id 17, wireType 0 =*/136).int32(message.icmpType);
                if (message.icmpCode != null && Object.hasOwnProperty.call(message, "icmpCode"))
                    writer.uint32(/* id 18, wireType 0 =*/144).int32(message.icmpCode);
                if (message.length != null && Object.hasOwnProperty.call(message, "length"))
                    writer.uint32(/* id 19, wireType 0 =*/152).uint32(message.length);
                if (message.atMs != null && Object.hasOwnProperty.call(message, "atMs"))
                    writer.uint32(/* id 20, wireType 0 =*/160).int64(message.atMs);
                return writer;
            };

            /**
             * Decodes a VerdictEventRecord message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.VerdictEventRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.VerdictEventRecord} VerdictEventRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            VerdictEventRecord.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.VerdictEventRecord();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 2: {
                            message.direction = reader.string();
                            break;
                        }
                    case 3: {
                            message.verdict = reader.string();
                            break;
                        }
                    case 4: {
                            message.reason = reader.string();
                            break;
                        }
                    case 5: {
                            message.site = reader.string();
                            break;
                        }
                    case 6: {
                            message.sgRuleId = reader.string();
                            break;
                        }
                    case 7: {
                            if (!(message.noMatchGroups && message.noMatchGroups.length))
                                message.noMatchGroups = [];
                            message.noMatchGroups.push(reader.string());
                            break;
                        }
                    case 8: {
                            message.naclId = reader.string();
                            break;
                        }
                    case 9: {
                            message.naclRuleNumber = reader.int32();
                            break;
                        }
                    case 10: {
                            message.conntrack = reader.string();
                            break;
                        }
                    case 11: {
                            message.faultId = reader.string();
                            break;
                        }
                    case 12: {
                            message.protocol = reader.int32();
                            break;
                        }
                    case 13: {
                            message.src = reader.string();
                            break;
                        }
                    case 14: {
                            message.dst = reader.string();
                            break;
                        }
                    case 15: {
                            message.srcPort = reader.int32();
                            break;
                        }
                    case 16: {
                            message.dstPort = reader.int32();
                            break;
                        }
                    case 17: {
                            message.icmpType = reader.int32();
                            break;
                        }
                    case 18: {
                            message.icmpCode = reader.int32();
                            break;
                        }
                    case 19: {
                            message.length = reader.uint32();
                            break;
                        }
                    case 20: {
                            message.atMs = reader.int64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return VerdictEventRecord;
        })();

        v1.VerdictEvents = (function() {

            /**
             * Properties of a VerdictEvents.
             * @memberof vpcemu.v1
             * @interface IVerdictEvents
             * @property {string|null} [traceId] VerdictEvents traceId
             * @property {Array.<vpcemu.v1.IVerdictEventRecord>|null} [events] VerdictEvents events
             * @property {number|null} [lost] VerdictEvents lost
             * @property {boolean|null} [finished] VerdictEvents finished
             * @property {string|null} [error] VerdictEvents error
             */

            /**
             * Constructs a new VerdictEvents.
             * @memberof vpcemu.v1
             * @classdesc Represents a VerdictEvents.
             * @implements IVerdictEvents
             * @constructor
             * @param {vpcemu.v1.IVerdictEvents=} [properties] Properties to set
             */
            function VerdictEvents(properties) {
                this.events = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * VerdictEvents traceId.
             * @member {string} traceId
             * @memberof vpcemu.v1.VerdictEvents
             * @instance
             */
            VerdictEvents.prototype.traceId = "";

            /**
             * VerdictEvents events.
             * @member {Array.<vpcemu.v1.IVerdictEventRecord>} events
             * @memberof vpcemu.v1.VerdictEvents
             * @instance
             */
            VerdictEvents.prototype.events = $util.emptyArray;

            /**
             * VerdictEvents lost.
             * @member {number} lost
             * @memberof vpcemu.v1.VerdictEvents
             * @instance
             */
            VerdictEvents.prototype.lost = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * VerdictEvents finished.
             * @member {boolean} finished
             * @memberof vpcemu.v1.VerdictEvents
             * @instance
             */
            VerdictEvents.prototype.finished = false;

            /**
             * VerdictEvents error.
             * @member {string} error
             * @memberof vpcemu.v1.VerdictEvents
             * @instance
             */
            VerdictEvents.prototype.error = "";

            /**
             * Creates a new VerdictEvents instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.VerdictEvents
             * @static
             * @param {vpcemu.v1.IVerdictEvents=} [properties] Properties to set
             * @returns {vpcemu.v1.VerdictEvents} VerdictEvents instance
             */
            VerdictEvents.create = function create(properties) {
                return new VerdictEvents(properties);
            };

            /**
             * Encodes the specified VerdictEvents message. Does not implicitly {@link vpcemu.v1.VerdictEvents.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.VerdictEvents
             * @static
             * @param {vpcemu.v1.IVerdictEvents} message VerdictEvents message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            VerdictEvents.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.traceId != null && Object.hasOwnProperty.call(message, "traceId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.traceId);
                if (message.events != null && message.events.length)
                    for (let i = 0; i < message.events.length; ++i)
                        $root.vpcemu.v1.VerdictEventRecord.encode(message.events[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.lost != null && Object.hasOwnProperty.call(message, "lost"))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.lost);
                if (message.finished != null && Object.hasOwnProperty.call(message, "finished"))
                    writer.uint32(/* id 4, wireType 0 =*/32).bool(message.finished);
                if (message.error != null && Object.hasOwnProperty.call(message, "error"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.error);
                return writer;
            };

            /**
             * Decodes a VerdictEvents message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.VerdictEvents
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.VerdictEvents} VerdictEvents
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            VerdictEvents.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.VerdictEvents();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.traceId = reader.string();
                            break;
                        }
                    case 2: {
                            if (!(message.events && message.events.length))
                                message.events = [];
                            message.events.push($root.vpcemu.v1.VerdictEventRecord.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 3: {
                            message.lost = reader.uint64();
                            break;
                        }
                    case 4: {
                            message.finished = reader.bool();
                            break;
                        }
                    case 5: {
                            message.error = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return VerdictEvents;
        })();

        v1.Frame = (function() {

            /**
             * Properties of a Frame.
             * @memberof vpcemu.v1
             * @interface IFrame
             * @property {vpcemu.v1.IHello|null} [hello] Frame hello
             * @property {vpcemu.v1.ISnapshot|null} [snapshot] Frame snapshot
             * @property {vpcemu.v1.IAck|null} [ack] Frame ack
             * @property {vpcemu.v1.IConntrackReport|null} [conntrackReport] Frame conntrackReport
             * @property {vpcemu.v1.IConntrackRequest|null} [conntrackRequest] Frame conntrackRequest
             * @property {vpcemu.v1.IFlowLogBatch|null} [flowLogs] Frame flowLogs
             * @property {vpcemu.v1.ICounters|null} [counters] Frame counters
             * @property {vpcemu.v1.IHeartbeat|null} [heartbeat] Frame heartbeat
             * @property {vpcemu.v1.IError|null} [error] Frame error
             * @property {vpcemu.v1.IHosting|null} [hosting] Frame hosting
             * @property {vpcemu.v1.IWelcome|null} [welcome] Frame welcome
             * @property {vpcemu.v1.ITraceControl|null} [traceControl] Frame traceControl
             * @property {vpcemu.v1.IVerdictEvents|null} [verdictEvents] Frame verdictEvents
             * @property {vpcemu.v1.ICaptureControl|null} [captureControl] Frame captureControl
             * @property {vpcemu.v1.ICapturedPackets|null} [capturedPackets] Frame capturedPackets
             * @property {vpcemu.v1.IAuditEventBatch|null} [auditEvents] Frame auditEvents
             */

            /**
             * Constructs a new Frame.
             * @memberof vpcemu.v1
             * @classdesc Represents a Frame.
             * @implements IFrame
             * @constructor
             * @param {vpcemu.v1.IFrame=} [properties] Properties to set
             */
            function Frame(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Frame hello.
             * @member {vpcemu.v1.IHello|null|undefined} hello
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.hello = null;

            /**
             * Frame snapshot.
             * @member {vpcemu.v1.ISnapshot|null|undefined} snapshot
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.snapshot = null;

            /**
             * Frame ack.
             * @member {vpcemu.v1.IAck|null|undefined} ack
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.ack = null;

            /**
             * Frame conntrackReport.
             * @member {vpcemu.v1.IConntrackReport|null|undefined} conntrackReport
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.conntrackReport = null;

            /**
             * Frame conntrackRequest.
             * @member {vpcemu.v1.IConntrackRequest|null|undefined} conntrackRequest
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.conntrackRequest = null;

            /**
             * Frame flowLogs.
             * @member {vpcemu.v1.IFlowLogBatch|null|undefined} flowLogs
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.flowLogs = null;

            /**
             * Frame counters.
             * @member {vpcemu.v1.ICounters|null|undefined} counters
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.counters = null;

            /**
             * Frame heartbeat.
             * @member {vpcemu.v1.IHeartbeat|null|undefined} heartbeat
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.heartbeat = null;

            /**
             * Frame error.
             * @member {vpcemu.v1.IError|null|undefined} error
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.error = null;

            /**
             * Frame hosting.
             * @member {vpcemu.v1.IHosting|null|undefined} hosting
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.hosting = null;

            /**
             * Frame welcome.
             * @member {vpcemu.v1.IWelcome|null|undefined} welcome
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.welcome = null;

            /**
             * Frame traceControl.
             * @member {vpcemu.v1.ITraceControl|null|undefined} traceControl
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.traceControl = null;

            /**
             * Frame verdictEvents.
             * @member {vpcemu.v1.IVerdictEvents|null|undefined} verdictEvents
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.verdictEvents = null;

            /**
             * Frame captureControl.
             * @member {vpcemu.v1.ICaptureControl|null|undefined} captureControl
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.captureControl = null;

            /**
             * Frame capturedPackets.
             * @member {vpcemu.v1.ICapturedPackets|null|undefined} capturedPackets
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.capturedPackets = null;

            /**
             * Frame auditEvents.
             * @member {vpcemu.v1.IAuditEventBatch|null|undefined} auditEvents
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Frame.prototype.auditEvents = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            /**
             * Frame body.
             * @member {"hello"|"snapshot"|"ack"|"conntrackReport"|"conntrackRequest"|"flowLogs"|"counters"|"heartbeat"|"error"|"hosting"|"welcome"|"traceControl"|"verdictEvents"|"captureControl"|"capturedPackets"|"auditEvents"|undefined} body
             * @memberof vpcemu.v1.Frame
             * @instance
             */
            Object.defineProperty(Frame.prototype, "body", {
                get: $util.oneOfGetter($oneOfFields = ["hello", "snapshot", "ack", "conntrackReport", "conntrackRequest", "flowLogs", "counters", "heartbeat", "error", "hosting", "welcome", "traceControl", "verdictEvents", "captureControl", "capturedPackets", "auditEvents"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new Frame instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Frame
             * @static
             * @param {vpcemu.v1.IFrame=} [properties] Properties to set
             * @returns {vpcemu.v1.Frame} Frame instance
             */
            Frame.create = function create(properties) {
                return new Frame(properties);
            };

            /**
             * Encodes the specified Frame message. Does not implicitly {@link vpcemu.v1.Frame.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Frame
             * @static
             * @param {vpcemu.v1.IFrame} message Frame message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Frame.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.hello != null && Object.hasOwnProperty.call(message, "hello"))
                    $root.vpcemu.v1.Hello.encode(message.hello, writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.snapshot != null && Object.hasOwnProperty.call(message, "snapshot"))
                    $root.vpcemu.v1.Snapshot.encode(message.snapshot, writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.ack != null && Object.hasOwnProperty.call(message, "ack"))
                    $root.vpcemu.v1.Ack.encode(message.ack, writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.conntrackReport != null && Object.hasOwnProperty.call(message, "conntrackReport"))
                    $root.vpcemu.v1.ConntrackReport.encode(message.conntrackReport, writer.uint32(/* id 4, wireType 2 =*/34).fork(), q + 1).ldelim();
                if (message.conntrackRequest != null && Object.hasOwnProperty.call(message, "conntrackRequest"))
                    $root.vpcemu.v1.ConntrackRequest.encode(message.conntrackRequest, writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                if (message.flowLogs != null && Object.hasOwnProperty.call(message, "flowLogs"))
                    $root.vpcemu.v1.FlowLogBatch.encode(message.flowLogs, writer.uint32(/* id 6, wireType 2 =*/50).fork(), q + 1).ldelim();
                if (message.counters != null && Object.hasOwnProperty.call(message, "counters"))
                    $root.vpcemu.v1.Counters.encode(message.counters, writer.uint32(/* id 7, wireType 2 =*/58).fork(), q + 1).ldelim();
                if (message.heartbeat != null && Object.hasOwnProperty.call(message, "heartbeat"))
                    $root.vpcemu.v1.Heartbeat.encode(message.heartbeat, writer.uint32(/* id 8, wireType 2 =*/66).fork(), q + 1).ldelim();
                if (message.error != null && Object.hasOwnProperty.call(message, "error"))
                    $root.vpcemu.v1.Error.encode(message.error, writer.uint32(/* id 9, wireType 2 =*/74).fork(), q + 1).ldelim();
                if (message.hosting != null && Object.hasOwnProperty.call(message, "hosting"))
                    $root.vpcemu.v1.Hosting.encode(message.hosting, writer.uint32(/* id 10, wireType 2 =*/82).fork(), q + 1).ldelim();
                if (message.welcome != null && Object.hasOwnProperty.call(message, "welcome"))
                    $root.vpcemu.v1.Welcome.encode(message.welcome, writer.uint32(/* id 11, wireType 2 =*/90).fork(), q + 1).ldelim();
                if (message.traceControl != null && Object.hasOwnProperty.call(message, "traceControl"))
                    $root.vpcemu.v1.TraceControl.encode(message.traceControl, writer.uint32(/* id 12, wireType 2 =*/98).fork(), q + 1).ldelim();
                if (message.verdictEvents != null && Object.hasOwnProperty.call(message, "verdictEvents"))
                    $root.vpcemu.v1.VerdictEvents.encode(message.verdictEvents, writer.uint32(/* id 13, wireType 2 =*/106).fork(), q + 1).ldelim();
                if (message.captureControl != null && Object.hasOwnProperty.call(message, "captureControl"))
                    $root.vpcemu.v1.CaptureControl.encode(message.captureControl, writer.uint32(/* id 14, wireType 2 =*/114).fork(), q + 1).ldelim();
                if (message.capturedPackets != null && Object.hasOwnProperty.call(message, "capturedPackets"))
                    $root.vpcemu.v1.CapturedPackets.encode(message.capturedPackets, writer.uint32(/* id 15, wireType 2 =*/122).fork(), q + 1).ldelim();
                if (message.auditEvents != null && Object.hasOwnProperty.call(message, "auditEvents"))
                    $root.vpcemu.v1.AuditEventBatch.encode(message.auditEvents, writer.uint32(/* id 16, wireType 2 =*/130).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a Frame message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Frame
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Frame} Frame
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Frame.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Frame();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.hello = $root.vpcemu.v1.Hello.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 2: {
                            message.snapshot = $root.vpcemu.v1.Snapshot.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 3: {
                            message.ack = $root.vpcemu.v1.Ack.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 4: {
                            message.conntrackReport = $root.vpcemu.v1.ConntrackReport.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 5: {
                            message.conntrackRequest = $root.vpcemu.v1.ConntrackRequest.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 6: {
                            message.flowLogs = $root.vpcemu.v1.FlowLogBatch.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 7: {
                            message.counters = $root.vpcemu.v1.Counters.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 8: {
                            message.heartbeat = $root.vpcemu.v1.Heartbeat.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 9: {
                            message.error = $root.vpcemu.v1.Error.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 10: {
                            message.hosting = $root.vpcemu.v1.Hosting.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 11: {
                            message.welcome = $root.vpcemu.v1.Welcome.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 12: {
                            message.traceControl = $root.vpcemu.v1.TraceControl.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 13: {
                            message.verdictEvents = $root.vpcemu.v1.VerdictEvents.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 14: {
                            message.captureControl = $root.vpcemu.v1.CaptureControl.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 15: {
                            message.capturedPackets = $root.vpcemu.v1.CapturedPackets.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 16: {
                            message.auditEvents = $root.vpcemu.v1.AuditEventBatch.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Frame;
        })();

        /**
         * PeerKind enum.
         * @name vpcemu.v1.PeerKind
         * @enum {number}
         * @property {number} PEER_KIND_UNSPECIFIED=0 PEER_KIND_UNSPECIFIED value
         * @property {number} PEER_KIND_CIDR=1 PEER_KIND_CIDR value
         * @property {number} PEER_KIND_SECURITY_GROUP=2 PEER_KIND_SECURITY_GROUP value
         * @property {number} PEER_KIND_PREFIX_LIST=3 PEER_KIND_PREFIX_LIST value
         */
        v1.PeerKind = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "PEER_KIND_UNSPECIFIED"] = 0;
            values[valuesById[1] = "PEER_KIND_CIDR"] = 1;
            values[valuesById[2] = "PEER_KIND_SECURITY_GROUP"] = 2;
            values[valuesById[3] = "PEER_KIND_PREFIX_LIST"] = 3;
            return values;
        })();

        v1.CompiledRule = (function() {

            /**
             * Properties of a CompiledRule.
             * @memberof vpcemu.v1
             * @interface ICompiledRule
             * @property {string|null} [ruleId] CompiledRule ruleId
             * @property {string|null} [groupId] CompiledRule groupId
             * @property {number|null} [protocol] CompiledRule protocol
             * @property {number|null} [fromPort] CompiledRule fromPort
             * @property {number|null} [toPort] CompiledRule toPort
             * @property {Array.<string>|null} [cidrs] CompiledRule cidrs
             * @property {vpcemu.v1.PeerKind|null} [peerKind] CompiledRule peerKind
             * @property {string|null} [peerId] CompiledRule peerId
             * @property {string|null} [description] CompiledRule description
             */

            /**
             * Constructs a new CompiledRule.
             * @memberof vpcemu.v1
             * @classdesc Represents a CompiledRule.
             * @implements ICompiledRule
             * @constructor
             * @param {vpcemu.v1.ICompiledRule=} [properties] Properties to set
             */
            function CompiledRule(properties) {
                this.cidrs = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CompiledRule ruleId.
             * @member {string} ruleId
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.ruleId = "";

            /**
             * CompiledRule groupId.
             * @member {string} groupId
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.groupId = "";

            /**
             * CompiledRule protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.protocol = 0;

            /**
             * CompiledRule fromPort.
             * @member {number} fromPort
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.fromPort = 0;

            /**
             * CompiledRule toPort.
             * @member {number} toPort
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.toPort = 0;

            /**
             * CompiledRule cidrs.
             * @member {Array.<string>} cidrs
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.cidrs = $util.emptyArray;

            /**
             * CompiledRule peerKind.
             * @member {vpcemu.v1.PeerKind} peerKind
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.peerKind = 0;

            /**
             * CompiledRule peerId.
             * @member {string} peerId
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.peerId = "";

            /**
             * CompiledRule description.
             * @member {string|null|undefined} description
             * @memberof vpcemu.v1.CompiledRule
             * @instance
             */
            CompiledRule.prototype.description = null;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(CompiledRule.prototype, "_description", {
                get: $util.oneOfGetter($oneOfFields = ["description"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new CompiledRule instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CompiledRule
             * @static
             * @param {vpcemu.v1.ICompiledRule=} [properties] Properties to set
             * @returns {vpcemu.v1.CompiledRule} CompiledRule instance
             */
            CompiledRule.create = function create(properties) {
                return new CompiledRule(properties);
            };

            /**
             * Encodes the specified CompiledRule message. Does not implicitly {@link vpcemu.v1.CompiledRule.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CompiledRule
             * @static
             * @param {vpcemu.v1.ICompiledRule} message CompiledRule message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CompiledRule.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.ruleId != null && Object.hasOwnProperty.call(message, "ruleId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.ruleId);
                if (message.groupId != null && Object.hasOwnProperty.call(message, "groupId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.groupId);
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 3, wireType 0 =*/24).sint32(message.protocol);
                if (message.fromPort != null && Object.hasOwnProperty.call(message, "fromPort"))
                    writer.uint32(/* id 4, wireType 0 =*/32).sint32(message.fromPort);
                if (message.toPort != null && Object.hasOwnProperty.call(message, "toPort"))
                    writer.uint32(/* id 5, wireType 0 =*/40).sint32(message.toPort);
                if (message.cidrs != null && message.cidrs.length)
                    for (let i = 0; i < message.cidrs.length; ++i)
                        writer.uint32(/* id 6, wireType 2 =*/50).string(message.cidrs[i]);
                if (message.peerKind != null && Object.hasOwnProperty.call(message, "peerKind"))
                    writer.uint32(/* id 7, wireType 0 =*/56).int32(message.peerKind);
                if (message.peerId != null && Object.hasOwnProperty.call(message, "peerId"))
                    writer.uint32(/* id 8, wireType 2 =*/66).string(message.peerId);
                if (message.description != null && Object.hasOwnProperty.call(message, "description"))
                    writer.uint32(/* id 9, wireType 2 =*/74).string(message.description);
                return writer;
            };

            /**
             * Decodes a CompiledRule message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CompiledRule
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CompiledRule} CompiledRule
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CompiledRule.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CompiledRule();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.ruleId = reader.string();
                            break;
                        }
                    case 2: {
                            message.groupId = reader.string();
                            break;
                        }
                    case 3: {
                            message.protocol = reader.sint32();
                            break;
                        }
                    case 4: {
                            message.fromPort = reader.sint32();
                            break;
                        }
                    case 5: {
                            message.toPort = reader.sint32();
                            break;
                        }
                    case 6: {
                            if (!(message.cidrs && message.cidrs.length))
                                message.cidrs = [];
                            message.cidrs.push(reader.string());
                            break;
                        }
                    case 7: {
                            message.peerKind = reader.int32();
                            break;
                        }
                    case 8: {
                            message.peerId = reader.string();
                            break;
                        }
                    case 9: {
                            message.description = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CompiledRule;
        })();

        /**
         * NaclAction enum.
         * @name vpcemu.v1.NaclAction
         * @enum {number}
         * @property {number} NACL_ACTION_UNSPECIFIED=0 NACL_ACTION_UNSPECIFIED value
         * @property {number} NACL_ACTION_ALLOW=1 NACL_ACTION_ALLOW value
         * @property {number} NACL_ACTION_DENY=2 NACL_ACTION_DENY value
         */
        v1.NaclAction = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "NACL_ACTION_UNSPECIFIED"] = 0;
            values[valuesById[1] = "NACL_ACTION_ALLOW"] = 1;
            values[valuesById[2] = "NACL_ACTION_DENY"] = 2;
            return values;
        })();

        v1.NaclEntry = (function() {

            /**
             * Properties of a NaclEntry.
             * @memberof vpcemu.v1
             * @interface INaclEntry
             * @property {number|null} [ruleNumber] NaclEntry ruleNumber
             * @property {vpcemu.v1.NaclAction|null} [action] NaclEntry action
             * @property {number|null} [protocol] NaclEntry protocol
             * @property {string|null} [cidr] NaclEntry cidr
             * @property {number|null} [fromPort] NaclEntry fromPort
             * @property {number|null} [toPort] NaclEntry toPort
             * @property {number|null} [icmpType] NaclEntry icmpType
             * @property {number|null} [icmpCode] NaclEntry icmpCode
             */

            /**
             * Constructs a new NaclEntry.
             * @memberof vpcemu.v1
             * @classdesc Represents a NaclEntry.
             * @implements INaclEntry
             * @constructor
             * @param {vpcemu.v1.INaclEntry=} [properties] Properties to set
             */
            function NaclEntry(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * NaclEntry ruleNumber.
             * @member {number} ruleNumber
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.ruleNumber = 0;

            /**
             * NaclEntry action.
             * @member {vpcemu.v1.NaclAction} action
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.action = 0;

            /**
             * NaclEntry protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.protocol = 0;

            /**
             * NaclEntry cidr.
             * @member {string} cidr
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.cidr = "";

            /**
             * NaclEntry fromPort.
             * @member {number} fromPort
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.fromPort = 0;

            /**
             * NaclEntry toPort.
             * @member {number} toPort
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.toPort = 0;

            /**
             * NaclEntry icmpType.
             * @member {number} icmpType
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.icmpType = 0;

            /**
             * NaclEntry icmpCode.
             * @member {number} icmpCode
             * @memberof vpcemu.v1.NaclEntry
             * @instance
             */
            NaclEntry.prototype.icmpCode = 0;

            /**
             * Creates a new NaclEntry instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.NaclEntry
             * @static
             * @param {vpcemu.v1.INaclEntry=} [properties] Properties to set
             * @returns {vpcemu.v1.NaclEntry} NaclEntry instance
             */
            NaclEntry.create = function create(properties) {
                return new NaclEntry(properties);
            };

            /**
             * Encodes the specified NaclEntry message. Does not implicitly {@link vpcemu.v1.NaclEntry.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.NaclEntry
             * @static
             * @param {vpcemu.v1.INaclEntry} message NaclEntry message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            NaclEntry.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.ruleNumber != null && Object.hasOwnProperty.call(message, "ruleNumber"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.ruleNumber);
                if (message.action != null && Object.hasOwnProperty.call(message, "action"))
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.action);
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 3, wireType 0 =*/24).sint32(message.protocol);
                if (message.cidr != null && Object.hasOwnProperty.call(message, "cidr"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.cidr);
                if (message.fromPort != null && Object.hasOwnProperty.call(message, "fromPort"))
                    writer.uint32(/* id 5, wireType 0 =*/40).sint32(message.fromPort);
                if (message.toPort != null && Object.hasOwnProperty.call(message, "toPort"))
                    writer.uint32(/* id 6, wireType 0 =*/48).sint32(message.toPort);
                if (message.icmpType != null && Object.hasOwnProperty.call(message, "icmpType"))
                    writer.uint32(/* id 7, wireType 0 =*/56).sint32(message.icmpType);
                if (message.icmpCode != null && Object.hasOwnProperty.call(message, "icmpCode"))
                    writer.uint32(/* id 8, wireType 0 =*/64).sint32(message.icmpCode);
                return writer;
            };

            /**
             * Decodes a NaclEntry message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.NaclEntry
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.NaclEntry} NaclEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            NaclEntry.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.NaclEntry();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.ruleNumber = reader.uint32();
                            break;
                        }
                    case 2: {
                            message.action = reader.int32();
                            break;
                        }
                    case 3: {
                            message.protocol = reader.sint32();
                            break;
                        }
                    case 4: {
                            message.cidr = reader.string();
                            break;
                        }
                    case 5: {
                            message.fromPort = reader.sint32();
                            break;
                        }
                    case 6: {
                            message.toPort = reader.sint32();
                            break;
                        }
                    case 7: {
                            message.icmpType = reader.sint32();
                            break;
                        }
                    case 8: {
                            message.icmpCode = reader.sint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return NaclEntry;
        })();

        v1.ConntrackTimeouts = (function() {

            /**
             * Properties of a ConntrackTimeouts.
             * @memberof vpcemu.v1
             * @interface IConntrackTimeouts
             * @property {number|null} [tcpEstablished] ConntrackTimeouts tcpEstablished
             * @property {number|null} [udp] ConntrackTimeouts udp
             * @property {number|null} [udpStream] ConntrackTimeouts udpStream
             */

            /**
             * Constructs a new ConntrackTimeouts.
             * @memberof vpcemu.v1
             * @classdesc Represents a ConntrackTimeouts.
             * @implements IConntrackTimeouts
             * @constructor
             * @param {vpcemu.v1.IConntrackTimeouts=} [properties] Properties to set
             */
            function ConntrackTimeouts(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ConntrackTimeouts tcpEstablished.
             * @member {number} tcpEstablished
             * @memberof vpcemu.v1.ConntrackTimeouts
             * @instance
             */
            ConntrackTimeouts.prototype.tcpEstablished = 0;

            /**
             * ConntrackTimeouts udp.
             * @member {number} udp
             * @memberof vpcemu.v1.ConntrackTimeouts
             * @instance
             */
            ConntrackTimeouts.prototype.udp = 0;

            /**
             * ConntrackTimeouts udpStream.
             * @member {number} udpStream
             * @memberof vpcemu.v1.ConntrackTimeouts
             * @instance
             */
            ConntrackTimeouts.prototype.udpStream = 0;

            /**
             * Creates a new ConntrackTimeouts instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ConntrackTimeouts
             * @static
             * @param {vpcemu.v1.IConntrackTimeouts=} [properties] Properties to set
             * @returns {vpcemu.v1.ConntrackTimeouts} ConntrackTimeouts instance
             */
            ConntrackTimeouts.create = function create(properties) {
                return new ConntrackTimeouts(properties);
            };

            /**
             * Encodes the specified ConntrackTimeouts message. Does not implicitly {@link vpcemu.v1.ConntrackTimeouts.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ConntrackTimeouts
             * @static
             * @param {vpcemu.v1.IConntrackTimeouts} message ConntrackTimeouts message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ConntrackTimeouts.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.tcpEstablished != null && Object.hasOwnProperty.call(message, "tcpEstablished"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint32(message.tcpEstablished);
                if (message.udp != null && Object.hasOwnProperty.call(message, "udp"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.udp);
                if (message.udpStream != null && Object.hasOwnProperty.call(message, "udpStream"))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.udpStream);
                return writer;
            };

            /**
             * Decodes a ConntrackTimeouts message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ConntrackTimeouts
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ConntrackTimeouts} ConntrackTimeouts
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ConntrackTimeouts.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ConntrackTimeouts();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.tcpEstablished = reader.uint32();
                            break;
                        }
                    case 2: {
                            message.udp = reader.uint32();
                            break;
                        }
                    case 3: {
                            message.udpStream = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ConntrackTimeouts;
        })();

        /**
         * RouteTargetKind enum.
         * @name vpcemu.v1.RouteTargetKind
         * @enum {number}
         * @property {number} ROUTE_TARGET_KIND_UNSPECIFIED=0 ROUTE_TARGET_KIND_UNSPECIFIED value
         * @property {number} ROUTE_TARGET_KIND_LOCAL=1 ROUTE_TARGET_KIND_LOCAL value
         * @property {number} ROUTE_TARGET_KIND_PEERING=2 ROUTE_TARGET_KIND_PEERING value
         * @property {number} ROUTE_TARGET_KIND_BLACKHOLE=3 ROUTE_TARGET_KIND_BLACKHOLE value
         * @property {number} ROUTE_TARGET_KIND_INTERNET_GATEWAY=4 ROUTE_TARGET_KIND_INTERNET_GATEWAY value
         * @property {number} ROUTE_TARGET_KIND_EGRESS_ONLY_INTERNET_GATEWAY=5 ROUTE_TARGET_KIND_EGRESS_ONLY_INTERNET_GATEWAY value
         * @property {number} ROUTE_TARGET_KIND_NAT_GATEWAY=6 ROUTE_TARGET_KIND_NAT_GATEWAY value
         * @property {number} ROUTE_TARGET_KIND_NETWORK_INTERFACE=7 ROUTE_TARGET_KIND_NETWORK_INTERFACE value
         */
        v1.RouteTargetKind = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "ROUTE_TARGET_KIND_UNSPECIFIED"] = 0;
            values[valuesById[1] = "ROUTE_TARGET_KIND_LOCAL"] = 1;
            values[valuesById[2] = "ROUTE_TARGET_KIND_PEERING"] = 2;
            values[valuesById[3] = "ROUTE_TARGET_KIND_BLACKHOLE"] = 3;
            values[valuesById[4] = "ROUTE_TARGET_KIND_INTERNET_GATEWAY"] = 4;
            values[valuesById[5] = "ROUTE_TARGET_KIND_EGRESS_ONLY_INTERNET_GATEWAY"] = 5;
            values[valuesById[6] = "ROUTE_TARGET_KIND_NAT_GATEWAY"] = 6;
            values[valuesById[7] = "ROUTE_TARGET_KIND_NETWORK_INTERFACE"] = 7;
            return values;
        })();

        v1.CompiledRoute = (function() {

            /**
             * Properties of a CompiledRoute.
             * @memberof vpcemu.v1
             * @interface ICompiledRoute
             * @property {string|null} [destination] CompiledRoute destination
             * @property {vpcemu.v1.RouteTargetKind|null} [kind] CompiledRoute kind
             * @property {string|null} [targetId] CompiledRoute targetId
             * @property {string|null} [peerVpcId] CompiledRoute peerVpcId
             * @property {string|null} [nextHop] CompiledRoute nextHop
             */

            /**
             * Constructs a new CompiledRoute.
             * @memberof vpcemu.v1
             * @classdesc Represents a CompiledRoute.
             * @implements ICompiledRoute
             * @constructor
             * @param {vpcemu.v1.ICompiledRoute=} [properties] Properties to set
             */
            function CompiledRoute(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CompiledRoute destination.
             * @member {string} destination
             * @memberof vpcemu.v1.CompiledRoute
             * @instance
             */
            CompiledRoute.prototype.destination = "";

            /**
             * CompiledRoute kind.
             * @member {vpcemu.v1.RouteTargetKind} kind
             * @memberof vpcemu.v1.CompiledRoute
             * @instance
             */
            CompiledRoute.prototype.kind = 0;

            /**
             * CompiledRoute targetId.
             * @member {string} targetId
             * @memberof vpcemu.v1.CompiledRoute
             * @instance
             */
            CompiledRoute.prototype.targetId = "";

            /**
             * CompiledRoute peerVpcId.
             * @member {string} peerVpcId
             * @memberof vpcemu.v1.CompiledRoute
             * @instance
             */
            CompiledRoute.prototype.peerVpcId = "";

            /**
             * CompiledRoute nextHop.
             * @member {string} nextHop
             * @memberof vpcemu.v1.CompiledRoute
             * @instance
             */
            CompiledRoute.prototype.nextHop = "";

            /**
             * Creates a new CompiledRoute instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CompiledRoute
             * @static
             * @param {vpcemu.v1.ICompiledRoute=} [properties] Properties to set
             * @returns {vpcemu.v1.CompiledRoute} CompiledRoute instance
             */
            CompiledRoute.create = function create(properties) {
                return new CompiledRoute(properties);
            };

            /**
             * Encodes the specified CompiledRoute message. Does not implicitly {@link vpcemu.v1.CompiledRoute.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CompiledRoute
             * @static
             * @param {vpcemu.v1.ICompiledRoute} message CompiledRoute message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CompiledRoute.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.destination != null && Object.hasOwnProperty.call(message, "destination"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.destination);
                if (message.kind != null && Object.hasOwnProperty.call(message, "kind"))
                    writer.uint32(/* id 2, wireType 0 =*/16).int32(message.kind);
                if (message.targetId != null && Object.hasOwnProperty.call(message, "targetId"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.targetId);
                if (message.peerVpcId != null && Object.hasOwnProperty.call(message, "peerVpcId"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.peerVpcId);
                if (message.nextHop != null && Object.hasOwnProperty.call(message, "nextHop"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.nextHop);
                return writer;
            };

            /**
             * Decodes a CompiledRoute message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CompiledRoute
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CompiledRoute} CompiledRoute
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CompiledRoute.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CompiledRoute();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.destination = reader.string();
                            break;
                        }
                    case 2: {
                            message.kind = reader.int32();
                            break;
                        }
                    case 3: {
                            message.targetId = reader.string();
                            break;
                        }
                    case 4: {
                            message.peerVpcId = reader.string();
                            break;
                        }
                    case 5: {
                            message.nextHop = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CompiledRoute;
        })();

        v1.CompiledEniPolicy = (function() {

            /**
             * Properties of a CompiledEniPolicy.
             * @memberof vpcemu.v1
             * @interface ICompiledEniPolicy
             * @property {number|null} [revision] CompiledEniPolicy revision
             * @property {string|null} [eniId] CompiledEniPolicy eniId
             * @property {string|null} [instanceId] CompiledEniPolicy instanceId
             * @property {string|null} [vpcId] CompiledEniPolicy vpcId
             * @property {string|null} [subnetId] CompiledEniPolicy subnetId
             * @property {Array.<string>|null} [ipv4] CompiledEniPolicy ipv4
             * @property {Array.<string>|null} [ipv6] CompiledEniPolicy ipv6
             * @property {boolean|null} [sourceDestCheck] CompiledEniPolicy sourceDestCheck
             * @property {Array.<vpcemu.v1.ICompiledRule>|null} [ingress] CompiledEniPolicy ingress
             * @property {Array.<vpcemu.v1.ICompiledRule>|null} [egress] CompiledEniPolicy egress
             * @property {Array.<vpcemu.v1.INaclEntry>|null} [naclIn] CompiledEniPolicy naclIn
             * @property {Array.<vpcemu.v1.INaclEntry>|null} [naclOut] CompiledEniPolicy naclOut
             * @property {vpcemu.v1.IConntrackTimeouts|null} [timeouts] CompiledEniPolicy timeouts
             * @property {number|null} [allowance] CompiledEniPolicy allowance
             * @property {boolean|null} [autoTracked] CompiledEniPolicy autoTracked
             * @property {number|null} [conntrackEpoch] CompiledEniPolicy conntrackEpoch
             * @property {boolean|null} [instanceStopped] CompiledEniPolicy instanceStopped
             * @property {string|null} [routeTableId] CompiledEniPolicy routeTableId
             * @property {Array.<vpcemu.v1.ICompiledRoute>|null} [routes] CompiledEniPolicy routes
             * @property {Array.<vpcemu.v1.IPublicAddress>|null} [publicIpv4] CompiledEniPolicy publicIpv4
             * @property {Array.<string>|null} [groupIds] CompiledEniPolicy groupIds
             * @property {string|null} [naclId] CompiledEniPolicy naclId
             * @property {vpcemu.v1.ICompiledNatGateway|null} [natGateway] CompiledEniPolicy natGateway
             * @property {boolean|null} [audit] CompiledEniPolicy audit
             * @property {Array.<vpcemu.v1.ICompiledRule>|null} [auditIngress] CompiledEniPolicy auditIngress
             * @property {Array.<vpcemu.v1.ICompiledRule>|null} [auditEgress] CompiledEniPolicy auditEgress
             */

            /**
             * Constructs a new CompiledEniPolicy.
             * @memberof vpcemu.v1
             * @classdesc Represents a CompiledEniPolicy.
             * @implements ICompiledEniPolicy
             * @constructor
             * @param {vpcemu.v1.ICompiledEniPolicy=} [properties] Properties to set
             */
            function CompiledEniPolicy(properties) {
                this.ipv4 = [];
                this.ipv6 = [];
                this.ingress = [];
                this.egress = [];
                this.naclIn = [];
                this.naclOut = [];
                this.routes = [];
                this.publicIpv4 = [];
                this.groupIds = [];
                this.auditIngress = [];
                this.auditEgress = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CompiledEniPolicy revision.
             * @member {number} revision
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.revision = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * CompiledEniPolicy eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.eniId = "";

            /**
             * CompiledEniPolicy instanceId.
             * @member {string} instanceId
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.instanceId = "";

            /**
             * CompiledEniPolicy vpcId.
             * @member {string} vpcId
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.vpcId = "";

            /**
             * CompiledEniPolicy subnetId.
             * @member {string} subnetId
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.subnetId = "";

            /**
             * CompiledEniPolicy ipv4.
             * @member {Array.<string>} ipv4
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.ipv4 = $util.emptyArray;

            /**
             * CompiledEniPolicy ipv6.
             * @member {Array.<string>} ipv6
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.ipv6 = $util.emptyArray;

            /**
             * CompiledEniPolicy sourceDestCheck.
             * @member {boolean} sourceDestCheck
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.sourceDestCheck = false;

            /**
             * CompiledEniPolicy ingress.
             * @member {Array.<vpcemu.v1.ICompiledRule>} ingress
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.ingress = $util.emptyArray;

            /**
             * CompiledEniPolicy egress.
             * @member {Array.<vpcemu.v1.ICompiledRule>} egress
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.egress = $util.emptyArray;

            /**
             * CompiledEniPolicy naclIn.
             * @member {Array.<vpcemu.v1.INaclEntry>} naclIn
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.naclIn = $util.emptyArray;

            /**
             * CompiledEniPolicy naclOut.
             * @member {Array.<vpcemu.v1.INaclEntry>} naclOut
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.naclOut = $util.emptyArray;

            /**
             * CompiledEniPolicy timeouts.
             * @member {vpcemu.v1.IConntrackTimeouts|null|undefined} timeouts
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.timeouts = null;

            /**
             * CompiledEniPolicy allowance.
             * @member {number} allowance
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.allowance = 0;

            /**
             * CompiledEniPolicy autoTracked.
             * @member {boolean} autoTracked
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.autoTracked = false;

            /**
             * CompiledEniPolicy conntrackEpoch.
             * @member {number} conntrackEpoch
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.conntrackEpoch = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * CompiledEniPolicy instanceStopped.
             * @member {boolean} instanceStopped
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.instanceStopped = false;

            /**
             * CompiledEniPolicy routeTableId.
             * @member {string} routeTableId
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.routeTableId = "";

            /**
             * CompiledEniPolicy routes.
             * @member {Array.<vpcemu.v1.ICompiledRoute>} routes
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.routes = $util.emptyArray;

            /**
             * CompiledEniPolicy publicIpv4.
             * @member {Array.<vpcemu.v1.IPublicAddress>} publicIpv4
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.publicIpv4 = $util.emptyArray;

            /**
             * CompiledEniPolicy groupIds.
             * @member {Array.<string>} groupIds
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.groupIds = $util.emptyArray;

            /**
             * CompiledEniPolicy naclId.
             * @member {string} naclId
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.naclId = "";

            /**
             * CompiledEniPolicy natGateway.
             * @member {vpcemu.v1.ICompiledNatGateway|null|undefined} natGateway
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.natGateway = null;

            /**
             * CompiledEniPolicy audit.
             * @member {boolean} audit
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.audit = false;

            /**
             * CompiledEniPolicy auditIngress.
             * @member {Array.<vpcemu.v1.ICompiledRule>} auditIngress
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.auditIngress = $util.emptyArray;

            /**
             * CompiledEniPolicy auditEgress.
             * @member {Array.<vpcemu.v1.ICompiledRule>} auditEgress
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @instance
             */
            CompiledEniPolicy.prototype.auditEgress = $util.emptyArray;

            /**
             * Creates a new CompiledEniPolicy instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @static
             * @param {vpcemu.v1.ICompiledEniPolicy=} [properties] Properties to set
             * @returns {vpcemu.v1.CompiledEniPolicy} CompiledEniPolicy instance
             */
            CompiledEniPolicy.create = function create(properties) {
                return new CompiledEniPolicy(properties);
            };

            /**
             * Encodes the specified CompiledEniPolicy message. Does not implicitly {@link vpcemu.v1.CompiledEniPolicy.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @static
             * @param {vpcemu.v1.ICompiledEniPolicy} message CompiledEniPolicy message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CompiledEniPolicy.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.revision != null && Object.hasOwnProperty.call(message, "revision"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.revision);
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.eniId);
                if (message.instanceId != null && Object.hasOwnProperty.call(message, "instanceId"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.instanceId);
                if (message.vpcId != null && Object.hasOwnProperty.call(message, "vpcId"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.vpcId);
                if (message.subnetId != null && Object.hasOwnProperty.call(message, "subnetId"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.subnetId);
                if (message.ipv4 != null && message.ipv4.length)
                    for (let i = 0; i < message.ipv4.length; ++i)
                        writer.uint32(/* id 6, wireType 2 =*/50).string(message.ipv4[i]);
                if (message.ipv6 != null && message.ipv6.length)
                    for (let i = 0; i < message.ipv6.length; ++i)
                        writer.uint32(/* id 7, wireType 2 =*/58).string(message.ipv6[i]);
                if (message.sourceDestCheck != null && Object.hasOwnProperty.call(message, "sourceDestCheck"))
                    writer.uint32(/* id 8, wireType 0 =*/64).bool(message.sourceDestCheck);
                if (message.ingress != null && message.ingress.length)
                    for (let i = 0; i < message.ingress.length; ++i)
                        $root.vpcemu.v1.CompiledRule.encode(message.ingress[i], writer.uint32(/* id 9, wireType 2 =*/74).fork(), q + 1).ldelim();
                if (message.egress != null && message.egress.length)
                    for (let i = 0; i < message.egress.length; ++i)
                        $root.vpcemu.v1.CompiledRule.encode(message.egress[i], writer.uint32(/* id 10, wireType 2 =*/82).fork(), q + 1).ldelim();
                if (message.naclIn != null && message.naclIn.length)
                    for (let i = 0; i < message.naclIn.length; ++i)
                        $root.vpcemu.v1.NaclEntry.encode(message.naclIn[i], writer.uint32(/* id 11, wireType 2 =*/90).fork(), q + 1).ldelim();
                if (message.naclOut != null && message.naclOut.length)
                    for (let i = 0; i < message.naclOut.length; ++i)
                        $root.vpcemu.v1.NaclEntry.encode(message.naclOut[i], writer.uint32(/* id 12, wireType 2 =*/98).fork(), q + 1).ldelim();
                if (message.timeouts != null && Object.hasOwnProperty.call(message, "timeouts"))
                    $root.vpcemu.v1.ConntrackTimeouts.encode(message.timeouts, writer.uint32(/* id 13, wireType 2 =*/106).fork(), q + 1).ldelim();
                if (message.allowance != null && Object.hasOwnProperty.call(message, "allowance"))
                    writer.uint32(/* id 14, wireType 0 =*/112).uint32(message.allowance);
                if (message.autoTracked != null && Object.hasOwnProperty.call(message, "autoTracked"))
                    writer.uint32(/* id 15, wireType 0 =*/120).bool(message.autoTracked);
                if (message.conntrackEpoch != null && Object.hasOwnProperty.call(message, "conntrackEpoch"))
                    writer.uint32(/* id 16, wireType 0 =*/128).uint64(message.conntrackEpoch);
                if (message.instanceStopped != null && Object.hasOwnProperty.call(message, "instanceStopped"))
                    writer.uint32(/* id 17, wireType 0 =*/136).bool(message.instanceStopped);
                if (message.routeTableId != null && Object.hasOwnProperty.call(message, "routeTableId"))
                    writer.uint32(/* id 18, wireType 2 =*/146).string(message.routeTableId);
                if (message.routes != null && message.routes.length)
                    for (let i = 0; i < message.routes.length; ++i)
                        $root.vpcemu.v1.CompiledRoute.encode(message.routes[i], writer.uint32(/* id 19, wireType 2 =*/154).fork(), q + 1).ldelim();
                if (message.publicIpv4 != null && message.publicIpv4.length)
                    for (let i = 0; i < message.publicIpv4.length; ++i)
                        $root.vpcemu.v1.PublicAddress.encode(message.publicIpv4[i], writer.uint32(/* id 20, wireType 2 =*/162).fork(), q + 1).ldelim();
                if (message.natGateway != null && Object.hasOwnProperty.call(message, "natGateway"))
                    $root.vpcemu.v1.CompiledNatGateway.encode(message.natGateway, writer.uint32(/* id 21, wireType 2 =*/170).fork(), q + 1).ldelim();
                if (message.audit != null && Object.hasOwnProperty.call(message, "audit"))
                    writer.uint32(/* id 30, wireType 0 =*/240).bool(message.audit);
                if (message.auditIngress != null && message.auditIngress.length)
                    for (let i = 0; i < message.auditIngress.length; ++i)
                        $root.vpcemu.v1.CompiledRule.encode(message.auditIngress[i], writer.uint32(/* id 31, wireType 2 =*/250).fork(), q + 1).ldelim();
                if (message.auditEgress != null && message.auditEgress.length)
                    for (let i = 0; i < message.auditEgress.length; ++i)
                        $root.vpcemu.v1.CompiledRule.encode(message.auditEgress[i], writer.uint32(/* id 32, wireType 2 =*/258).fork(), q + 1).ldelim();
                if (message.groupIds != null && message.groupIds.length)
                    for (let i = 0; i < message.groupIds.length; ++i)
                        writer.uint32(/* id 35, wireType 2 =*/282).string(message.groupIds[i]);
                if (message.naclId != null && Object.hasOwnProperty.call(message, "naclId"))
                    writer.uint32(/* id 36, wireType 2 =*/290).string(message.naclId);
                return writer;
            };

            /**
             * Decodes a CompiledEniPolicy message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CompiledEniPolicy
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CompiledEniPolicy} CompiledEniPolicy
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CompiledEniPolicy.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CompiledEniPolicy();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.revision = reader.uint64();
                            break;
                        }
                    case 2: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 3: {
                            message.instanceId = reader.string();
                            break;
                        }
                    case 4: {
                            message.vpcId = reader.string();
                            break;
                        }
                    case 5: {
                            message.subnetId = reader.string();
                            break;
                        }
                    case 6: {
                            if (!(message.ipv4 && message.ipv4.length))
                                message.ipv4 = [];
                            message.ipv4.push(reader.string());
                            break;
                        }
                    case 7: {
                            if (!(message.ipv6 && message.ipv6.length))
                                message.ipv6 = [];
                            message.ipv6.push(reader.string());
                            break;
                        }
                    case 8: {
                            message.sourceDestCheck = reader.bool();
                            break;
                        }
                    case 9: {
                            if (!(message.ingress && message.ingress.length))
                                message.ingress = [];
                            message.ingress.push($root.vpcemu.v1.CompiledRule.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 10: {
                            if (!(message.egress && message.egress.length))
                                message.egress = [];
                            message.egress.push($root.vpcemu.v1.CompiledRule.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 11: {
                            if (!(message.naclIn && message.naclIn.length))
                                message.naclIn = [];
                            message.naclIn.push($root.vpcemu.v1.NaclEntry.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 12: {
                            if (!(message.naclOut && message.naclOut.length))
                                message.naclOut = [];
                            message.naclOut.push($root.vpcemu.v1.NaclEntry.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 13: {
                            message.timeouts = $root.vpcemu.v1.ConntrackTimeouts.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 14: {
                            message.allowance = reader.uint32();
                            break;
                        }
                    case 15: {
                            message.autoTracked = reader.bool();
                            break;
                        }
                    case 16: {
                            message.conntrackEpoch = reader.uint64();
                            break;
                        }
                    case 17: {
                            message.instanceStopped = reader.bool();
                            break;
                        }
                    case 18: {
                            message.routeTableId = reader.string();
                            break;
                        }
                    case 19: {
                            if (!(message.routes && message.routes.length))
                                message.routes = [];
                            message.routes.push($root.vpcemu.v1.CompiledRoute.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 20: {
                            if (!(message.publicIpv4 && message.publicIpv4.length))
                                message.publicIpv4 = [];
                            message.publicIpv4.push($root.vpcemu.v1.PublicAddress.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 35: {
                            if (!(message.groupIds && message.groupIds.length))
                                message.groupIds = [];
                            message.groupIds.push(reader.string());
                            break;
                        }
                    case 36: {
                            message.naclId = reader.string();
                            break;
                        }
                    case 21: {
                            message.natGateway = $root.vpcemu.v1.CompiledNatGateway.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 30: {
                            message.audit = reader.bool();
                            break;
                        }
                    case 31: {
                            if (!(message.auditIngress && message.auditIngress.length))
                                message.auditIngress = [];
                            message.auditIngress.push($root.vpcemu.v1.CompiledRule.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 32: {
                            if (!(message.auditEgress && message.auditEgress.length))
                                message.auditEgress = [];
                            message.auditEgress.push($root.vpcemu.v1.CompiledRule.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CompiledEniPolicy;
        })();

        v1.CompiledNatGateway = (function() {

            /**
             * Properties of a CompiledNatGateway.
             * @memberof vpcemu.v1
             * @interface ICompiledNatGateway
             * @property {string|null} [natGatewayId] CompiledNatGateway natGatewayId
             * @property {number|null} [idleTimeout] CompiledNatGateway idleTimeout
             * @property {number|null} [portsPerDestination] CompiledNatGateway portsPerDestination
             */

            /**
             * Constructs a new CompiledNatGateway.
             * @memberof vpcemu.v1
             * @classdesc Represents a CompiledNatGateway.
             * @implements ICompiledNatGateway
             * @constructor
             * @param {vpcemu.v1.ICompiledNatGateway=} [properties] Properties to set
             */
            function CompiledNatGateway(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CompiledNatGateway natGatewayId.
             * @member {string} natGatewayId
             * @memberof vpcemu.v1.CompiledNatGateway
             * @instance
             */
            CompiledNatGateway.prototype.natGatewayId = "";

            /**
             * CompiledNatGateway idleTimeout.
             * @member {number} idleTimeout
             * @memberof vpcemu.v1.CompiledNatGateway
             * @instance
             */
            CompiledNatGateway.prototype.idleTimeout = 0;

            /**
             * CompiledNatGateway portsPerDestination.
             * @member {number} portsPerDestination
             * @memberof vpcemu.v1.CompiledNatGateway
             * @instance
             */
            CompiledNatGateway.prototype.portsPerDestination = 0;

            /**
             * Creates a new CompiledNatGateway instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CompiledNatGateway
             * @static
             * @param {vpcemu.v1.ICompiledNatGateway=} [properties] Properties to set
             * @returns {vpcemu.v1.CompiledNatGateway} CompiledNatGateway instance
             */
            CompiledNatGateway.create = function create(properties) {
                return new CompiledNatGateway(properties);
            };

            /**
             * Encodes the specified CompiledNatGateway message. Does not implicitly {@link vpcemu.v1.CompiledNatGateway.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CompiledNatGateway
             * @static
             * @param {vpcemu.v1.ICompiledNatGateway} message CompiledNatGateway message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CompiledNatGateway.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.natGatewayId != null && Object.hasOwnProperty.call(message, "natGatewayId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.natGatewayId);
                if (message.idleTimeout != null && Object.hasOwnProperty.call(message, "idleTimeout"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.idleTimeout);
                if (message.portsPerDestination != null && Object.hasOwnProperty.call(message, "portsPerDestination"))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.portsPerDestination);
                return writer;
            };

            /**
             * Decodes a CompiledNatGateway message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CompiledNatGateway
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CompiledNatGateway} CompiledNatGateway
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CompiledNatGateway.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CompiledNatGateway();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.natGatewayId = reader.string();
                            break;
                        }
                    case 2: {
                            message.idleTimeout = reader.uint32();
                            break;
                        }
                    case 3: {
                            message.portsPerDestination = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CompiledNatGateway;
        })();

        v1.PublicAddress = (function() {

            /**
             * Properties of a PublicAddress.
             * @memberof vpcemu.v1
             * @interface IPublicAddress
             * @property {string|null} [publicIp] PublicAddress publicIp
             * @property {string|null} [privateIp] PublicAddress privateIp
             */

            /**
             * Constructs a new PublicAddress.
             * @memberof vpcemu.v1
             * @classdesc Represents a PublicAddress.
             * @implements IPublicAddress
             * @constructor
             * @param {vpcemu.v1.IPublicAddress=} [properties] Properties to set
             */
            function PublicAddress(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * PublicAddress publicIp.
             * @member {string} publicIp
             * @memberof vpcemu.v1.PublicAddress
             * @instance
             */
            PublicAddress.prototype.publicIp = "";

            /**
             * PublicAddress privateIp.
             * @member {string} privateIp
             * @memberof vpcemu.v1.PublicAddress
             * @instance
             */
            PublicAddress.prototype.privateIp = "";

            /**
             * Creates a new PublicAddress instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.PublicAddress
             * @static
             * @param {vpcemu.v1.IPublicAddress=} [properties] Properties to set
             * @returns {vpcemu.v1.PublicAddress} PublicAddress instance
             */
            PublicAddress.create = function create(properties) {
                return new PublicAddress(properties);
            };

            /**
             * Encodes the specified PublicAddress message. Does not implicitly {@link vpcemu.v1.PublicAddress.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.PublicAddress
             * @static
             * @param {vpcemu.v1.IPublicAddress} message PublicAddress message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            PublicAddress.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.publicIp != null && Object.hasOwnProperty.call(message, "publicIp"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.publicIp);
                if (message.privateIp != null && Object.hasOwnProperty.call(message, "privateIp"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.privateIp);
                return writer;
            };

            /**
             * Decodes a PublicAddress message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.PublicAddress
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.PublicAddress} PublicAddress
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            PublicAddress.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.PublicAddress();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.publicIp = reader.string();
                            break;
                        }
                    case 2: {
                            message.privateIp = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return PublicAddress;
        })();

        v1.MappingEntry = (function() {

            /**
             * Properties of a MappingEntry.
             * @memberof vpcemu.v1
             * @interface IMappingEntry
             * @property {string|null} [address] MappingEntry address
             * @property {string|null} [eniId] MappingEntry eniId
             * @property {string|null} [subnetId] MappingEntry subnetId
             * @property {string|null} [vpcId] MappingEntry vpcId
             * @property {string|null} [agentId] MappingEntry agentId
             * @property {string|null} [endpoint] MappingEntry endpoint
             * @property {string|null} [privateAddress] MappingEntry privateAddress
             * @property {boolean|null} [natGateway] MappingEntry natGateway
             */

            /**
             * Constructs a new MappingEntry.
             * @memberof vpcemu.v1
             * @classdesc Represents a MappingEntry.
             * @implements IMappingEntry
             * @constructor
             * @param {vpcemu.v1.IMappingEntry=} [properties] Properties to set
             */
            function MappingEntry(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * MappingEntry address.
             * @member {string} address
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.address = "";

            /**
             * MappingEntry eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.eniId = "";

            /**
             * MappingEntry subnetId.
             * @member {string} subnetId
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.subnetId = "";

            /**
             * MappingEntry vpcId.
             * @member {string} vpcId
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.vpcId = "";

            /**
             * MappingEntry agentId.
             * @member {string} agentId
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.agentId = "";

            /**
             * MappingEntry endpoint.
             * @member {string} endpoint
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.endpoint = "";

            /**
             * MappingEntry privateAddress.
             * @member {string} privateAddress
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.privateAddress = "";

            /**
             * MappingEntry natGateway.
             * @member {boolean} natGateway
             * @memberof vpcemu.v1.MappingEntry
             * @instance
             */
            MappingEntry.prototype.natGateway = false;

            /**
             * Creates a new MappingEntry instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.MappingEntry
             * @static
             * @param {vpcemu.v1.IMappingEntry=} [properties] Properties to set
             * @returns {vpcemu.v1.MappingEntry} MappingEntry instance
             */
            MappingEntry.create = function create(properties) {
                return new MappingEntry(properties);
            };

            /**
             * Encodes the specified MappingEntry message. Does not implicitly {@link vpcemu.v1.MappingEntry.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.MappingEntry
             * @static
             * @param {vpcemu.v1.IMappingEntry} message MappingEntry message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            MappingEntry.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.address != null && Object.hasOwnProperty.call(message, "address"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.address);
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.eniId);
                if (message.subnetId != null && Object.hasOwnProperty.call(message, "subnetId"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.subnetId);
                if (message.vpcId != null && Object.hasOwnProperty.call(message, "vpcId"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.vpcId);
                if (message.agentId != null && Object.hasOwnProperty.call(message, "agentId"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.agentId);
                if (message.endpoint != null && Object.hasOwnProperty.call(message, "endpoint"))
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.endpoint);
                if (message.privateAddress != null && Object.hasOwnProperty.call(message, "privateAddress"))
                    writer.uint32(/* id 7, wireType 2 =*/58).string(message.privateAddress);
                if (message.natGateway != null && Object.hasOwnProperty.call(message, "natGateway"))
                    writer.uint32(/* id 8, wireType 0 =*/64).bool(message.natGateway);
                return writer;
            };

            /**
             * Decodes a MappingEntry message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.MappingEntry
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.MappingEntry} MappingEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            MappingEntry.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.MappingEntry();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.address = reader.string();
                            break;
                        }
                    case 2: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 3: {
                            message.subnetId = reader.string();
                            break;
                        }
                    case 4: {
                            message.vpcId = reader.string();
                            break;
                        }
                    case 5: {
                            message.agentId = reader.string();
                            break;
                        }
                    case 6: {
                            message.endpoint = reader.string();
                            break;
                        }
                    case 7: {
                            message.privateAddress = reader.string();
                            break;
                        }
                    case 8: {
                            message.natGateway = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return MappingEntry;
        })();

        v1.AgentSnapshot = (function() {

            /**
             * Properties of an AgentSnapshot.
             * @memberof vpcemu.v1
             * @interface IAgentSnapshot
             * @property {number|null} [revision] AgentSnapshot revision
             * @property {string|null} [agentId] AgentSnapshot agentId
             * @property {Array.<vpcemu.v1.ICompiledEniPolicy>|null} [enis] AgentSnapshot enis
             * @property {Array.<vpcemu.v1.IMappingEntry>|null} [mapping] AgentSnapshot mapping
             * @property {Array.<vpcemu.v1.ICompiledFault>|null} [faults] AgentSnapshot faults
             */

            /**
             * Constructs a new AgentSnapshot.
             * @memberof vpcemu.v1
             * @classdesc Represents an AgentSnapshot.
             * @implements IAgentSnapshot
             * @constructor
             * @param {vpcemu.v1.IAgentSnapshot=} [properties] Properties to set
             */
            function AgentSnapshot(properties) {
                this.enis = [];
                this.mapping = [];
                this.faults = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * AgentSnapshot revision.
             * @member {number} revision
             * @memberof vpcemu.v1.AgentSnapshot
             * @instance
             */
            AgentSnapshot.prototype.revision = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * AgentSnapshot agentId.
             * @member {string} agentId
             * @memberof vpcemu.v1.AgentSnapshot
             * @instance
             */
            AgentSnapshot.prototype.agentId = "";

            /**
             * AgentSnapshot enis.
             * @member {Array.<vpcemu.v1.ICompiledEniPolicy>} enis
             * @memberof vpcemu.v1.AgentSnapshot
             * @instance
             */
            AgentSnapshot.prototype.enis = $util.emptyArray;

            /**
             * AgentSnapshot mapping.
             * @member {Array.<vpcemu.v1.IMappingEntry>} mapping
             * @memberof vpcemu.v1.AgentSnapshot
             * @instance
             */
            AgentSnapshot.prototype.mapping = $util.emptyArray;

            /**
             * AgentSnapshot faults.
             * @member {Array.<vpcemu.v1.ICompiledFault>} faults
             * @memberof vpcemu.v1.AgentSnapshot
             * @instance
             */
            AgentSnapshot.prototype.faults = $util.emptyArray;

            /**
             * Creates a new AgentSnapshot instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.AgentSnapshot
             * @static
             * @param {vpcemu.v1.IAgentSnapshot=} [properties] Properties to set
             * @returns {vpcemu.v1.AgentSnapshot} AgentSnapshot instance
             */
            AgentSnapshot.create = function create(properties) {
                return new AgentSnapshot(properties);
            };

            /**
             * Encodes the specified AgentSnapshot message. Does not implicitly {@link vpcemu.v1.AgentSnapshot.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.AgentSnapshot
             * @static
             * @param {vpcemu.v1.IAgentSnapshot} message AgentSnapshot message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AgentSnapshot.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.revision != null && Object.hasOwnProperty.call(message, "revision"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.revision);
                if (message.agentId != null && Object.hasOwnProperty.call(message, "agentId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.agentId);
                if (message.enis != null && message.enis.length)
                    for (let i = 0; i < message.enis.length; ++i)
                        $root.vpcemu.v1.CompiledEniPolicy.encode(message.enis[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.mapping != null && message.mapping.length)
                    for (let i = 0; i < message.mapping.length; ++i)
                        $root.vpcemu.v1.MappingEntry.encode(message.mapping[i], writer.uint32(/* id 4, wireType 2 =*/34).fork(), q + 1).ldelim();
                if (message.faults != null && message.faults.length)
                    for (let i = 0; i < message.faults.length; ++i)
                        $root.vpcemu.v1.CompiledFault.encode(message.faults[i], writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes an AgentSnapshot message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.AgentSnapshot
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.AgentSnapshot} AgentSnapshot
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AgentSnapshot.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.AgentSnapshot();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.revision = reader.uint64();
                            break;
                        }
                    case 2: {
                            message.agentId = reader.string();
                            break;
                        }
                    case 3: {
                            if (!(message.enis && message.enis.length))
                                message.enis = [];
                            message.enis.push($root.vpcemu.v1.CompiledEniPolicy.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 4: {
                            if (!(message.mapping && message.mapping.length))
                                message.mapping = [];
                            message.mapping.push($root.vpcemu.v1.MappingEntry.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 5: {
                            if (!(message.faults && message.faults.length))
                                message.faults = [];
                            message.faults.push($root.vpcemu.v1.CompiledFault.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return AgentSnapshot;
        })();

        v1.FaultEndpointSet = (function() {

            /**
             * Properties of a FaultEndpointSet.
             * @memberof vpcemu.v1
             * @interface IFaultEndpointSet
             * @property {boolean|null} [any] FaultEndpointSet any
             * @property {Array.<string>|null} [portKeys] FaultEndpointSet portKeys
             */

            /**
             * Constructs a new FaultEndpointSet.
             * @memberof vpcemu.v1
             * @classdesc Represents a FaultEndpointSet.
             * @implements IFaultEndpointSet
             * @constructor
             * @param {vpcemu.v1.IFaultEndpointSet=} [properties] Properties to set
             */
            function FaultEndpointSet(properties) {
                this.portKeys = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FaultEndpointSet any.
             * @member {boolean} any
             * @memberof vpcemu.v1.FaultEndpointSet
             * @instance
             */
            FaultEndpointSet.prototype.any = false;

            /**
             * FaultEndpointSet portKeys.
             * @member {Array.<string>} portKeys
             * @memberof vpcemu.v1.FaultEndpointSet
             * @instance
             */
            FaultEndpointSet.prototype.portKeys = $util.emptyArray;

            /**
             * Creates a new FaultEndpointSet instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FaultEndpointSet
             * @static
             * @param {vpcemu.v1.IFaultEndpointSet=} [properties] Properties to set
             * @returns {vpcemu.v1.FaultEndpointSet} FaultEndpointSet instance
             */
            FaultEndpointSet.create = function create(properties) {
                return new FaultEndpointSet(properties);
            };

            /**
             * Encodes the specified FaultEndpointSet message. Does not implicitly {@link vpcemu.v1.FaultEndpointSet.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FaultEndpointSet
             * @static
             * @param {vpcemu.v1.IFaultEndpointSet} message FaultEndpointSet message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FaultEndpointSet.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.any != null && Object.hasOwnProperty.call(message, "any"))
                    writer.uint32(/* id 1, wireType 0 =*/8).bool(message.any);
                if (message.portKeys != null && message.portKeys.length)
                    for (let i = 0; i < message.portKeys.length; ++i)
                        writer.uint32(/* id 2, wireType 2 =*/18).string(message.portKeys[i]);
                return writer;
            };

            /**
             * Decodes a FaultEndpointSet message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FaultEndpointSet
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FaultEndpointSet} FaultEndpointSet
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FaultEndpointSet.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FaultEndpointSet();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.any = reader.bool();
                            break;
                        }
                    case 2: {
                            if (!(message.portKeys && message.portKeys.length))
                                message.portKeys = [];
                            message.portKeys.push(reader.string());
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FaultEndpointSet;
        })();

        v1.FaultPair = (function() {

            /**
             * Properties of a FaultPair.
             * @memberof vpcemu.v1
             * @interface IFaultPair
             * @property {vpcemu.v1.IFaultEndpointSet|null} [from] FaultPair from
             * @property {vpcemu.v1.IFaultEndpointSet|null} [to] FaultPair to
             * @property {boolean|null} [reverse] FaultPair reverse
             */

            /**
             * Constructs a new FaultPair.
             * @memberof vpcemu.v1
             * @classdesc Represents a FaultPair.
             * @implements IFaultPair
             * @constructor
             * @param {vpcemu.v1.IFaultPair=} [properties] Properties to set
             */
            function FaultPair(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FaultPair from.
             * @member {vpcemu.v1.IFaultEndpointSet|null|undefined} from
             * @memberof vpcemu.v1.FaultPair
             * @instance
             */
            FaultPair.prototype.from = null;

            /**
             * FaultPair to.
             * @member {vpcemu.v1.IFaultEndpointSet|null|undefined} to
             * @memberof vpcemu.v1.FaultPair
             * @instance
             */
            FaultPair.prototype.to = null;

            /**
             * FaultPair reverse.
             * @member {boolean} reverse
             * @memberof vpcemu.v1.FaultPair
             * @instance
             */
            FaultPair.prototype.reverse = false;

            /**
             * Creates a new FaultPair instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FaultPair
             * @static
             * @param {vpcemu.v1.IFaultPair=} [properties] Properties to set
             * @returns {vpcemu.v1.FaultPair} FaultPair instance
             */
            FaultPair.create = function create(properties) {
                return new FaultPair(properties);
            };

            /**
             * Encodes the specified FaultPair message. Does not implicitly {@link vpcemu.v1.FaultPair.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FaultPair
             * @static
             * @param {vpcemu.v1.IFaultPair} message FaultPair message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FaultPair.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.from != null && Object.hasOwnProperty.call(message, "from"))
                    $root.vpcemu.v1.FaultEndpointSet.encode(message.from, writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.to != null && Object.hasOwnProperty.call(message, "to"))
                    $root.vpcemu.v1.FaultEndpointSet.encode(message.to, writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.reverse != null && Object.hasOwnProperty.call(message, "reverse"))
                    writer.uint32(/* id 3, wireType 0 =*/24).bool(message.reverse);
                return writer;
            };

            /**
             * Decodes a FaultPair message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FaultPair
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FaultPair} FaultPair
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FaultPair.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FaultPair();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.from = $root.vpcemu.v1.FaultEndpointSet.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 2: {
                            message.to = $root.vpcemu.v1.FaultEndpointSet.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 3: {
                            message.reverse = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FaultPair;
        })();

        /**
         * DelayDistribution enum.
         * @name vpcemu.v1.DelayDistribution
         * @enum {number}
         * @property {number} DELAY_DISTRIBUTION_UNSPECIFIED=0 DELAY_DISTRIBUTION_UNSPECIFIED value
         * @property {number} DELAY_DISTRIBUTION_UNIFORM=1 DELAY_DISTRIBUTION_UNIFORM value
         * @property {number} DELAY_DISTRIBUTION_NORMAL=2 DELAY_DISTRIBUTION_NORMAL value
         * @property {number} DELAY_DISTRIBUTION_PARETO=3 DELAY_DISTRIBUTION_PARETO value
         * @property {number} DELAY_DISTRIBUTION_PARETONORMAL=4 DELAY_DISTRIBUTION_PARETONORMAL value
         */
        v1.DelayDistribution = (function() {
            const valuesById = {}, values = Object.create(valuesById);
            values[valuesById[0] = "DELAY_DISTRIBUTION_UNSPECIFIED"] = 0;
            values[valuesById[1] = "DELAY_DISTRIBUTION_UNIFORM"] = 1;
            values[valuesById[2] = "DELAY_DISTRIBUTION_NORMAL"] = 2;
            values[valuesById[3] = "DELAY_DISTRIBUTION_PARETO"] = 3;
            values[valuesById[4] = "DELAY_DISTRIBUTION_PARETONORMAL"] = 4;
            return values;
        })();

        v1.DelayEffect = (function() {

            /**
             * Properties of a DelayEffect.
             * @memberof vpcemu.v1
             * @interface IDelayEffect
             * @property {number|null} [latencyMs] DelayEffect latencyMs
             * @property {number|null} [jitterMs] DelayEffect jitterMs
             * @property {number|null} [correlation] DelayEffect correlation
             * @property {vpcemu.v1.DelayDistribution|null} [distribution] DelayEffect distribution
             */

            /**
             * Constructs a new DelayEffect.
             * @memberof vpcemu.v1
             * @classdesc Represents a DelayEffect.
             * @implements IDelayEffect
             * @constructor
             * @param {vpcemu.v1.IDelayEffect=} [properties] Properties to set
             */
            function DelayEffect(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * DelayEffect latencyMs.
             * @member {number} latencyMs
             * @memberof vpcemu.v1.DelayEffect
             * @instance
             */
            DelayEffect.prototype.latencyMs = 0;

            /**
             * DelayEffect jitterMs.
             * @member {number} jitterMs
             * @memberof vpcemu.v1.DelayEffect
             * @instance
             */
            DelayEffect.prototype.jitterMs = 0;

            /**
             * DelayEffect correlation.
             * @member {number} correlation
             * @memberof vpcemu.v1.DelayEffect
             * @instance
             */
            DelayEffect.prototype.correlation = 0;

            /**
             * DelayEffect distribution.
             * @member {vpcemu.v1.DelayDistribution} distribution
             * @memberof vpcemu.v1.DelayEffect
             * @instance
             */
            DelayEffect.prototype.distribution = 0;

            /**
             * Creates a new DelayEffect instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.DelayEffect
             * @static
             * @param {vpcemu.v1.IDelayEffect=} [properties] Properties to set
             * @returns {vpcemu.v1.DelayEffect} DelayEffect instance
             */
            DelayEffect.create = function create(properties) {
                return new DelayEffect(properties);
            };

            /**
             * Encodes the specified DelayEffect message. Does not implicitly {@link vpcemu.v1.DelayEffect.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.DelayEffect
             * @static
             * @param {vpcemu.v1.IDelayEffect} message DelayEffect message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            DelayEffect.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.latencyMs != null && Object.hasOwnProperty.call(message, "latencyMs"))
                    writer.uint32(/* id 1, wireType 1 =*/9).double(message.latencyMs);
                if (message.jitterMs != null && Object.hasOwnProperty.call(message, "jitterMs"))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.jitterMs);
                if (message.correlation != null && Object.hasOwnProperty.call(message, "correlation"))
                    writer.uint32(/* id 3, wireType 1 =*/25).double(message.correlation);
                if (message.distribution != null && Object.hasOwnProperty.call(message, "distribution"))
                    writer.uint32(/* id 4, wireType 0 =*/32).int32(message.distribution);
                return writer;
            };

            /**
             * Decodes a DelayEffect message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.DelayEffect
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.DelayEffect} DelayEffect
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            DelayEffect.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.DelayEffect();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.latencyMs = reader.double();
                            break;
                        }
                    case 2: {
                            message.jitterMs = reader.double();
                            break;
                        }
                    case 3: {
                            message.correlation = reader.double();
                            break;
                        }
                    case 4: {
                            message.distribution = reader.int32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return DelayEffect;
        })();

        v1.LossEffect = (function() {

            /**
             * Properties of a LossEffect.
             * @memberof vpcemu.v1
             * @interface ILossEffect
             * @property {number|null} [percent] LossEffect percent
             * @property {number|null} [correlation] LossEffect correlation
             * @property {boolean|null} [gilbertElliott] LossEffect gilbertElliott
             * @property {number|null} [geP] LossEffect geP
             * @property {number|null} [geR] LossEffect geR
             * @property {number|null} [ge_1h] LossEffect ge_1h
             * @property {number|null} [ge_1k] LossEffect ge_1k
             */

            /**
             * Constructs a new LossEffect.
             * @memberof vpcemu.v1
             * @classdesc Represents a LossEffect.
             * @implements ILossEffect
             * @constructor
             * @param {vpcemu.v1.ILossEffect=} [properties] Properties to set
             */
            function LossEffect(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * LossEffect percent.
             * @member {number} percent
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.percent = 0;

            /**
             * LossEffect correlation.
             * @member {number} correlation
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.correlation = 0;

            /**
             * LossEffect gilbertElliott.
             * @member {boolean} gilbertElliott
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.gilbertElliott = false;

            /**
             * LossEffect geP.
             * @member {number} geP
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.geP = 0;

            /**
             * LossEffect geR.
             * @member {number} geR
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.geR = 0;

            /**
             * LossEffect ge_1h.
             * @member {number} ge_1h
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.ge_1h = 0;

            /**
             * LossEffect ge_1k.
             * @member {number} ge_1k
             * @memberof vpcemu.v1.LossEffect
             * @instance
             */
            LossEffect.prototype.ge_1k = 0;

            /**
             * Creates a new LossEffect instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.LossEffect
             * @static
             * @param {vpcemu.v1.ILossEffect=} [properties] Properties to set
             * @returns {vpcemu.v1.LossEffect} LossEffect instance
             */
            LossEffect.create = function create(properties) {
                return new LossEffect(properties);
            };

            /**
             * Encodes the specified LossEffect message. Does not implicitly {@link vpcemu.v1.LossEffect.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.LossEffect
             * @static
             * @param {vpcemu.v1.ILossEffect} message LossEffect message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            LossEffect.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.percent != null && Object.hasOwnProperty.call(message, "percent"))
                    writer.uint32(/* id 1, wireType 1 =*/9).double(message.percent);
                if (message.correlation != null && Object.hasOwnProperty.call(message, "correlation"))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.correlation);
                if (message.gilbertElliott != null && Object.hasOwnProperty.call(message, "gilbertElliott"))
                    writer.uint32(/* id 3, wireType 0 =*/24).bool(message.gilbertElliott);
                if (message.geP != null && Object.hasOwnProperty.call(message, "geP"))
                    writer.uint32(/* id 4, wireType 1 =*/33).double(message.geP);
                if (message.geR != null && Object.hasOwnProperty.call(message, "geR"))
                    writer.uint32(/* id 5, wireType 1 =*/41).double(message.geR);
                if (message.ge_1h != null && Object.hasOwnProperty.call(message, "ge_1h"))
                    writer.uint32(/* id 6, wireType 1 =*/49).double(message.ge_1h);
                if (message.ge_1k != null && Object.hasOwnProperty.call(message, "ge_1k"))
                    writer.uint32(/* id 7, wireType 1 =*/57).double(message.ge_1k);
                return writer;
            };

            /**
             * Decodes a LossEffect message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.LossEffect
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.LossEffect} LossEffect
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            LossEffect.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.LossEffect();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.percent = reader.double();
                            break;
                        }
                    case 2: {
                            message.correlation = reader.double();
                            break;
                        }
                    case 3: {
                            message.gilbertElliott = reader.bool();
                            break;
                        }
                    case 4: {
                            message.geP = reader.double();
                            break;
                        }
                    case 5: {
                            message.geR = reader.double();
                            break;
                        }
                    case 6: {
                            message.ge_1h = reader.double();
                            break;
                        }
                    case 7: {
                            message.ge_1k = reader.double();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return LossEffect;
        })();

        v1.ProbabilityEffect = (function() {

            /**
             * Properties of a ProbabilityEffect.
             * @memberof vpcemu.v1
             * @interface IProbabilityEffect
             * @property {number|null} [percent] ProbabilityEffect percent
             * @property {number|null} [correlation] ProbabilityEffect correlation
             */

            /**
             * Constructs a new ProbabilityEffect.
             * @memberof vpcemu.v1
             * @classdesc Represents a ProbabilityEffect.
             * @implements IProbabilityEffect
             * @constructor
             * @param {vpcemu.v1.IProbabilityEffect=} [properties] Properties to set
             */
            function ProbabilityEffect(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ProbabilityEffect percent.
             * @member {number} percent
             * @memberof vpcemu.v1.ProbabilityEffect
             * @instance
             */
            ProbabilityEffect.prototype.percent = 0;

            /**
             * ProbabilityEffect correlation.
             * @member {number} correlation
             * @memberof vpcemu.v1.ProbabilityEffect
             * @instance
             */
            ProbabilityEffect.prototype.correlation = 0;

            /**
             * Creates a new ProbabilityEffect instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ProbabilityEffect
             * @static
             * @param {vpcemu.v1.IProbabilityEffect=} [properties] Properties to set
             * @returns {vpcemu.v1.ProbabilityEffect} ProbabilityEffect instance
             */
            ProbabilityEffect.create = function create(properties) {
                return new ProbabilityEffect(properties);
            };

            /**
             * Encodes the specified ProbabilityEffect message. Does not implicitly {@link vpcemu.v1.ProbabilityEffect.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ProbabilityEffect
             * @static
             * @param {vpcemu.v1.IProbabilityEffect} message ProbabilityEffect message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ProbabilityEffect.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.percent != null && Object.hasOwnProperty.call(message, "percent"))
                    writer.uint32(/* id 1, wireType 1 =*/9).double(message.percent);
                if (message.correlation != null && Object.hasOwnProperty.call(message, "correlation"))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.correlation);
                return writer;
            };

            /**
             * Decodes a ProbabilityEffect message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ProbabilityEffect
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ProbabilityEffect} ProbabilityEffect
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ProbabilityEffect.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ProbabilityEffect();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.percent = reader.double();
                            break;
                        }
                    case 2: {
                            message.correlation = reader.double();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ProbabilityEffect;
        })();

        v1.ReorderEffect = (function() {

            /**
             * Properties of a ReorderEffect.
             * @memberof vpcemu.v1
             * @interface IReorderEffect
             * @property {number|null} [percent] ReorderEffect percent
             * @property {number|null} [correlation] ReorderEffect correlation
             * @property {number|null} [gap] ReorderEffect gap
             */

            /**
             * Constructs a new ReorderEffect.
             * @memberof vpcemu.v1
             * @classdesc Represents a ReorderEffect.
             * @implements IReorderEffect
             * @constructor
             * @param {vpcemu.v1.IReorderEffect=} [properties] Properties to set
             */
            function ReorderEffect(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ReorderEffect percent.
             * @member {number} percent
             * @memberof vpcemu.v1.ReorderEffect
             * @instance
             */
            ReorderEffect.prototype.percent = 0;

            /**
             * ReorderEffect correlation.
             * @member {number} correlation
             * @memberof vpcemu.v1.ReorderEffect
             * @instance
             */
            ReorderEffect.prototype.correlation = 0;

            /**
             * ReorderEffect gap.
             * @member {number} gap
             * @memberof vpcemu.v1.ReorderEffect
             * @instance
             */
            ReorderEffect.prototype.gap = 0;

            /**
             * Creates a new ReorderEffect instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ReorderEffect
             * @static
             * @param {vpcemu.v1.IReorderEffect=} [properties] Properties to set
             * @returns {vpcemu.v1.ReorderEffect} ReorderEffect instance
             */
            ReorderEffect.create = function create(properties) {
                return new ReorderEffect(properties);
            };

            /**
             * Encodes the specified ReorderEffect message. Does not implicitly {@link vpcemu.v1.ReorderEffect.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ReorderEffect
             * @static
             * @param {vpcemu.v1.IReorderEffect} message ReorderEffect message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ReorderEffect.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.percent != null && Object.hasOwnProperty.call(message, "percent"))
                    writer.uint32(/* id 1, wireType 1 =*/9).double(message.percent);
                if (message.correlation != null && Object.hasOwnProperty.call(message, "correlation"))
                    writer.uint32(/* id 2, wireType 1 =*/17).double(message.correlation);
                if (message.gap != null && Object.hasOwnProperty.call(message, "gap"))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint32(message.gap);
                return writer;
            };

            /**
             * Decodes a ReorderEffect message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ReorderEffect
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ReorderEffect} ReorderEffect
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ReorderEffect.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ReorderEffect();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.percent = reader.double();
                            break;
                        }
                    case 2: {
                            message.correlation = reader.double();
                            break;
                        }
                    case 3: {
                            message.gap = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ReorderEffect;
        })();

        v1.RateEffect = (function() {

            /**
             * Properties of a RateEffect.
             * @memberof vpcemu.v1
             * @interface IRateEffect
             * @property {number|null} [bitsPerSecond] RateEffect bitsPerSecond
             * @property {number|null} [queueLimitBytes] RateEffect queueLimitBytes
             */

            /**
             * Constructs a new RateEffect.
             * @memberof vpcemu.v1
             * @classdesc Represents a RateEffect.
             * @implements IRateEffect
             * @constructor
             * @param {vpcemu.v1.IRateEffect=} [properties] Properties to set
             */
            function RateEffect(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * RateEffect bitsPerSecond.
             * @member {number} bitsPerSecond
             * @memberof vpcemu.v1.RateEffect
             * @instance
             */
            RateEffect.prototype.bitsPerSecond = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * RateEffect queueLimitBytes.
             * @member {number} queueLimitBytes
             * @memberof vpcemu.v1.RateEffect
             * @instance
             */
            RateEffect.prototype.queueLimitBytes = 0;

            /**
             * Creates a new RateEffect instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.RateEffect
             * @static
             * @param {vpcemu.v1.IRateEffect=} [properties] Properties to set
             * @returns {vpcemu.v1.RateEffect} RateEffect instance
             */
            RateEffect.create = function create(properties) {
                return new RateEffect(properties);
            };

            /**
             * Encodes the specified RateEffect message. Does not implicitly {@link vpcemu.v1.RateEffect.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.RateEffect
             * @static
             * @param {vpcemu.v1.IRateEffect} message RateEffect message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            RateEffect.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.bitsPerSecond != null && Object.hasOwnProperty.call(message, "bitsPerSecond"))
                    writer.uint32(/* id 1, wireType 0 =*/8).uint64(message.bitsPerSecond);
                if (message.queueLimitBytes != null && Object.hasOwnProperty.call(message, "queueLimitBytes"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.queueLimitBytes);
                return writer;
            };

            /**
             * Decodes a RateEffect message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.RateEffect
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.RateEffect} RateEffect
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            RateEffect.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.RateEffect();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.bitsPerSecond = reader.uint64();
                            break;
                        }
                    case 2: {
                            message.queueLimitBytes = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return RateEffect;
        })();

        v1.FaultEffects = (function() {

            /**
             * Properties of a FaultEffects.
             * @memberof vpcemu.v1
             * @interface IFaultEffects
             * @property {vpcemu.v1.IDelayEffect|null} [delay] FaultEffects delay
             * @property {vpcemu.v1.ILossEffect|null} [loss] FaultEffects loss
             * @property {vpcemu.v1.IProbabilityEffect|null} [duplicate] FaultEffects duplicate
             * @property {vpcemu.v1.IProbabilityEffect|null} [corrupt] FaultEffects corrupt
             * @property {vpcemu.v1.IReorderEffect|null} [reorder] FaultEffects reorder
             * @property {vpcemu.v1.IRateEffect|null} [rate] FaultEffects rate
             * @property {boolean|null} [blackhole] FaultEffects blackhole
             * @property {boolean|null} [reject] FaultEffects reject
             */

            /**
             * Constructs a new FaultEffects.
             * @memberof vpcemu.v1
             * @classdesc Represents a FaultEffects.
             * @implements IFaultEffects
             * @constructor
             * @param {vpcemu.v1.IFaultEffects=} [properties] Properties to set
             */
            function FaultEffects(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FaultEffects delay.
             * @member {vpcemu.v1.IDelayEffect|null|undefined} delay
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.delay = null;

            /**
             * FaultEffects loss.
             * @member {vpcemu.v1.ILossEffect|null|undefined} loss
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.loss = null;

            /**
             * FaultEffects duplicate.
             * @member {vpcemu.v1.IProbabilityEffect|null|undefined} duplicate
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.duplicate = null;

            /**
             * FaultEffects corrupt.
             * @member {vpcemu.v1.IProbabilityEffect|null|undefined} corrupt
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.corrupt = null;

            /**
             * FaultEffects reorder.
             * @member {vpcemu.v1.IReorderEffect|null|undefined} reorder
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.reorder = null;

            /**
             * FaultEffects rate.
             * @member {vpcemu.v1.IRateEffect|null|undefined} rate
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.rate = null;

            /**
             * FaultEffects blackhole.
             * @member {boolean} blackhole
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.blackhole = false;

            /**
             * FaultEffects reject.
             * @member {boolean} reject
             * @memberof vpcemu.v1.FaultEffects
             * @instance
             */
            FaultEffects.prototype.reject = false;

            // OneOf field names bound to virtual getters and setters
            let $oneOfFields;

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(FaultEffects.prototype, "_delay", {
                get: $util.oneOfGetter($oneOfFields = ["delay"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(FaultEffects.prototype, "_loss", {
                get: $util.oneOfGetter($oneOfFields = ["loss"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(FaultEffects.prototype, "_duplicate", {
                get: $util.oneOfGetter($oneOfFields = ["duplicate"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(FaultEffects.prototype, "_corrupt", {
                get: $util.oneOfGetter($oneOfFields = ["corrupt"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(FaultEffects.prototype, "_reorder", {
                get: $util.oneOfGetter($oneOfFields = ["reorder"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            // Virtual OneOf for proto3 optional field
            Object.defineProperty(FaultEffects.prototype, "_rate", {
                get: $util.oneOfGetter($oneOfFields = ["rate"]),
                set: $util.oneOfSetter($oneOfFields)
            });

            /**
             * Creates a new FaultEffects instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FaultEffects
             * @static
             * @param {vpcemu.v1.IFaultEffects=} [properties] Properties to set
             * @returns {vpcemu.v1.FaultEffects} FaultEffects instance
             */
            FaultEffects.create = function create(properties) {
                return new FaultEffects(properties);
            };

            /**
             * Encodes the specified FaultEffects message. Does not implicitly {@link vpcemu.v1.FaultEffects.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FaultEffects
             * @static
             * @param {vpcemu.v1.IFaultEffects} message FaultEffects message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FaultEffects.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.delay != null && Object.hasOwnProperty.call(message, "delay"))
                    $root.vpcemu.v1.DelayEffect.encode(message.delay, writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.loss != null && Object.hasOwnProperty.call(message, "loss"))
                    $root.vpcemu.v1.LossEffect.encode(message.loss, writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.duplicate != null && Object.hasOwnProperty.call(message, "duplicate"))
                    $root.vpcemu.v1.ProbabilityEffect.encode(message.duplicate, writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.corrupt != null && Object.hasOwnProperty.call(message, "corrupt"))
                    $root.vpcemu.v1.ProbabilityEffect.encode(message.corrupt, writer.uint32(/* id 4, wireType 2 =*/34).fork(), q + 1).ldelim();
                if (message.reorder != null && Object.hasOwnProperty.call(message, "reorder"))
                    $root.vpcemu.v1.ReorderEffect.encode(message.reorder, writer.uint32(/* id 5, wireType 2 =*/42).fork(), q + 1).ldelim();
                if (message.rate != null && Object.hasOwnProperty.call(message, "rate"))
                    $root.vpcemu.v1.RateEffect.encode(message.rate, writer.uint32(/* id 6, wireType 2 =*/50).fork(), q + 1).ldelim();
                if (message.blackhole != null && Object.hasOwnProperty.call(message, "blackhole"))
                    writer.uint32(/* id 7, wireType 0 =*/56).bool(message.blackhole);
                if (message.reject != null && Object.hasOwnProperty.call(message, "reject"))
                    writer.uint32(/* id 8, wireType 0 =*/64).bool(message.reject);
                return writer;
            };

            /**
             * Decodes a FaultEffects message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FaultEffects
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FaultEffects} FaultEffects
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FaultEffects.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FaultEffects();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.delay = $root.vpcemu.v1.DelayEffect.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 2: {
                            message.loss = $root.vpcemu.v1.LossEffect.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 3: {
                            message.duplicate = $root.vpcemu.v1.ProbabilityEffect.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 4: {
                            message.corrupt = $root.vpcemu.v1.ProbabilityEffect.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 5: {
                            message.reorder = $root.vpcemu.v1.ReorderEffect.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 6: {
                            message.rate = $root.vpcemu.v1.RateEffect.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 7: {
                            message.blackhole = reader.bool();
                            break;
                        }
                    case 8: {
                            message.reject = reader.bool();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FaultEffects;
        })();

        v1.CompiledFault = (function() {

            /**
             * Properties of a CompiledFault.
             * @memberof vpcemu.v1
             * @interface ICompiledFault
             * @property {string|null} [faultId] CompiledFault faultId
             * @property {Array.<vpcemu.v1.IFaultPair>|null} [pairs] CompiledFault pairs
             * @property {number|null} [protocol] CompiledFault protocol
             * @property {number|null} [fromPort] CompiledFault fromPort
             * @property {number|null} [toPort] CompiledFault toPort
             * @property {vpcemu.v1.IFaultEffects|null} [effects] CompiledFault effects
             * @property {number|null} [seed] CompiledFault seed
             * @property {number|null} [startAtMs] CompiledFault startAtMs
             * @property {number|null} [endAtMs] CompiledFault endAtMs
             * @property {number|null} [queueLimitPackets] CompiledFault queueLimitPackets
             */

            /**
             * Constructs a new CompiledFault.
             * @memberof vpcemu.v1
             * @classdesc Represents a CompiledFault.
             * @implements ICompiledFault
             * @constructor
             * @param {vpcemu.v1.ICompiledFault=} [properties] Properties to set
             */
            function CompiledFault(properties) {
                this.pairs = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * CompiledFault faultId.
             * @member {string} faultId
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.faultId = "";

            /**
             * CompiledFault pairs.
             * @member {Array.<vpcemu.v1.IFaultPair>} pairs
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.pairs = $util.emptyArray;

            /**
             * CompiledFault protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.protocol = 0;

            /**
             * CompiledFault fromPort.
             * @member {number} fromPort
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.fromPort = 0;

            /**
             * CompiledFault toPort.
             * @member {number} toPort
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.toPort = 0;

            /**
             * CompiledFault effects.
             * @member {vpcemu.v1.IFaultEffects|null|undefined} effects
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.effects = null;

            /**
             * CompiledFault seed.
             * @member {number} seed
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.seed = 0;

            /**
             * CompiledFault startAtMs.
             * @member {number} startAtMs
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.startAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * CompiledFault endAtMs.
             * @member {number} endAtMs
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.endAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * CompiledFault queueLimitPackets.
             * @member {number} queueLimitPackets
             * @memberof vpcemu.v1.CompiledFault
             * @instance
             */
            CompiledFault.prototype.queueLimitPackets = 0;

            /**
             * Creates a new CompiledFault instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.CompiledFault
             * @static
             * @param {vpcemu.v1.ICompiledFault=} [properties] Properties to set
             * @returns {vpcemu.v1.CompiledFault} CompiledFault instance
             */
            CompiledFault.create = function create(properties) {
                return new CompiledFault(properties);
            };

            /**
             * Encodes the specified CompiledFault message. Does not implicitly {@link vpcemu.v1.CompiledFault.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.CompiledFault
             * @static
             * @param {vpcemu.v1.ICompiledFault} message CompiledFault message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            CompiledFault.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.faultId != null && Object.hasOwnProperty.call(message, "faultId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.faultId);
                if (message.pairs != null && message.pairs.length)
                    for (let i = 0; i < message.pairs.length; ++i)
                        $root.vpcemu.v1.FaultPair.encode(message.pairs[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 3, wireType 0 =*/24).sint32(message.protocol);
                if (message.fromPort != null && Object.hasOwnProperty.call(message, "fromPort"))
                    writer.uint32(/* id 4, wireType 0 =*/32).sint32(message.fromPort);
                if (message.toPort != null && Object.hasOwnProperty.call(message, "toPort"))
                    writer.uint32(/* id 5, wireType 0 =*/40).sint32(message.toPort);
                if (message.effects != null && Object.hasOwnProperty.call(message, "effects"))
                    $root.vpcemu.v1.FaultEffects.encode(message.effects, writer.uint32(/* id 6, wireType 2 =*/50).fork(), q + 1).ldelim();
                if (message.seed != null && Object.hasOwnProperty.call(message, "seed"))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint32(message.seed);
                if (message.startAtMs != null && Object.hasOwnProperty.call(message, "startAtMs"))
                    writer.uint32(/* id 8, wireType 0 =*/64).int64(message.startAtMs);
                if (message.endAtMs != null && Object.hasOwnProperty.call(message, "endAtMs"))
                    writer.uint32(/* id 9, wireType 0 =*/72).int64(message.endAtMs);
                if (message.queueLimitPackets != null && Object.hasOwnProperty.call(message, "queueLimitPackets"))
                    writer.uint32(/* id 10, wireType 0 =*/80).uint32(message.queueLimitPackets);
                return writer;
            };

            /**
             * Decodes a CompiledFault message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.CompiledFault
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.CompiledFault} CompiledFault
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            CompiledFault.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.CompiledFault();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.faultId = reader.string();
                            break;
                        }
                    case 2: {
                            if (!(message.pairs && message.pairs.length))
                                message.pairs = [];
                            message.pairs.push($root.vpcemu.v1.FaultPair.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 3: {
                            message.protocol = reader.sint32();
                            break;
                        }
                    case 4: {
                            message.fromPort = reader.sint32();
                            break;
                        }
                    case 5: {
                            message.toPort = reader.sint32();
                            break;
                        }
                    case 6: {
                            message.effects = $root.vpcemu.v1.FaultEffects.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 7: {
                            message.seed = reader.uint32();
                            break;
                        }
                    case 8: {
                            message.startAtMs = reader.int64();
                            break;
                        }
                    case 9: {
                            message.endAtMs = reader.int64();
                            break;
                        }
                    case 10: {
                            message.queueLimitPackets = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return CompiledFault;
        })();

        v1.FaultCounters = (function() {

            /**
             * Properties of a FaultCounters.
             * @memberof vpcemu.v1
             * @interface IFaultCounters
             * @property {string|null} [faultId] FaultCounters faultId
             * @property {number|null} [matched] FaultCounters matched
             * @property {number|null} [delayed] FaultCounters delayed
             * @property {number|null} [dropped] FaultCounters dropped
             * @property {number|null} [duplicated] FaultCounters duplicated
             * @property {number|null} [corrupted] FaultCounters corrupted
             * @property {number|null} [reordered] FaultCounters reordered
             * @property {number|null} [rejected] FaultCounters rejected
             * @property {number|null} [queueOverflow] FaultCounters queueOverflow
             * @property {number|null} [rateLimited] FaultCounters rateLimited
             */

            /**
             * Constructs a new FaultCounters.
             * @memberof vpcemu.v1
             * @classdesc Represents a FaultCounters.
             * @implements IFaultCounters
             * @constructor
             * @param {vpcemu.v1.IFaultCounters=} [properties] Properties to set
             */
            function FaultCounters(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FaultCounters faultId.
             * @member {string} faultId
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.faultId = "";

            /**
             * FaultCounters matched.
             * @member {number} matched
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.matched = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters delayed.
             * @member {number} delayed
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.delayed = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters dropped.
             * @member {number} dropped
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.dropped = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters duplicated.
             * @member {number} duplicated
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.duplicated = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters corrupted.
             * @member {number} corrupted
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.corrupted = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters reordered.
             * @member {number} reordered
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.reordered = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters rejected.
             * @member {number} rejected
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.rejected = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters queueOverflow.
             * @member {number} queueOverflow
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.queueOverflow = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * FaultCounters rateLimited.
             * @member {number} rateLimited
             * @memberof vpcemu.v1.FaultCounters
             * @instance
             */
            FaultCounters.prototype.rateLimited = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new FaultCounters instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FaultCounters
             * @static
             * @param {vpcemu.v1.IFaultCounters=} [properties] Properties to set
             * @returns {vpcemu.v1.FaultCounters} FaultCounters instance
             */
            FaultCounters.create = function create(properties) {
                return new FaultCounters(properties);
            };

            /**
             * Encodes the specified FaultCounters message. Does not implicitly {@link vpcemu.v1.FaultCounters.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FaultCounters
             * @static
             * @param {vpcemu.v1.IFaultCounters} message FaultCounters message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FaultCounters.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.faultId != null && Object.hasOwnProperty.call(message, "faultId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.faultId);
                if (message.matched != null && Object.hasOwnProperty.call(message, "matched"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.matched);
                if (message.delayed != null && Object.hasOwnProperty.call(message, "delayed"))
                    writer.uint32(/* id 3, wireType 0 =*/24).uint64(message.delayed);
                if (message.dropped != null && Object.hasOwnProperty.call(message, "dropped"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.dropped);
                if (message.duplicated != null && Object.hasOwnProperty.call(message, "duplicated"))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.duplicated);
                if (message.corrupted != null && Object.hasOwnProperty.call(message, "corrupted"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint64(message.corrupted);
                if (message.reordered != null && Object.hasOwnProperty.call(message, "reordered"))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.reordered);
                if (message.rejected != null && Object.hasOwnProperty.call(message, "rejected"))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.rejected);
                if (message.queueOverflow != null && Object.hasOwnProperty.call(message, "queueOverflow"))
                    writer.uint32(/* id 9, wireType 0 =*/72).uint64(message.queueOverflow);
                if (message.rateLimited != null && Object.hasOwnProperty.call(message, "rateLimited"))
                    writer.uint32(/* id 10, wireType 0 =*/80).uint64(message.rateLimited);
                return writer;
            };

            /**
             * Decodes a FaultCounters message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FaultCounters
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FaultCounters} FaultCounters
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FaultCounters.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FaultCounters();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.faultId = reader.string();
                            break;
                        }
                    case 2: {
                            message.matched = reader.uint64();
                            break;
                        }
                    case 3: {
                            message.delayed = reader.uint64();
                            break;
                        }
                    case 4: {
                            message.dropped = reader.uint64();
                            break;
                        }
                    case 5: {
                            message.duplicated = reader.uint64();
                            break;
                        }
                    case 6: {
                            message.corrupted = reader.uint64();
                            break;
                        }
                    case 7: {
                            message.reordered = reader.uint64();
                            break;
                        }
                    case 8: {
                            message.rejected = reader.uint64();
                            break;
                        }
                    case 9: {
                            message.queueOverflow = reader.uint64();
                            break;
                        }
                    case 10: {
                            message.rateLimited = reader.uint64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FaultCounters;
        })();

        v1.FlowTuple = (function() {

            /**
             * Properties of a FlowTuple.
             * @memberof vpcemu.v1
             * @interface IFlowTuple
             * @property {string|null} [src] FlowTuple src
             * @property {number|null} [srcPort] FlowTuple srcPort
             * @property {string|null} [dst] FlowTuple dst
             * @property {number|null} [dstPort] FlowTuple dstPort
             */

            /**
             * Constructs a new FlowTuple.
             * @memberof vpcemu.v1
             * @classdesc Represents a FlowTuple.
             * @implements IFlowTuple
             * @constructor
             * @param {vpcemu.v1.IFlowTuple=} [properties] Properties to set
             */
            function FlowTuple(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FlowTuple src.
             * @member {string} src
             * @memberof vpcemu.v1.FlowTuple
             * @instance
             */
            FlowTuple.prototype.src = "";

            /**
             * FlowTuple srcPort.
             * @member {number} srcPort
             * @memberof vpcemu.v1.FlowTuple
             * @instance
             */
            FlowTuple.prototype.srcPort = 0;

            /**
             * FlowTuple dst.
             * @member {string} dst
             * @memberof vpcemu.v1.FlowTuple
             * @instance
             */
            FlowTuple.prototype.dst = "";

            /**
             * FlowTuple dstPort.
             * @member {number} dstPort
             * @memberof vpcemu.v1.FlowTuple
             * @instance
             */
            FlowTuple.prototype.dstPort = 0;

            /**
             * Creates a new FlowTuple instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FlowTuple
             * @static
             * @param {vpcemu.v1.IFlowTuple=} [properties] Properties to set
             * @returns {vpcemu.v1.FlowTuple} FlowTuple instance
             */
            FlowTuple.create = function create(properties) {
                return new FlowTuple(properties);
            };

            /**
             * Encodes the specified FlowTuple message. Does not implicitly {@link vpcemu.v1.FlowTuple.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FlowTuple
             * @static
             * @param {vpcemu.v1.IFlowTuple} message FlowTuple message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FlowTuple.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.src != null && Object.hasOwnProperty.call(message, "src"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.src);
                if (message.srcPort != null && Object.hasOwnProperty.call(message, "srcPort"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint32(message.srcPort);
                if (message.dst != null && Object.hasOwnProperty.call(message, "dst"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.dst);
                if (message.dstPort != null && Object.hasOwnProperty.call(message, "dstPort"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.dstPort);
                return writer;
            };

            /**
             * Decodes a FlowTuple message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FlowTuple
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FlowTuple} FlowTuple
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FlowTuple.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FlowTuple();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.src = reader.string();
                            break;
                        }
                    case 2: {
                            message.srcPort = reader.uint32();
                            break;
                        }
                    case 3: {
                            message.dst = reader.string();
                            break;
                        }
                    case 4: {
                            message.dstPort = reader.uint32();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FlowTuple;
        })();

        v1.ConntrackEntry = (function() {

            /**
             * Properties of a ConntrackEntry.
             * @memberof vpcemu.v1
             * @interface IConntrackEntry
             * @property {number|null} [protocol] ConntrackEntry protocol
             * @property {vpcemu.v1.IFlowTuple|null} [original] ConntrackEntry original
             * @property {vpcemu.v1.IFlowTuple|null} [reply] ConntrackEntry reply
             * @property {string|null} [state] ConntrackEntry state
             * @property {number|null} [expiresAtMs] ConntrackEntry expiresAtMs
             * @property {number|null} [packetsOriginal] ConntrackEntry packetsOriginal
             * @property {number|null} [bytesOriginal] ConntrackEntry bytesOriginal
             * @property {number|null} [packetsReply] ConntrackEntry packetsReply
             * @property {number|null} [bytesReply] ConntrackEntry bytesReply
             * @property {string|null} [ruleId] ConntrackEntry ruleId
             * @property {string|null} [direction] ConntrackEntry direction
             */

            /**
             * Constructs a new ConntrackEntry.
             * @memberof vpcemu.v1
             * @classdesc Represents a ConntrackEntry.
             * @implements IConntrackEntry
             * @constructor
             * @param {vpcemu.v1.IConntrackEntry=} [properties] Properties to set
             */
            function ConntrackEntry(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ConntrackEntry protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.protocol = 0;

            /**
             * ConntrackEntry original.
             * @member {vpcemu.v1.IFlowTuple|null|undefined} original
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.original = null;

            /**
             * ConntrackEntry reply.
             * @member {vpcemu.v1.IFlowTuple|null|undefined} reply
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.reply = null;

            /**
             * ConntrackEntry state.
             * @member {string} state
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.state = "";

            /**
             * ConntrackEntry expiresAtMs.
             * @member {number} expiresAtMs
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.expiresAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ConntrackEntry packetsOriginal.
             * @member {number} packetsOriginal
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.packetsOriginal = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * ConntrackEntry bytesOriginal.
             * @member {number} bytesOriginal
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.bytesOriginal = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * ConntrackEntry packetsReply.
             * @member {number} packetsReply
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.packetsReply = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * ConntrackEntry bytesReply.
             * @member {number} bytesReply
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.bytesReply = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * ConntrackEntry ruleId.
             * @member {string} ruleId
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.ruleId = "";

            /**
             * ConntrackEntry direction.
             * @member {string} direction
             * @memberof vpcemu.v1.ConntrackEntry
             * @instance
             */
            ConntrackEntry.prototype.direction = "";

            /**
             * Creates a new ConntrackEntry instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ConntrackEntry
             * @static
             * @param {vpcemu.v1.IConntrackEntry=} [properties] Properties to set
             * @returns {vpcemu.v1.ConntrackEntry} ConntrackEntry instance
             */
            ConntrackEntry.create = function create(properties) {
                return new ConntrackEntry(properties);
            };

            /**
             * Encodes the specified ConntrackEntry message. Does not implicitly {@link vpcemu.v1.ConntrackEntry.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ConntrackEntry
             * @static
             * @param {vpcemu.v1.IConntrackEntry} message ConntrackEntry message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ConntrackEntry.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 1, wireType 0 =*/8).sint32(message.protocol);
                if (message.original != null && Object.hasOwnProperty.call(message, "original"))
                    $root.vpcemu.v1.FlowTuple.encode(message.original, writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.reply != null && Object.hasOwnProperty.call(message, "reply"))
                    $root.vpcemu.v1.FlowTuple.encode(message.reply, writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                if (message.state != null && Object.hasOwnProperty.call(message, "state"))
                    writer.uint32(/* id 4, wireType 2 =*/34).string(message.state);
                if (message.expiresAtMs != null && Object.hasOwnProperty.call(message, "expiresAtMs"))
                    writer.uint32(/* id 5, wireType 0 =*/40).int64(message.expiresAtMs);
                if (message.packetsOriginal != null && Object.hasOwnProperty.call(message, "packetsOriginal"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint64(message.packetsOriginal);
                if (message.bytesOriginal != null && Object.hasOwnProperty.call(message, "bytesOriginal"))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.bytesOriginal);
                if (message.packetsReply != null && Object.hasOwnProperty.call(message, "packetsReply"))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.packetsReply);
                if (message.bytesReply != null && Object.hasOwnProperty.call(message, "bytesReply"))
                    writer.uint32(/* id 9, wireType 0 =*/72).uint64(message.bytesReply);
                if (message.ruleId != null && Object.hasOwnProperty.call(message, "ruleId"))
                    writer.uint32(/* id 10, wireType 2 =*/82).string(message.ruleId);
                if (message.direction != null && Object.hasOwnProperty.call(message, "direction"))
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.direction);
                return writer;
            };

            /**
             * Decodes a ConntrackEntry message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ConntrackEntry
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ConntrackEntry} ConntrackEntry
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ConntrackEntry.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ConntrackEntry();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.protocol = reader.sint32();
                            break;
                        }
                    case 2: {
                            message.original = $root.vpcemu.v1.FlowTuple.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 3: {
                            message.reply = $root.vpcemu.v1.FlowTuple.decode(reader, reader.uint32(), undefined, long + 1);
                            break;
                        }
                    case 4: {
                            message.state = reader.string();
                            break;
                        }
                    case 5: {
                            message.expiresAtMs = reader.int64();
                            break;
                        }
                    case 6: {
                            message.packetsOriginal = reader.uint64();
                            break;
                        }
                    case 7: {
                            message.bytesOriginal = reader.uint64();
                            break;
                        }
                    case 8: {
                            message.packetsReply = reader.uint64();
                            break;
                        }
                    case 9: {
                            message.bytesReply = reader.uint64();
                            break;
                        }
                    case 10: {
                            message.ruleId = reader.string();
                            break;
                        }
                    case 11: {
                            message.direction = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ConntrackEntry;
        })();

        v1.EniConntrack = (function() {

            /**
             * Properties of an EniConntrack.
             * @memberof vpcemu.v1
             * @interface IEniConntrack
             * @property {string|null} [eniId] EniConntrack eniId
             * @property {string|null} [instanceId] EniConntrack instanceId
             * @property {Array.<vpcemu.v1.IConntrackEntry>|null} [entries] EniConntrack entries
             */

            /**
             * Constructs a new EniConntrack.
             * @memberof vpcemu.v1
             * @classdesc Represents an EniConntrack.
             * @implements IEniConntrack
             * @constructor
             * @param {vpcemu.v1.IEniConntrack=} [properties] Properties to set
             */
            function EniConntrack(properties) {
                this.entries = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * EniConntrack eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.EniConntrack
             * @instance
             */
            EniConntrack.prototype.eniId = "";

            /**
             * EniConntrack instanceId.
             * @member {string} instanceId
             * @memberof vpcemu.v1.EniConntrack
             * @instance
             */
            EniConntrack.prototype.instanceId = "";

            /**
             * EniConntrack entries.
             * @member {Array.<vpcemu.v1.IConntrackEntry>} entries
             * @memberof vpcemu.v1.EniConntrack
             * @instance
             */
            EniConntrack.prototype.entries = $util.emptyArray;

            /**
             * Creates a new EniConntrack instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.EniConntrack
             * @static
             * @param {vpcemu.v1.IEniConntrack=} [properties] Properties to set
             * @returns {vpcemu.v1.EniConntrack} EniConntrack instance
             */
            EniConntrack.create = function create(properties) {
                return new EniConntrack(properties);
            };

            /**
             * Encodes the specified EniConntrack message. Does not implicitly {@link vpcemu.v1.EniConntrack.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.EniConntrack
             * @static
             * @param {vpcemu.v1.IEniConntrack} message EniConntrack message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            EniConntrack.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.eniId);
                if (message.instanceId != null && Object.hasOwnProperty.call(message, "instanceId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.instanceId);
                if (message.entries != null && message.entries.length)
                    for (let i = 0; i < message.entries.length; ++i)
                        $root.vpcemu.v1.ConntrackEntry.encode(message.entries[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes an EniConntrack message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.EniConntrack
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.EniConntrack} EniConntrack
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            EniConntrack.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.EniConntrack();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 2: {
                            message.instanceId = reader.string();
                            break;
                        }
                    case 3: {
                            if (!(message.entries && message.entries.length))
                                message.entries = [];
                            message.entries.push($root.vpcemu.v1.ConntrackEntry.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return EniConntrack;
        })();

        v1.ConntrackReport = (function() {

            /**
             * Properties of a ConntrackReport.
             * @memberof vpcemu.v1
             * @interface IConntrackReport
             * @property {string|null} [requestId] ConntrackReport requestId
             * @property {number|null} [takenAtMs] ConntrackReport takenAtMs
             * @property {Array.<vpcemu.v1.IEniConntrack>|null} [enis] ConntrackReport enis
             */

            /**
             * Constructs a new ConntrackReport.
             * @memberof vpcemu.v1
             * @classdesc Represents a ConntrackReport.
             * @implements IConntrackReport
             * @constructor
             * @param {vpcemu.v1.IConntrackReport=} [properties] Properties to set
             */
            function ConntrackReport(properties) {
                this.enis = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ConntrackReport requestId.
             * @member {string} requestId
             * @memberof vpcemu.v1.ConntrackReport
             * @instance
             */
            ConntrackReport.prototype.requestId = "";

            /**
             * ConntrackReport takenAtMs.
             * @member {number} takenAtMs
             * @memberof vpcemu.v1.ConntrackReport
             * @instance
             */
            ConntrackReport.prototype.takenAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * ConntrackReport enis.
             * @member {Array.<vpcemu.v1.IEniConntrack>} enis
             * @memberof vpcemu.v1.ConntrackReport
             * @instance
             */
            ConntrackReport.prototype.enis = $util.emptyArray;

            /**
             * Creates a new ConntrackReport instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ConntrackReport
             * @static
             * @param {vpcemu.v1.IConntrackReport=} [properties] Properties to set
             * @returns {vpcemu.v1.ConntrackReport} ConntrackReport instance
             */
            ConntrackReport.create = function create(properties) {
                return new ConntrackReport(properties);
            };

            /**
             * Encodes the specified ConntrackReport message. Does not implicitly {@link vpcemu.v1.ConntrackReport.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ConntrackReport
             * @static
             * @param {vpcemu.v1.IConntrackReport} message ConntrackReport message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ConntrackReport.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.requestId);
                if (message.takenAtMs != null && Object.hasOwnProperty.call(message, "takenAtMs"))
                    writer.uint32(/* id 2, wireType 0 =*/16).int64(message.takenAtMs);
                if (message.enis != null && message.enis.length)
                    for (let i = 0; i < message.enis.length; ++i)
                        $root.vpcemu.v1.EniConntrack.encode(message.enis[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a ConntrackReport message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ConntrackReport
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ConntrackReport} ConntrackReport
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ConntrackReport.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ConntrackReport();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.requestId = reader.string();
                            break;
                        }
                    case 2: {
                            message.takenAtMs = reader.int64();
                            break;
                        }
                    case 3: {
                            if (!(message.enis && message.enis.length))
                                message.enis = [];
                            message.enis.push($root.vpcemu.v1.EniConntrack.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ConntrackReport;
        })();

        v1.ConntrackRequest = (function() {

            /**
             * Properties of a ConntrackRequest.
             * @memberof vpcemu.v1
             * @interface IConntrackRequest
             * @property {string|null} [requestId] ConntrackRequest requestId
             * @property {Array.<string>|null} [eniIds] ConntrackRequest eniIds
             */

            /**
             * Constructs a new ConntrackRequest.
             * @memberof vpcemu.v1
             * @classdesc Represents a ConntrackRequest.
             * @implements IConntrackRequest
             * @constructor
             * @param {vpcemu.v1.IConntrackRequest=} [properties] Properties to set
             */
            function ConntrackRequest(properties) {
                this.eniIds = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * ConntrackRequest requestId.
             * @member {string} requestId
             * @memberof vpcemu.v1.ConntrackRequest
             * @instance
             */
            ConntrackRequest.prototype.requestId = "";

            /**
             * ConntrackRequest eniIds.
             * @member {Array.<string>} eniIds
             * @memberof vpcemu.v1.ConntrackRequest
             * @instance
             */
            ConntrackRequest.prototype.eniIds = $util.emptyArray;

            /**
             * Creates a new ConntrackRequest instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.ConntrackRequest
             * @static
             * @param {vpcemu.v1.IConntrackRequest=} [properties] Properties to set
             * @returns {vpcemu.v1.ConntrackRequest} ConntrackRequest instance
             */
            ConntrackRequest.create = function create(properties) {
                return new ConntrackRequest(properties);
            };

            /**
             * Encodes the specified ConntrackRequest message. Does not implicitly {@link vpcemu.v1.ConntrackRequest.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.ConntrackRequest
             * @static
             * @param {vpcemu.v1.IConntrackRequest} message ConntrackRequest message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            ConntrackRequest.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.requestId != null && Object.hasOwnProperty.call(message, "requestId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.requestId);
                if (message.eniIds != null && message.eniIds.length)
                    for (let i = 0; i < message.eniIds.length; ++i)
                        writer.uint32(/* id 2, wireType 2 =*/18).string(message.eniIds[i]);
                return writer;
            };

            /**
             * Decodes a ConntrackRequest message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.ConntrackRequest
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.ConntrackRequest} ConntrackRequest
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            ConntrackRequest.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.ConntrackRequest();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.requestId = reader.string();
                            break;
                        }
                    case 2: {
                            if (!(message.eniIds && message.eniIds.length))
                                message.eniIds = [];
                            message.eniIds.push(reader.string());
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return ConntrackRequest;
        })();

        v1.EniCounters = (function() {

            /**
             * Properties of an EniCounters.
             * @memberof vpcemu.v1
             * @interface IEniCounters
             * @property {string|null} [eniId] EniCounters eniId
             * @property {string|null} [instanceId] EniCounters instanceId
             * @property {Object.<string,number>|null} [drops] EniCounters drops
             * @property {number|null} [conntrackAllowanceExceeded] EniCounters conntrackAllowanceExceeded
             * @property {number|null} [conntrackAllowanceAvailable] EniCounters conntrackAllowanceAvailable
             * @property {number|null} [bwInAllowanceExceeded] EniCounters bwInAllowanceExceeded
             * @property {number|null} [bwOutAllowanceExceeded] EniCounters bwOutAllowanceExceeded
             * @property {number|null} [ppsAllowanceExceeded] EniCounters ppsAllowanceExceeded
             * @property {number|null} [linklocalAllowanceExceeded] EniCounters linklocalAllowanceExceeded
             * @property {number|null} [packetsAccepted] EniCounters packetsAccepted
             * @property {number|null} [auditWouldBlock] EniCounters auditWouldBlock
             * @property {number|null} [auditWouldAllow] EniCounters auditWouldAllow
             */

            /**
             * Constructs a new EniCounters.
             * @memberof vpcemu.v1
             * @classdesc Represents an EniCounters.
             * @implements IEniCounters
             * @constructor
             * @param {vpcemu.v1.IEniCounters=} [properties] Properties to set
             */
            function EniCounters(properties) {
                this.drops = {};
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * EniCounters eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.eniId = "";

            /**
             * EniCounters instanceId.
             * @member {string} instanceId
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.instanceId = "";

            /**
             * EniCounters drops.
             * @member {Object.<string,number>} drops
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.drops = $util.emptyObject;

            /**
             * EniCounters conntrackAllowanceExceeded.
             * @member {number} conntrackAllowanceExceeded
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.conntrackAllowanceExceeded = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters conntrackAllowanceAvailable.
             * @member {number} conntrackAllowanceAvailable
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.conntrackAllowanceAvailable = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters bwInAllowanceExceeded.
             * @member {number} bwInAllowanceExceeded
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.bwInAllowanceExceeded = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters bwOutAllowanceExceeded.
             * @member {number} bwOutAllowanceExceeded
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.bwOutAllowanceExceeded = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters ppsAllowanceExceeded.
             * @member {number} ppsAllowanceExceeded
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.ppsAllowanceExceeded = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters linklocalAllowanceExceeded.
             * @member {number} linklocalAllowanceExceeded
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.linklocalAllowanceExceeded = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters packetsAccepted.
             * @member {number} packetsAccepted
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.packetsAccepted = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters auditWouldBlock.
             * @member {number} auditWouldBlock
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.auditWouldBlock = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * EniCounters auditWouldAllow.
             * @member {number} auditWouldAllow
             * @memberof vpcemu.v1.EniCounters
             * @instance
             */
            EniCounters.prototype.auditWouldAllow = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new EniCounters instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.EniCounters
             * @static
             * @param {vpcemu.v1.IEniCounters=} [properties] Properties to set
             * @returns {vpcemu.v1.EniCounters} EniCounters instance
             */
            EniCounters.create = function create(properties) {
                return new EniCounters(properties);
            };

            /**
             * Encodes the specified EniCounters message. Does not implicitly {@link vpcemu.v1.EniCounters.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.EniCounters
             * @static
             * @param {vpcemu.v1.IEniCounters} message EniCounters message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            EniCounters.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.eniId);
                if (message.instanceId != null && Object.hasOwnProperty.call(message, "instanceId"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.instanceId);
                if (message.drops != null && Object.hasOwnProperty.call(message, "drops"))
                    for (let keys = Object.keys(message.drops), i = 0; i < keys.length; ++i)
                        writer.uint32(/* id 3, wireType 2 =*/26).fork().uint32(/* id 1, wireType 2 =*/10).string(keys[i]).uint32(/* id 2, wireType 0 =*/16).uint64(message.drops[keys[i]]).ldelim();
                if (message.conntrackAllowanceExceeded != null && Object.hasOwnProperty.call(message, "conntrackAllowanceExceeded"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint64(message.conntrackAllowanceExceeded);
                if (message.conntrackAllowanceAvailable != null && Object.hasOwnProperty.call(message, "conntrackAllowanceAvailable"))
                    writer.uint32(/* id 5, wireType 0 =*/40).uint64(message.conntrackAllowanceAvailable);
                if (message.bwInAllowanceExceeded != null && Object.hasOwnProperty.call(message, "bwInAllowanceExceeded"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint64(message.bwInAllowanceExceeded);
                if (message.bwOutAllowanceExceeded != null && Object.hasOwnProperty.call(message, "bwOutAllowanceExceeded"))
                    writer.uint32(/* id 7, wireType 0 =*/56).uint64(message.bwOutAllowanceExceeded);
                if (message.ppsAllowanceExceeded != null && Object.hasOwnProperty.call(message, "ppsAllowanceExceeded"))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint64(message.ppsAllowanceExceeded);
                if (message.linklocalAllowanceExceeded != null && Object.hasOwnProperty.call(message, "linklocalAllowanceExceeded"))
                    writer.uint32(/* id 9, wireType 0 =*/72).uint64(message.linklocalAllowanceExceeded);
                if (message.packetsAccepted != null && Object.hasOwnProperty.call(message, "packetsAccepted"))
                    writer.uint32(/* id 10, wireType 0 =*/80).uint64(message.packetsAccepted);
                if (message.auditWouldBlock != null && Object.hasOwnProperty.call(message, "auditWouldBlock"))
                    writer.uint32(/* id 40, wireType 0 =*/320).uint64(message.auditWouldBlock);
                if (message.auditWouldAllow != null && Object.hasOwnProperty.call(message, "auditWouldAllow"))
                    writer.uint32(/* id 41, wireType 0 =*/328).uint64(message.auditWouldAllow);
                return writer;
            };

            /**
             * Decodes an EniCounters message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.EniCounters
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.EniCounters} EniCounters
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            EniCounters.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message, key, value;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.EniCounters();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 2: {
                            message.instanceId = reader.string();
                            break;
                        }
                    case 3: {
                            if (message.drops === $util.emptyObject)
                                message.drops = {};
                            let end2 = reader.uint32() + reader.pos;
                            if (end2 > reader.len)
                                throw RangeError("index out of range");
                            reader.len = end2;
                            key = "";
                            value = 0;
                            while (reader.pos < end2) {
                                let tag2 = reader.uint32();
                                switch (tag2 >>> 3) {
                                case 1:
                                    key = reader.string();
                                    break;
                                case 2:
                                    value = reader.uint64();
                                    break;
                                default:
                                    reader.skipType(tag2 & 7, long);
                                    break;
                                }
                            }
                            if (reader.pos !== end2)
                                throw RangeError("index out of range");
                            reader.len = end;
                            if (key === "__proto__")
                                $util.makeProp(message.drops, key);
                            message.drops[key] = value;
                            break;
                        }
                    case 4: {
                            message.conntrackAllowanceExceeded = reader.uint64();
                            break;
                        }
                    case 5: {
                            message.conntrackAllowanceAvailable = reader.uint64();
                            break;
                        }
                    case 6: {
                            message.bwInAllowanceExceeded = reader.uint64();
                            break;
                        }
                    case 7: {
                            message.bwOutAllowanceExceeded = reader.uint64();
                            break;
                        }
                    case 8: {
                            message.ppsAllowanceExceeded = reader.uint64();
                            break;
                        }
                    case 9: {
                            message.linklocalAllowanceExceeded = reader.uint64();
                            break;
                        }
                    case 10: {
                            message.packetsAccepted = reader.uint64();
                            break;
                        }
                    case 40: {
                            message.auditWouldBlock = reader.uint64();
                            break;
                        }
                    case 41: {
                            message.auditWouldAllow = reader.uint64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return EniCounters;
        })();

        v1.Counters = (function() {

            /**
             * Properties of a Counters.
             * @memberof vpcemu.v1
             * @interface ICounters
             * @property {number|null} [takenAtMs] Counters takenAtMs
             * @property {Array.<vpcemu.v1.IEniCounters>|null} [enis] Counters enis
             * @property {Array.<vpcemu.v1.IFaultCounters>|null} [faults] Counters faults
             */

            /**
             * Constructs a new Counters.
             * @memberof vpcemu.v1
             * @classdesc Represents a Counters.
             * @implements ICounters
             * @constructor
             * @param {vpcemu.v1.ICounters=} [properties] Properties to set
             */
            function Counters(properties) {
                this.enis = [];
                this.faults = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * Counters takenAtMs.
             * @member {number} takenAtMs
             * @memberof vpcemu.v1.Counters
             * @instance
             */
            Counters.prototype.takenAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Counters enis.
             * @member {Array.<vpcemu.v1.IEniCounters>} enis
             * @memberof vpcemu.v1.Counters
             * @instance
             */
            Counters.prototype.enis = $util.emptyArray;

            /**
             * Counters faults.
             * @member {Array.<vpcemu.v1.IFaultCounters>} faults
             * @memberof vpcemu.v1.Counters
             * @instance
             */
            Counters.prototype.faults = $util.emptyArray;

            /**
             * Creates a new Counters instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.Counters
             * @static
             * @param {vpcemu.v1.ICounters=} [properties] Properties to set
             * @returns {vpcemu.v1.Counters} Counters instance
             */
            Counters.create = function create(properties) {
                return new Counters(properties);
            };

            /**
             * Encodes the specified Counters message. Does not implicitly {@link vpcemu.v1.Counters.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.Counters
             * @static
             * @param {vpcemu.v1.ICounters} message Counters message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            Counters.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.takenAtMs != null && Object.hasOwnProperty.call(message, "takenAtMs"))
                    writer.uint32(/* id 1, wireType 0 =*/8).int64(message.takenAtMs);
                if (message.enis != null && message.enis.length)
                    for (let i = 0; i < message.enis.length; ++i)
                        $root.vpcemu.v1.EniCounters.encode(message.enis[i], writer.uint32(/* id 2, wireType 2 =*/18).fork(), q + 1).ldelim();
                if (message.faults != null && message.faults.length)
                    for (let i = 0; i < message.faults.length; ++i)
                        $root.vpcemu.v1.FaultCounters.encode(message.faults[i], writer.uint32(/* id 3, wireType 2 =*/26).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a Counters message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.Counters
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.Counters} Counters
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            Counters.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.Counters();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.takenAtMs = reader.int64();
                            break;
                        }
                    case 2: {
                            if (!(message.enis && message.enis.length))
                                message.enis = [];
                            message.enis.push($root.vpcemu.v1.EniCounters.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 3: {
                            if (!(message.faults && message.faults.length))
                                message.faults = [];
                            message.faults.push($root.vpcemu.v1.FaultCounters.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return Counters;
        })();

        v1.FlowLogRecord = (function() {

            /**
             * Properties of a FlowLogRecord.
             * @memberof vpcemu.v1
             * @interface IFlowLogRecord
             * @property {string|null} [eniId] FlowLogRecord eniId
             * @property {string|null} [line] FlowLogRecord line
             * @property {string|null} [flowDirection] FlowLogRecord flowDirection
             * @property {number|null} [tcpFlags] FlowLogRecord tcpFlags
             * @property {string|null} [pktSrcaddr] FlowLogRecord pktSrcaddr
             * @property {string|null} [pktDstaddr] FlowLogRecord pktDstaddr
             * @property {string|null} [sgRuleId] FlowLogRecord sgRuleId
             * @property {number|null} [naclRuleNumber] FlowLogRecord naclRuleNumber
             * @property {string|null} [dropReason] FlowLogRecord dropReason
             */

            /**
             * Constructs a new FlowLogRecord.
             * @memberof vpcemu.v1
             * @classdesc Represents a FlowLogRecord.
             * @implements IFlowLogRecord
             * @constructor
             * @param {vpcemu.v1.IFlowLogRecord=} [properties] Properties to set
             */
            function FlowLogRecord(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FlowLogRecord eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.eniId = "";

            /**
             * FlowLogRecord line.
             * @member {string} line
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.line = "";

            /**
             * FlowLogRecord flowDirection.
             * @member {string} flowDirection
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.flowDirection = "";

            /**
             * FlowLogRecord tcpFlags.
             * @member {number} tcpFlags
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.tcpFlags = 0;

            /**
             * FlowLogRecord pktSrcaddr.
             * @member {string} pktSrcaddr
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.pktSrcaddr = "";

            /**
             * FlowLogRecord pktDstaddr.
             * @member {string} pktDstaddr
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.pktDstaddr = "";

            /**
             * FlowLogRecord sgRuleId.
             * @member {string} sgRuleId
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.sgRuleId = "";

            /**
             * FlowLogRecord naclRuleNumber.
             * @member {number} naclRuleNumber
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.naclRuleNumber = 0;

            /**
             * FlowLogRecord dropReason.
             * @member {string} dropReason
             * @memberof vpcemu.v1.FlowLogRecord
             * @instance
             */
            FlowLogRecord.prototype.dropReason = "";

            /**
             * Creates a new FlowLogRecord instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FlowLogRecord
             * @static
             * @param {vpcemu.v1.IFlowLogRecord=} [properties] Properties to set
             * @returns {vpcemu.v1.FlowLogRecord} FlowLogRecord instance
             */
            FlowLogRecord.create = function create(properties) {
                return new FlowLogRecord(properties);
            };

            /**
             * Encodes the specified FlowLogRecord message. Does not implicitly {@link vpcemu.v1.FlowLogRecord.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FlowLogRecord
             * @static
             * @param {vpcemu.v1.IFlowLogRecord} message FlowLogRecord message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FlowLogRecord.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.eniId);
                if (message.line != null && Object.hasOwnProperty.call(message, "line"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.line);
                if (message.flowDirection != null && Object.hasOwnProperty.call(message, "flowDirection"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.flowDirection);
                if (message.tcpFlags != null && Object.hasOwnProperty.call(message, "tcpFlags"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.tcpFlags);
                if (message.pktSrcaddr != null && Object.hasOwnProperty.call(message, "pktSrcaddr"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.pktSrcaddr);
                if (message.pktDstaddr != null && Object.hasOwnProperty.call(message, "pktDstaddr"))
                    writer.uint32(/* id 6, wireType 2 =*/50).string(message.pktDstaddr);
                if (message.sgRuleId != null && Object.hasOwnProperty.call(message, "sgRuleId"))
                    writer.uint32(/* id 7, wireType 2 =*/58).string(message.sgRuleId);
                if (message.naclRuleNumber != null && Object.hasOwnProperty.call(message, "naclRuleNumber"))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint32(message.naclRuleNumber);
                if (message.dropReason != null && Object.hasOwnProperty.call(message, "dropReason"))
                    writer.uint32(/* id 9, wireType 2 =*/74).string(message.dropReason);
                return writer;
            };

            /**
             * Decodes a FlowLogRecord message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FlowLogRecord
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FlowLogRecord} FlowLogRecord
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FlowLogRecord.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FlowLogRecord();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 2: {
                            message.line = reader.string();
                            break;
                        }
                    case 3: {
                            message.flowDirection = reader.string();
                            break;
                        }
                    case 4: {
                            message.tcpFlags = reader.uint32();
                            break;
                        }
                    case 5: {
                            message.pktSrcaddr = reader.string();
                            break;
                        }
                    case 6: {
                            message.pktDstaddr = reader.string();
                            break;
                        }
                    case 7: {
                            message.sgRuleId = reader.string();
                            break;
                        }
                    case 8: {
                            message.naclRuleNumber = reader.uint32();
                            break;
                        }
                    case 9: {
                            message.dropReason = reader.string();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FlowLogRecord;
        })();

        v1.FlowLogBatch = (function() {

            /**
             * Properties of a FlowLogBatch.
             * @memberof vpcemu.v1
             * @interface IFlowLogBatch
             * @property {Array.<vpcemu.v1.IFlowLogRecord>|null} [records] FlowLogBatch records
             */

            /**
             * Constructs a new FlowLogBatch.
             * @memberof vpcemu.v1
             * @classdesc Represents a FlowLogBatch.
             * @implements IFlowLogBatch
             * @constructor
             * @param {vpcemu.v1.IFlowLogBatch=} [properties] Properties to set
             */
            function FlowLogBatch(properties) {
                this.records = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * FlowLogBatch records.
             * @member {Array.<vpcemu.v1.IFlowLogRecord>} records
             * @memberof vpcemu.v1.FlowLogBatch
             * @instance
             */
            FlowLogBatch.prototype.records = $util.emptyArray;

            /**
             * Creates a new FlowLogBatch instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.FlowLogBatch
             * @static
             * @param {vpcemu.v1.IFlowLogBatch=} [properties] Properties to set
             * @returns {vpcemu.v1.FlowLogBatch} FlowLogBatch instance
             */
            FlowLogBatch.create = function create(properties) {
                return new FlowLogBatch(properties);
            };

            /**
             * Encodes the specified FlowLogBatch message. Does not implicitly {@link vpcemu.v1.FlowLogBatch.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.FlowLogBatch
             * @static
             * @param {vpcemu.v1.IFlowLogBatch} message FlowLogBatch message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            FlowLogBatch.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.records != null && message.records.length)
                    for (let i = 0; i < message.records.length; ++i)
                        $root.vpcemu.v1.FlowLogRecord.encode(message.records[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                return writer;
            };

            /**
             * Decodes a FlowLogBatch message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.FlowLogBatch
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.FlowLogBatch} FlowLogBatch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            FlowLogBatch.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.FlowLogBatch();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            if (!(message.records && message.records.length))
                                message.records = [];
                            message.records.push($root.vpcemu.v1.FlowLogRecord.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return FlowLogBatch;
        })();

        v1.AuditEvent = (function() {

            /**
             * Properties of an AuditEvent.
             * @memberof vpcemu.v1
             * @interface IAuditEvent
             * @property {string|null} [eniId] AuditEvent eniId
             * @property {string|null} [direction] AuditEvent direction
             * @property {string|null} [kind] AuditEvent kind
             * @property {number|null} [protocol] AuditEvent protocol
             * @property {string|null} [src] AuditEvent src
             * @property {number|null} [srcPort] AuditEvent srcPort
             * @property {string|null} [dst] AuditEvent dst
             * @property {number|null} [dstPort] AuditEvent dstPort
             * @property {number|null} [icmpType] AuditEvent icmpType
             * @property {number|null} [icmpCode] AuditEvent icmpCode
             * @property {string|null} [enforcedRuleId] AuditEvent enforcedRuleId
             * @property {string|null} [stagedRuleId] AuditEvent stagedRuleId
             * @property {number|null} [packets] AuditEvent packets
             * @property {number|null} [bytes] AuditEvent bytes
             * @property {number|null} [firstAtMs] AuditEvent firstAtMs
             * @property {number|null} [lastAtMs] AuditEvent lastAtMs
             */

            /**
             * Constructs a new AuditEvent.
             * @memberof vpcemu.v1
             * @classdesc Represents an AuditEvent.
             * @implements IAuditEvent
             * @constructor
             * @param {vpcemu.v1.IAuditEvent=} [properties] Properties to set
             */
            function AuditEvent(properties) {
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * AuditEvent eniId.
             * @member {string} eniId
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.eniId = "";

            /**
             * AuditEvent direction.
             * @member {string} direction
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.direction = "";

            /**
             * AuditEvent kind.
             * @member {string} kind
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.kind = "";

            /**
             * AuditEvent protocol.
             * @member {number} protocol
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.protocol = 0;

            /**
             * AuditEvent src.
             * @member {string} src
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.src = "";

            /**
             * AuditEvent srcPort.
             * @member {number} srcPort
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.srcPort = 0;

            /**
             * AuditEvent dst.
             * @member {string} dst
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.dst = "";

            /**
             * AuditEvent dstPort.
             * @member {number} dstPort
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.dstPort = 0;

            /**
             * AuditEvent icmpType.
             * @member {number} icmpType
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.icmpType = 0;

            /**
             * AuditEvent icmpCode.
             * @member {number} icmpCode
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.icmpCode = 0;

            /**
             * AuditEvent enforcedRuleId.
             * @member {string} enforcedRuleId
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.enforcedRuleId = "";

            /**
             * AuditEvent stagedRuleId.
             * @member {string} stagedRuleId
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.stagedRuleId = "";

            /**
             * AuditEvent packets.
             * @member {number} packets
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.packets = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * AuditEvent bytes.
             * @member {number} bytes
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.bytes = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * AuditEvent firstAtMs.
             * @member {number} firstAtMs
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.firstAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * AuditEvent lastAtMs.
             * @member {number} lastAtMs
             * @memberof vpcemu.v1.AuditEvent
             * @instance
             */
            AuditEvent.prototype.lastAtMs = $util.Long ? $util.Long.fromBits(0,0,false) : 0;

            /**
             * Creates a new AuditEvent instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.AuditEvent
             * @static
             * @param {vpcemu.v1.IAuditEvent=} [properties] Properties to set
             * @returns {vpcemu.v1.AuditEvent} AuditEvent instance
             */
            AuditEvent.create = function create(properties) {
                return new AuditEvent(properties);
            };

            /**
             * Encodes the specified AuditEvent message. Does not implicitly {@link vpcemu.v1.AuditEvent.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.AuditEvent
             * @static
             * @param {vpcemu.v1.IAuditEvent} message AuditEvent message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AuditEvent.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.eniId != null && Object.hasOwnProperty.call(message, "eniId"))
                    writer.uint32(/* id 1, wireType 2 =*/10).string(message.eniId);
                if (message.direction != null && Object.hasOwnProperty.call(message, "direction"))
                    writer.uint32(/* id 2, wireType 2 =*/18).string(message.direction);
                if (message.kind != null && Object.hasOwnProperty.call(message, "kind"))
                    writer.uint32(/* id 3, wireType 2 =*/26).string(message.kind);
                if (message.protocol != null && Object.hasOwnProperty.call(message, "protocol"))
                    writer.uint32(/* id 4, wireType 0 =*/32).uint32(message.protocol);
                if (message.src != null && Object.hasOwnProperty.call(message, "src"))
                    writer.uint32(/* id 5, wireType 2 =*/42).string(message.src);
                if (message.srcPort != null && Object.hasOwnProperty.call(message, "srcPort"))
                    writer.uint32(/* id 6, wireType 0 =*/48).uint32(message.srcPort);
                if (message.dst != null && Object.hasOwnProperty.call(message, "dst"))
                    writer.uint32(/* id 7, wireType 2 =*/58).string(message.dst);
                if (message.dstPort != null && Object.hasOwnProperty.call(message, "dstPort"))
                    writer.uint32(/* id 8, wireType 0 =*/64).uint32(message.dstPort);
                if (message.icmpType != null && Object.hasOwnProperty.call(message, "icmpType"))
                    writer.uint32(/* id 9, wireType 0 =*/72).sint32(message.icmpType);
                if (message.icmpCode != null && Object.hasOwnProperty.call(message, "icmpCode"))
                    writer.uint32(/* id 10, wireType 0 =*/80).sint32(message.icmpCode);
                if (message.enforcedRuleId != null && Object.hasOwnProperty.call(message, "enforcedRuleId"))
                    writer.uint32(/* id 11, wireType 2 =*/90).string(message.enforcedRuleId);
                if (message.stagedRuleId != null && Object.hasOwnProperty.call(message, "stagedRuleId"))
                    writer.uint32(/* id 12, wireType 2 =*/98).string(message.stagedRuleId);
                if (message.packets != null && Object.hasOwnProperty.call(message, "packets"))
                    writer.uint32(/* id 13, wireType 0 =*/104).uint64(message.packets);
                if (message.bytes != null && Object.hasOwnProperty.call(message, "bytes"))
                    writer.uint32(/* id 14, wireType 0 =*/112).uint64(message.bytes);
                if (message.firstAtMs != null && Object.hasOwnProperty.call(message, "firstAtMs"))
                    writer.uint32(/* id 15, wireType 0 =*/120).int64(message.firstAtMs);
                if (message.lastAtMs != null && Object.hasOwnProperty.call(message, "lastAtMs"))
                    writer.uint32(/* id 16, wireType 0 =*/128).int64(message.lastAtMs);
                return writer;
            };

            /**
             * Decodes an AuditEvent message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.AuditEvent
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.AuditEvent} AuditEvent
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AuditEvent.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.AuditEvent();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            message.eniId = reader.string();
                            break;
                        }
                    case 2: {
                            message.direction = reader.string();
                            break;
                        }
                    case 3: {
                            message.kind = reader.string();
                            break;
                        }
                    case 4: {
                            message.protocol = reader.uint32();
                            break;
                        }
                    case 5: {
                            message.src = reader.string();
                            break;
                        }
                    case 6: {
                            message.srcPort = reader.uint32();
                            break;
                        }
                    case 7: {
                            message.dst = reader.string();
                            break;
                        }
                    case 8: {
                            message.dstPort = reader.uint32();
                            break;
                        }
                    case 9: {
                            message.icmpType = reader.sint32();
                            break;
                        }
                    case 10: {
                            message.icmpCode = reader.sint32();
                            break;
                        }
                    case 11: {
                            message.enforcedRuleId = reader.string();
                            break;
                        }
                    case 12: {
                            message.stagedRuleId = reader.string();
                            break;
                        }
                    case 13: {
                            message.packets = reader.uint64();
                            break;
                        }
                    case 14: {
                            message.bytes = reader.uint64();
                            break;
                        }
                    case 15: {
                            message.firstAtMs = reader.int64();
                            break;
                        }
                    case 16: {
                            message.lastAtMs = reader.int64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return AuditEvent;
        })();

        v1.AuditEventBatch = (function() {

            /**
             * Properties of an AuditEventBatch.
             * @memberof vpcemu.v1
             * @interface IAuditEventBatch
             * @property {Array.<vpcemu.v1.IAuditEvent>|null} [events] AuditEventBatch events
             * @property {number|null} [lost] AuditEventBatch lost
             */

            /**
             * Constructs a new AuditEventBatch.
             * @memberof vpcemu.v1
             * @classdesc Represents an AuditEventBatch.
             * @implements IAuditEventBatch
             * @constructor
             * @param {vpcemu.v1.IAuditEventBatch=} [properties] Properties to set
             */
            function AuditEventBatch(properties) {
                this.events = [];
                if (properties)
                    for (let keys = Object.keys(properties), i = 0; i < keys.length; ++i)
                        if (properties[keys[i]] != null && keys[i] !== "__proto__")
                            this[keys[i]] = properties[keys[i]];
            }

            /**
             * AuditEventBatch events.
             * @member {Array.<vpcemu.v1.IAuditEvent>} events
             * @memberof vpcemu.v1.AuditEventBatch
             * @instance
             */
            AuditEventBatch.prototype.events = $util.emptyArray;

            /**
             * AuditEventBatch lost.
             * @member {number} lost
             * @memberof vpcemu.v1.AuditEventBatch
             * @instance
             */
            AuditEventBatch.prototype.lost = $util.Long ? $util.Long.fromBits(0,0,true) : 0;

            /**
             * Creates a new AuditEventBatch instance using the specified properties.
             * @function create
             * @memberof vpcemu.v1.AuditEventBatch
             * @static
             * @param {vpcemu.v1.IAuditEventBatch=} [properties] Properties to set
             * @returns {vpcemu.v1.AuditEventBatch} AuditEventBatch instance
             */
            AuditEventBatch.create = function create(properties) {
                return new AuditEventBatch(properties);
            };

            /**
             * Encodes the specified AuditEventBatch message. Does not implicitly {@link vpcemu.v1.AuditEventBatch.verify|verify} messages.
             * @function encode
             * @memberof vpcemu.v1.AuditEventBatch
             * @static
             * @param {vpcemu.v1.IAuditEventBatch} message AuditEventBatch message or plain object to encode
             * @param {$protobuf.Writer} [writer] Writer to encode to
             * @returns {$protobuf.Writer} Writer
             */
            AuditEventBatch.encode = function encode(message, writer, q) {
                if (!writer)
                    writer = $Writer.create();
                if (q === undefined)
                    q = 0;
                if (q > $util.recursionLimit)
                    throw Error("max depth exceeded");
                if (message.events != null && message.events.length)
                    for (let i = 0; i < message.events.length; ++i)
                        $root.vpcemu.v1.AuditEvent.encode(message.events[i], writer.uint32(/* id 1, wireType 2 =*/10).fork(), q + 1).ldelim();
                if (message.lost != null && Object.hasOwnProperty.call(message, "lost"))
                    writer.uint32(/* id 2, wireType 0 =*/16).uint64(message.lost);
                return writer;
            };

            /**
             * Decodes an AuditEventBatch message from the specified reader or buffer.
             * @function decode
             * @memberof vpcemu.v1.AuditEventBatch
             * @static
             * @param {$protobuf.Reader|Uint8Array} reader Reader or buffer to decode from
             * @param {number} [length] Message length if known beforehand
             * @returns {vpcemu.v1.AuditEventBatch} AuditEventBatch
             * @throws {Error} If the payload is not a reader or valid buffer
             * @throws {$protobuf.util.ProtocolError} If required fields are missing
             */
            AuditEventBatch.decode = function decode(reader, length, error, long) {
                if (!(reader instanceof $Reader))
                    reader = $Reader.create(reader);
                if (long === undefined)
                    long = 0;
                if (long > $Reader.recursionLimit)
                    throw Error("maximum nesting depth exceeded");
                let end, message;
                if (length === undefined)
                    end = reader.len;
                else {
                    end = reader.pos + length;
                    if (end > reader.len)
                        throw RangeError("index out of range");
                    length = reader.len;
                    reader.len = end;
                }
                message = new $root.vpcemu.v1.AuditEventBatch();
                while (reader.pos < end) {
                    let tag = reader.uint32();
                    if (tag === error)
                        break;
                    switch (tag >>> 3) {
                    case 1: {
                            if (!(message.events && message.events.length))
                                message.events = [];
                            message.events.push($root.vpcemu.v1.AuditEvent.decode(reader, reader.uint32(), undefined, long + 1));
                            break;
                        }
                    case 2: {
                            message.lost = reader.uint64();
                            break;
                        }
                    default:
                        reader.skipType(tag & 7, long);
                        break;
                    }
                }
                if (length !== undefined) {
                    if (reader.pos !== end)
                        throw RangeError("index out of range");
                    reader.len = length;
                }
                return message;
            };

            return AuditEventBatch;
        })();

        return v1;
    })();

    return vpcemu;
})();

export { $root as default };
