#!/usr/bin/env bash
# The steps of the Proxygate receipts action (action.yml). Inputs arrive as PG_* environment
# variables, never spliced into the script text, so no input can inject shell code. `run` always
# exits 0 and reports the CLI's exit code as a step output: the state save and the report upload
# still happen, and the action's last step fails the job with that code.
set -uo pipefail

die() { echo "::error title=proxygate receipts action::$*"; exit 2; }

install() {
  local version="${PG_CLI_VERSION:-}"
  [[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z.+-]*$ ]] || die "cli-version must be a version or a dist-tag, got '${version}'"
  local prefix="${RUNNER_TEMP:?}/proxygate-cli"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save "@proxygate-kit/cli@${version}" >&2 || die "npm install @proxygate-kit/cli@${version} failed"
  echo "$prefix/node_modules/.bin" >> "${GITHUB_PATH:?}"
  "$prefix/node_modules/.bin/proxygate" --version
}

# Paths or globs separated by spaces or new lines; a glob matching nothing is an error, not stdin.
expand() {
  local pattern
  local -a patterns=()
  read -r -d '' -a patterns <<< "$1" || true
  shopt -s nullglob globstar
  for pattern in "${patterns[@]}"; do
    local matches=( $pattern )
    if (( ${#matches[@]} == 0 )); then
      echo "no file matches ${pattern}" >&2
      return 1
    fi
    printf '%s\n' "${matches[@]}"
  done
}

output() { echo "$1=$2" >> "${GITHUB_OUTPUT:?}"; }

run() {
  local command="${PG_COMMAND:-audit}" format="${PG_FORMAT:-github}"
  case "$command" in audit|verify|merge) ;; *) die "command must be audit, verify or merge, got '${command}'" ;; esac
  case "$format" in github|text|json|junit) ;; *) die "format must be github, text, json or junit, got '${format}'" ;; esac
  [[ "${PG_ARTIFACT_NAME:-proxygate-receipts-report}" =~ ^[A-Za-z0-9._-]+$ ]] || die "artifact-name may hold letters, digits, '.', '_' and '-' only"
  local dir="${RUNNER_TEMP:?}/proxygate-receipts"
  mkdir -p "$dir"
  output report-dir "$dir"

  local -a keys=() state=() extra=() inputs=()
  [[ -n "${PG_KEYS:-}" ]] && keys+=(--keys "$PG_KEYS")
  local pin
  while IFS= read -r pin; do
    pin="${pin#"${pin%%[![:space:]]*}"}"; pin="${pin%"${pin##*[![:space:]]}"}"
    [[ -n "$pin" ]] && keys+=(--pin "$pin")
  done <<< "${PG_PINS:-}"
  [[ -n "${PG_STATE:-}" && "$command" != verify ]] && state+=(--state "$PG_STATE")
  [[ "${PG_ALLOW_EMPTY:-false}" == true ]] && extra+=(--allow-empty)
  if [[ -n "${PG_ARGS:-}" ]]; then
    local -a words
    read -r -a words <<< "$PG_ARGS"
    extra+=("${words[@]}")
  fi

  local list
  if [[ "$command" == merge ]]; then
    local sources="${PG_PARTS:-}"
    [[ -n "${PG_DOWNLOADED_PARTS:-}" ]] && sources+=" ${PG_DOWNLOADED_PARTS}/*.json"
    list="$(expand "$sources")" || { output exit-code 2; output ok false; return 0; }
  else
    list="$(expand "${PG_RECEIPTS:-}")" || { output exit-code 2; output ok false; return 0; }
  fi
  [[ -n "$list" ]] && mapfile -t inputs <<< "$list"
  if (( ${#inputs[@]} == 0 )) && [[ "${PG_ALLOW_EMPTY:-false}" != true ]]; then
    echo "::error title=proxygate receipts action::no input files (set the receipts or parts input)"
    output exit-code 2; output ok false
    return 0
  fi

  local code=0
  if [[ "$command" == verify ]]; then
    local ext=txt
    case "$format" in json) ext=json ;; junit) ext=xml ;; esac
    local out="$dir/${PG_ARTIFACT_NAME:-proxygate-receipts-report}.$ext"
    proxygate receipts verify "${inputs[@]}" "${keys[@]}" --format "$format" "${extra[@]}" < /dev/null > "$out" || code=$?
    cat "$out"
    output report "$out"
  else
    local json="$dir/${PG_ARTIFACT_NAME:-proxygate-receipts-report}.json"
    local -a cmd=(proxygate receipts audit)
    [[ "$command" == merge ]] && cmd+=(merge)
    "${cmd[@]}" "${inputs[@]}" "${keys[@]}" "${state[@]}" --format json "${extra[@]}" < /dev/null > "$json" || code=$?
    output report "$json"
    # A report re-read on its own is itself (a merge of one part): the other formats come from it
    # without auditing again.
    if [[ "${PG_RENDER:-true}" == true && -s "$json" ]]; then
      proxygate receipts audit merge "$json" "${keys[@]}" --format junit < /dev/null > "$dir/junit.xml" || true
      output junit "$dir/junit.xml"
      [[ "$format" != json ]] && { proxygate receipts audit merge "$json" "${keys[@]}" --format "$format" < /dev/null || true; }
    fi
    [[ "$format" == json ]] && cat "$json"
    summary "$json"
  fi
  output exit-code "$code"
  output ok "$([[ $code == 0 ]] && echo true || echo false)"
  return 0
}

# A table of the report in the job summary (jq is on GitHub's runners; skipped without it).
summary() {
  [[ -n "${GITHUB_STEP_SUMMARY:-}" && -s "$1" ]] && command -v jq > /dev/null || return 0
  jq -r '
    "### Proxygate receipts: " + (if .ok then "clean" else "findings" end),
    "",
    "| receipts | valid | invalid | duplicates | chains | spend (micro-USD) |",
    "|---:|---:|---:|---:|---:|---:|",
    "| \(.counts.receipts) | \(.counts.valid) | \(.counts.invalid) | \(.counts.duplicates) | \(.chains | length) | \(.spend.total) |",
    "",
    (.issues_by_reason | to_entries | map("- \(.key): \(.value)") | join("\n"))
  ' "$1" >> "$GITHUB_STEP_SUMMARY" 2> /dev/null || true
}

case "${1:-}" in
  install) install ;;
  run) run ;;
  *) die "usage: run.sh install|run" ;;
esac
