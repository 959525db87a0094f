#!/usr/bin/env bash
# Make sure the Graphviz `dot` program is on the PATH: install it through apt-get when the
# user is root, else say which package to install. Diagrams need it; nothing else does.
set -u
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Graphviz (the 'dot' program) with apt-get..."
  if (apt-get install -y -qq graphviz >/dev/null 2>&1 ||
      (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq graphviz >/dev/null 2>&1)); then
    exit 0
  fi
  echo "Could not install the Debian package 'graphviz'; diagrams will not render." >&2
  exit 1
fi
echo "The Graphviz 'dot' program is missing: install the package 'graphviz'" \
     "(Debian/Ubuntu: sudo apt-get install graphviz) to render diagrams." >&2
exit 1
