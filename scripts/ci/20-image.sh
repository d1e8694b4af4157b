#!/usr/bin/env bash
# CI step: build vpcemu:local with no registry access (scripts/build-image.sh = `npm run image`).
set -euo pipefail
cd "$(dirname "$0")/../.."
exec sh scripts/build-image.sh
