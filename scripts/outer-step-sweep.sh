#!/usr/bin/env bash
# Outer-step sweep: trains each given config once per outer step at equal tokens (the config's own rounds, local
# steps and batch; only train.outer, train.outer-lr and train.outer-momentum change) and prints a markdown table of
# the model kept: its validation figure (the config's early-stopping metric), the same figure on the test part where
# the task has one, the best round, the seconds of the round loop (eval.json's seconds_this_run) and the wall time of
# the whole command (start-up, data, evaluation and report included).
#
# Usage: scripts/outer-step-sweep.sh [options] CONFIG...
#   --out DIR          where the runs go, one folder per config and step, with a .log and a .seconds beside each
#                      (default: out/outer-sweep)
#   --outer LIST       comma-separated outer steps, each plain[:LR] or nesterov[:LR[:MOMENTUM]]
#                      (default: plain,nesterov:0.7:0.9,nesterov:1.0:0.5,nesterov:0.4:0.9)
#   --seed N           train.seed of every run (default: each config's own)
#   --set KEY=VALUE    passed to every run (repeatable)
#   --table-only       train nothing: print the table of the runs already in --out
#
# Runs go one after the other (each one uses the machine's cores); every run starts fresh (--fresh,
# output.overwrite = true). Needs a build (mvn -B -q -DskipTests package) and jq.
set -euo pipefail

die() { echo "outer-step-sweep: ERROR: $*" >&2; exit 2; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"

out="out/outer-sweep"
outer="plain,nesterov:0.7:0.9,nesterov:1.0:0.5,nesterov:0.4:0.9"
seed=""
table_only=false
extra=()
configs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out="$2"; shift 2 ;;
    --outer) [ $# -ge 2 ] || die "--outer needs a list"; outer="$2"; shift 2 ;;
    --seed) [ $# -ge 2 ] || die "--seed needs a number"; seed="$2"; shift 2 ;;
    --set) [ $# -ge 2 ] || die "--set needs KEY=VALUE"; extra+=(--set "$2"); shift 2 ;;
    --table-only) table_only=true; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) configs+=("$1"); shift ;;
  esac
done
[ ${#configs[@]} -gt 0 ] || die "no config given (see --help)"
for c in "${configs[@]}"; do
  [ -f "$c" ] || die "config $c: no such file"
done
[ -z "$seed" ] || [[ "$seed" =~ ^[0-9]+$ ]] || die "--seed $seed: expected a whole number"
command -v jq >/dev/null || die "jq is needed to read eval.json (apt-get install jq)"

# One outer step: "plain[:LR]" or "nesterov[:LR[:MOMENTUM]]" -> "KIND LR MOMENTUM" (the defaults as bench scaling's).
parse_step() {
  local kind lr mom rest
  IFS=: read -r kind lr mom rest <<<"$1"
  [ -z "${rest:-}" ] || die "outer step $1: expected plain[:LR] or nesterov[:LR[:MOMENTUM]]"
  local num='^[0-9]+([.][0-9]+)?$'
  case "$kind" in
    plain) [ -z "${mom:-}" ] || die "outer step $1: plain has no momentum"; lr="${lr:-1.0}"; mom=0.0 ;;
    nesterov) lr="${lr:-0.7}"; mom="${mom:-0.9}" ;;
    *) die "outer step $1: expected plain[:LR] or nesterov[:LR[:MOMENTUM]]" ;;
  esac
  [[ "$lr" =~ $num ]] || die "outer step $1: learning rate $lr is not a number"
  [[ "$mom" =~ $num ]] || die "outer step $1: momentum $mom is not a number"
  echo "$kind $lr $mom"
}

IFS=, read -r -a steps <<<"$outer"
[ ${#steps[@]} -gt 0 ] || die "--outer is empty"
for s in "${steps[@]}"; do parse_step "$s" >/dev/null; done

run_name() {  # config file, step -> folder name under --out
  local name
  name="$(basename "$1" .conf)-${2//:/-}"
  [ -z "$seed" ] || name="$name-seed$seed"
  echo "$name"
}

if [ "$table_only" = false ]; then
  [ -x "$REPO_DIR/bin/spark-rnn" ] || die "$REPO_DIR/bin/spark-rnn is missing"
  mkdir -p "$out"
  for c in "${configs[@]}"; do
    for s in "${steps[@]}"; do
      read -r kind lr mom <<<"$(parse_step "$s")"
      name="$(run_name "$c" "$s")"
      args=(train "$c" --fresh --set "output.dir=$out/$name" --set output.overwrite=true
            --set "train.outer=$kind" --set "train.outer-lr=$lr" --set "train.outer-momentum=$mom")
      [ -z "$seed" ] || args+=(--set "train.seed=$seed")
      args+=("${extra[@]}")
      echo "outer-step-sweep: $name: bin/spark-rnn ${args[*]}" >&2
      rm -f "$out/$name.seconds" "$out/$name.failed"
      start=$(date +%s)
      if "$REPO_DIR/bin/spark-rnn" "${args[@]}" >"$out/$name.log" 2>&1; then
        echo $(( $(date +%s) - start )) >"$out/$name.seconds"
      else
        echo "outer-step-sweep: $name failed; see $out/$name.log" >&2
        touch "$out/$name.failed"
      fi
    done
  done
fi

# The table: one row per config and step; a run that failed or is missing says so, and the exit code is then 1.
failed=false
echo "| config | outer step | validation metric | valid (model kept) | test | best round / rounds | training s | wall s |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for c in "${configs[@]}"; do
  for s in "${steps[@]}"; do
    name="$(run_name "$c" "$s")"
    ev="$out/$name/eval.json"
    if [ -f "$out/$name.failed" ] || [ ! -f "$ev" ]; then
      echo "| $(basename "$c" .conf) | $s | failed or not run: see $out/$name.log | | | | | |"
      failed=true
      continue
    fi
    secs="$(cat "$out/$name.seconds" 2>/dev/null || echo -)"
    jq -r --arg conf "$(basename "$c" .conf)" --arg step "$s" --arg secs "$secs" '
      def fmt: if type == "number" then (. * 10000 | round / 10000 | tostring) else "-" end;
      .best_metric as $m
      | ($m | sub("^valid_"; "test_")) as $t
      | "| \($conf) | \($step) | \($m) | \(.[$m] | fmt) | \(.[$t] | fmt) | \(.best_round) / \(.rounds) | \(.seconds_this_run | round) | \($secs) |"
    ' "$ev"
  done
done
[ "$failed" = false ] || exit 1
