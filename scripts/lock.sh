#!/usr/bin/env bash
# Re-resolve requirements.lock: every dependency, direct and transitive, pinned with
# its sha256 hashes, resolved by Debian 12's /usr/bin/python3 (3.11.2), the Python a
# terminal runs. Run after changing dependencies in pyproject.toml, review the diff,
# commit both. scripts/setup.sh installs from the lock with --require-hashes.
#
#   bash scripts/lock.sh            # keep current pins where still allowed
#   bash scripts/lock.sh --upgrade  # move every pin to the newest allowed release
set -euo pipefail
cd "$(dirname "$0")/.."
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
/usr/bin/python3 -m venv "$tools"
"$tools/bin/pip" install -q 'pip-tools==7.6.*'
"$tools/bin/pip-compile" -q --generate-hashes --allow-unsafe --strip-extras \
  --extra test --extra dev --extra fleet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links \
  --output-file requirements.lock "$@" pyproject.toml
echo "requirements.lock: $(grep -c '^[A-Za-z0-9]' requirements.lock) packages pinned with hashes"
