#!/bin/sh
# Checks a PosGuard evidence bundle with standard tools only (unzip, openssl, sha256sum), as the README
# describes: the signature over manifest.json, that SHA256SUMS is the one the manifest names, and every
# file's SHA-256. Exit 0 when intact, 1 when not.
#
#   scripts/check-evidence-bundle.sh BUNDLE.zip [INSTANCE-PUBLIC-KEY.pem]
#
# Without the instance's public key the bundle's own public-key.pem is used: that proves the bundle is whole,
# not who made it.
set -eu
bundle=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unzip -q "$bundle" -d "$work"
key=$work/public-key.pem
if [ $# -ge 2 ]; then key=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); fi
cd "$work"
openssl pkeyutl -verify -pubin -inkey "$key" -rawin -in manifest.json -sigfile manifest.sig || exit 1
sums=$(sha256sum SHA256SUMS | cut -d' ' -f1)
grep -q "\"sha256_of_checksums\" *: *\"$sums\"" manifest.json || { echo "SHA256SUMS is not the one manifest.json names"; exit 1; }
sha256sum -c --strict SHA256SUMS || exit 1
echo "INTACT"
