#!/usr/bin/env bash
# Validates every corpus file that README.md lists as schema-valid (schema: soap11, soap12,
# fault11, fault12) against Exchange's EWS schema with xmllint. Exits non-zero if one fails or
# if a listed file is missing; warns about corpus .xml files with no line in README.md.
#
#   tests/corpus/validate.sh                 # EWS schema from ../shared/ews-schema
#   EWS_SCHEMA_DIR=/path/to/ews-schema tests/corpus/validate.sh
#
# Exchange's schema is not part of the repository (docs/ews-schema.md). Without one this prints
# `SKIPPED: corpus schema validation (no EWS schema)` (also appended to $EWS_SKIP_LOG) and exits
# 0; with EWS_SCHEMA_REQUIRED=1 it fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema_dir=${EWS_SCHEMA_DIR:-$here/../../../shared/ews-schema}
if [[ ! -f $schema_dir/soap-envelope.xsd ]]; then
    if [[ ${EWS_SCHEMA_REQUIRED:-} == 1 ]]; then
        echo "validate.sh: no EWS schema in $schema_dir and EWS_SCHEMA_REQUIRED=1 (see docs/ews-schema.md)" >&2
        exit 1
    fi
    line="SKIPPED: tests/corpus/validate.sh (no EWS schema)"
    echo "$line"
    if [[ -n ${EWS_SKIP_LOG:-} ]]; then echo "$line" >>"$EWS_SKIP_LOG"; fi
    exit 0
fi
schema_dir=$(cd "$schema_dir" && pwd)
command -v xmllint >/dev/null || { echo "validate.sh: xmllint not found (apt-get install libxml2-utils)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for template in "$here"/schema/*.xsd.in; do
    sed "s#@EWS_SCHEMA_DIR@#$schema_dir#g" "$template" >"$tmp/$(basename "${template%.in}")"
done

declare -A xsd=(
    [soap11]="$schema_dir/soap-envelope.xsd"
    [soap12]="$tmp/soap12-envelope.xsd"
    [fault11]="$tmp/soap11-fault.xsd"
    [fault12]="$tmp/soap12-envelope.xsd"
)

passed=0
failed=0
listed=0
while IFS= read -r line; do
    [[ $line =~ ^-\ \`([^\`]+)\`\ —\ [^\;]+\;\ schema:\ ([a-z0-9]+)\; ]] || continue
    file=${BASH_REMATCH[1]}
    kind=${BASH_REMATCH[2]}
    listed=$((listed + 1))
    schema=${xsd[$kind]:-}
    if [[ -z $schema ]]; then
        echo "FAIL $file: unknown schema kind '$kind'"
        failed=$((failed + 1))
    elif [[ ! -f $here/$file ]]; then
        echo "FAIL $file: listed in README.md but missing"
        failed=$((failed + 1))
    elif out=$(xmllint --noout --nonet --schema "$schema" "$here/$file" 2>&1); then
        passed=$((passed + 1))
    else
        echo "FAIL $file ($kind):"
        echo "$out" | head -5 | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done <"$here/README.md"

# Every input should have a README line (origin, schema, what it shows).
unlisted=0
while IFS= read -r file; do
    if ! grep -qF -- "- \`$file\` —" "$here/README.md"; then
        echo "warning: $file has no line in tests/corpus/README.md"
        unlisted=$((unlisted + 1))
    fi
done < <(cd "$here" && find . -name '*.xml' -not -path './schema/*' | sed 's|^\./||' | sort)

if ((listed < 30)); then
    echo "FAIL only $listed schema-valid files listed: README.md went missing?"
    failed=$((failed + 1))
fi
echo "schema validation: $passed passed, $failed failed ($unlisted corpus files without a README line)"
((failed == 0))
