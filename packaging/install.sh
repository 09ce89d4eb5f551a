#!/usr/bin/env bash
# Installs (or removes) the patchbay agent as a system service: systemd on Linux, launchd on macOS.
#
#   sudo packaging/install.sh                      # install into /usr/local, create the user, enable + start
#   packaging/install.sh --root /tmp/stage         # stage into a directory (DESTDIR-style): no user, no service calls
#   sudo packaging/install.sh --binary dist/patchbay   # the single binary from `npm run package` instead
#   sudo packaging/install.sh --uninstall [--purge]     # remove; --purge also deletes config, state and projects
#
# Without --binary, the compiled JavaScript (dist/, from `npm run build`) is installed with its production
# node_modules and run by Node (>= 20).
set -euo pipefail

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

repo="$(cd "$(dirname "$0")/.." && pwd)"
root=""
prefix="/usr/local"
binary=""
start=1
action="install"
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --root=*) root="${1#--root=}"; shift ;;
    --prefix) prefix="${2:?--prefix needs a directory}"; shift 2 ;;
    --prefix=*) prefix="${1#--prefix=}"; shift ;;
    --binary) binary="${2:?--binary needs a file}"; shift 2 ;;
    --binary=*) binary="${1#--binary=}"; shift ;;
    --no-start) start=0; shift ;;
    --uninstall) action="uninstall"; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage 2 ;;
  esac
done
if [ -n "$root" ]; then
  mkdir -p "$root"
  root="$(cd "$root" && pwd)"
fi
# A staged install never touches the running system: no accounts, no service manager.
live=1
if [ -n "$root" ] && [ "$root" != "/" ]; then live=0; fi

os="$(uname -s)"
if [ "$os" = "Darwin" ]; then
  user="_patchbay"; etc="/usr/local/etc/patchbay"; data="/usr/local/var/patchbay"; logs="/usr/local/var/log/patchbay"
  unit_dir="/Library/LaunchDaemons"; unit_name="net.patchbay.agent.plist"
else
  user="patchbay"; etc="/etc/patchbay"; data="/var/lib/patchbay"; logs=""
  unit_dir="/etc/systemd/system"; unit_name="patchbay-agent.service"
fi
bindir="$prefix/bin"
libdir="$prefix/lib/patchbay"
docdir="$prefix/share/doc/patchbay"

say() { echo "install.sh: $*"; }
run_live() { if [ "$live" -eq 1 ]; then "$@"; else say "(staged, skipped) $*"; fi; }

stop_service() {
  if [ "$os" = "Darwin" ]; then
    run_live launchctl bootout system "$unit_dir/$unit_name" 2>/dev/null || true
  elif command -v systemctl >/dev/null 2>&1; then
    run_live systemctl disable --now "$unit_name" 2>/dev/null || true
  fi
}

if [ "$action" = "uninstall" ]; then
  stop_service
  rm -rf "$root$libdir" "$root$docdir"
  rm -f "$root$bindir/patchbay" "$root$unit_dir/$unit_name"
  if [ "$os" != "Darwin" ] && command -v systemctl >/dev/null 2>&1; then run_live systemctl daemon-reload; fi
  if [ "$purge" -eq 1 ]; then
    rm -rf "$root$etc" "$root$data" ${logs:+"$root$logs"}
    if [ "$os" != "Darwin" ] && getent passwd "$user" >/dev/null 2>&1; then run_live userdel "$user"; fi
  else
    say "kept $etc (configuration) and $data (projects, state); --purge removes them"
  fi
  say "patchbay removed"
  exit 0
fi

if [ "$live" -eq 1 ] && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: installing as a service needs root (or use --root DIR to stage)" >&2
  exit 1
fi

mkdir -p "$root$bindir" "$root$etc" "$root$data" "$root$unit_dir" "$root$docdir"
if [ -n "$binary" ]; then
  say "installing the single binary $binary"
  install -m 0755 "$binary" "$root$bindir/patchbay"
  rm -rf "$root$libdir"
else
  command -v node >/dev/null 2>&1 || { echo "install.sh: Node.js >= 20 is needed to run patchbay" >&2; exit 1; }
  if [ ! -f "$repo/dist/agent/main.js" ]; then
    say "no compiled build in $repo/dist: running npm run build"
    (cd "$repo" && npm run --silent build)
  fi
  say "installing the compiled build into $libdir"
  rm -rf "$root$libdir"
  mkdir -p "$root$libdir/dist"
  cp -R "$repo/dist/agent" "$repo/dist/src" "$root$libdir/dist/"
  if [ -d "$repo/dist/web" ]; then cp -R "$repo/dist/web" "$root$libdir/dist/"; fi
  cp "$repo/package.json" "$repo/package-lock.json" "$root$libdir/"
  # Copy the tree's production modules (npm lists them; nested ones come with their parent), then let npm prune what
  # it would not keep: works offline, keeps exactly the locked versions, and never copies the ~250 MiB of dev tools
  # (TypeScript, Deno, esbuild, ...) only to delete them.
  mkdir -p "$root$libdir/node_modules"
  (cd "$repo" && npm ls --omit=dev --all --parseable 2>/dev/null || true) | while IFS= read -r dir; do
    case "$dir" in
      "$repo"/node_modules/*/node_modules/*) ;;
      "$repo"/node_modules/*)
        mkdir -p "$(dirname "$root$libdir/${dir#"$repo"/}")"
        cp -R "$dir" "$root$libdir/${dir#"$repo"/}" ;;
    esac
  done
  (cd "$root$libdir" && npm prune --omit=dev --offline --no-audit --no-fund >/dev/null 2>&1)
  # Found relative to the script, so a staged tree (--root) runs as well as the installed one.
  cat > "$root$bindir/patchbay" <<'EOF'
#!/bin/sh
# patchbay's compiled JavaScript (installed by packaging/install.sh), run by Node >= 20.
# A 1 MiB young generation: ~11 MiB less RSS with 100 nodes running, no measurable cost; at most 4 glibc malloc
# arenas instead of one per thread: ~4 MiB less with 100 nodes linked and started (docs/performance.md).
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-4}"
lib="$(cd "$(dirname "$0")/../lib/patchbay" && pwd)"
exec node --max-semi-space-size=1 "$lib/dist/agent/main.js" "$@"
EOF
  chmod 0755 "$root$bindir/patchbay"
fi
install -m 0644 "$repo/docs/operations.md" "$root$docdir/operations.md"

# The configuration is the operator's: never overwritten, created once with a random API password.
config="$root$etc/patchbay.json"
if [ ! -e "$config" ]; then
  password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=' | head -c 20)"
  sed -e "s#@PASSWORD@#$password#" -e "s#/var/lib/patchbay#$data#g" "$repo/packaging/patchbay.example.json" > "$config"
  chmod 0640 "$config"
  say "created $etc/patchbay.json (API user gns3, password in the file)"
else
  say "kept existing $etc/patchbay.json"
fi

if [ "$os" = "Darwin" ]; then
  sed "s#@BINDIR@#$bindir#g" "$repo/packaging/net.patchbay.agent.plist" > "$root$unit_dir/$unit_name"
  chmod 0644 "$root$unit_dir/$unit_name"
  mkdir -p "$root$logs"
else
  sed "s#@BINDIR@#$bindir#g" "$repo/packaging/patchbay-agent.service" > "$root$unit_dir/$unit_name"
  chmod 0644 "$root$unit_dir/$unit_name"
fi

if [ "$live" -eq 1 ]; then
  if [ "$os" = "Darwin" ]; then
    dscl . -read "/Users/$user" >/dev/null 2>&1 || say "create the $user user first (see docs/operations.md)"
    chown -R "$user" "$data" "$logs"
    chgrp "$user" "$config" 2>/dev/null || true
    if [ "$start" -eq 1 ]; then launchctl bootstrap system "$unit_dir/$unit_name"; fi
  else
    getent passwd "$user" >/dev/null || useradd --system --user-group --home-dir "$data" --shell /usr/sbin/nologin "$user"
    if getent group kvm >/dev/null; then usermod -a -G kvm "$user"; fi
    chown -R "$user:$user" "$data"
    chgrp "$user" "$config"
    systemctl daemon-reload
    if [ "$start" -eq 1 ]; then systemctl enable --now "$unit_name"; else systemctl enable "$unit_name"; fi
  fi
else
  say "(staged, skipped) create user $user, chown $data, enable and start $unit_name"
fi
say "installed into ${root:-/} (prefix $prefix)"
