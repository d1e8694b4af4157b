#!/bin/sh
# Entry point of a compose agent service (compose.yaml). Starts `vpcemu agent --in-place` in the
# network namespace of its node-* holder, which the app container joins too
# (network_mode: service:node-<name>); the TUN it creates there is the node's ENI.
#   VPCEMU_NODE=web          instance Name tag: waits for the `topology` service's id file
#   VPCEMU_EXTERNAL=internet=198.51.100.10   instead: a node outside every VPC
#   VPCEMU_CONTROLLER, VPCEMU_JOIN_TOKEN, VPCEMU_UNDERLAY (this container's underlay IP:port)
#   VPCEMU_AGENT_SECRET: this agent's key is derived from it (docs/agent.md "Agent identity");
#   the agent itself gets only the key ($VPCEMU_AGENT_KEY)
set -eu
ids=${VPCEMU_IDS_DIR:-/run/vpcemu-ids}
: "${VPCEMU_CONTROLLER:?}" "${VPCEMU_UNDERLAY:?}" "${VPCEMU_JOIN_TOKEN:?}"

if [ -n "${VPCEMU_EXTERNAL:-}" ]; then
  name=${VPCEMU_EXTERNAL%%=*}
  set -- --external "$VPCEMU_EXTERNAL"
else
  name=${VPCEMU_NODE:?set VPCEMU_NODE or VPCEMU_EXTERNAL}
  i=0
  while [ ! -s "$ids/$name" ]; do
    i=$((i + 1))
    if [ "$i" -gt 600 ]; then
      echo "compose-agent: no instance id for '$name' in $ids after 120 s (did the topology service fail?)" >&2
      exit 1
    fi
    sleep 0.2
  done
  set -- --instance "$(cat "$ids/$name")"
fi

if [ -z "${VPCEMU_AGENT_KEY:-}" ] && [ -n "${VPCEMU_AGENT_SECRET:-}" ]; then
  # hex HMAC-SHA256(secret, "vpcemu-agent-key:" + agent id), as controller/hub/agent-keys.ts
  VPCEMU_AGENT_KEY=$(node -e 'const c = require("node:crypto"); process.stdout.write(c.createHmac("sha256", process.env.VPCEMU_AGENT_SECRET).update("vpcemu-agent-key:" + process.argv[1]).digest("hex"))' "agent-$name")
  export VPCEMU_AGENT_KEY
fi
unset VPCEMU_AGENT_SECRET

[ -e /dev/net/tun ] || { mkdir -p /dev/net && mknod /dev/net/tun c 10 200; }
echo "compose-agent: agent-$name $* underlay $VPCEMU_UNDERLAY controller $VPCEMU_CONTROLLER"
exec node /opt/vpcemu/bin/vpcemu.js agent --controller "$VPCEMU_CONTROLLER" \
  --agent-id "agent-$name" "$@" --in-place --underlay "$VPCEMU_UNDERLAY" \
  --join-token "$VPCEMU_JOIN_TOKEN"
