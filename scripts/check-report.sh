#!/usr/bin/env bash
# Renders a run's report.html in headless Chromium (Debian's chromium package) and saves a screenshot, to check
# that the page opens offline and draws its plots. Usage: scripts/check-report.sh <output.dir or report.html> [out.png]
# Prints the screenshot's path; exit code 0 when Chromium wrote it, 1 otherwise, 2 on bad arguments.
# WINDOW=width,height sets the page size (default 1200,2000; a taller one shows a task's charts and tables whole);
# SCALE=f the device pixels per CSS pixel (default 1; 0.6 gives the small images of docs/report.md).
set -euo pipefail
target="${1:?usage: scripts/check-report.sh <output.dir or report.html> [screenshot.png]}"
[[ -d "$target" ]] && target="$target/report.html"
if [[ ! -f "$target" ]]; then
  echo "check-report: $target does not exist" >&2
  exit 2
fi
report="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
png="${2:-${report%.html}.png}"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$chromium" ]]; then
  echo "check-report: $chromium not found; install it with: apt-get install -y chromium" >&2
  exit 2
fi
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# No network of any kind: the page must carry everything it needs.
"$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$png" --window-size="${WINDOW:-1200,2000}" \
  --force-device-scale-factor="${SCALE:-1}" "file://$report" >"$profile/chromium.log" 2>&1 || true
if [[ ! -s "$png" ]]; then
  echo "check-report: chromium wrote no screenshot; its output:" >&2
  cat "$profile/chromium.log" >&2
  exit 1
fi
echo "$png"
