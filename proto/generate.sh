#!/bin/sh
# Generates proto/gen/vpcemu.js (pbjs static module, ES module) and proto/gen/vpcemu.d.ts (pbts)
# from proto/vpcemu/v1/*.proto. `npm run proto` runs it; the output is committed, and
# test/unit/controller/hub/proto-gen.test.ts regenerates into a temp dir and fails on drift.
# Usage: sh proto/generate.sh [OUT_DIR]   (default proto/gen)
set -eu
cd "$(dirname "$0")/.."
out="${1:-proto/gen}"
mkdir -p "$out"
bin=node_modules/.bin
# --force-number: 64-bit fields are typed `number`; at run time decode may still yield a Long
# (protobufjs bundles `long`), so both wire.ts files convert through num().
"$bin/pbjs" -t static-module -w es6 --force-number --no-verify --no-convert --no-delimited --no-typeurl -p proto \
  -o "$out/vpcemu.js" \
  proto/vpcemu/v1/control.proto proto/vpcemu/v1/policy.proto proto/vpcemu/v1/report.proto proto/vpcemu/v1/fault.proto
# Why: protobufjs/minimal is CommonJS without an "exports" map; Node's ESM loader needs the
# file extension and a default import (its named exports are not statically detectable).
sed -i 's#^import \* as \$protobuf from "protobufjs/minimal";#import $protobuf from "protobufjs/minimal.js";#' "$out/vpcemu.js"
"$bin/pbts" --no-comments -o "$out/vpcemu.d.ts" "$out/vpcemu.js"
# Why: pbts emits `import * as $protobuf from "protobufjs"`, which is fine for types; keep it.
