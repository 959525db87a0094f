#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests: install the package
# 'chromium' through apt-get when the user is root, else say which package to install.
# Playwright drives this browser (executable /usr/bin/chromium); it never downloads one.
# Without it the browser tests are skipped with a visible reason; nothing else needs it.
set -u
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium (Debian package 'chromium') with apt-get for the browser tests..."
  if (apt-get install -y -qq chromium >/dev/null 2>&1 ||
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)); then
    exit 0
  fi
  echo "Could not install the Debian package 'chromium'; the browser tests will be skipped." >&2
  exit 1
fi
echo "Chromium is missing at $CHROMIUM: install the package 'chromium'" \
     "(Debian: sudo apt-get install chromium) to run the browser tests; they are skipped." >&2
exit 1
