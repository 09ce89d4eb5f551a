#!/gns3/bin/sh
# patchbay container init. Docker runs it as the container's first process with the image's entrypoint and command
# as arguments; it prepares the network side, then replaces itself with that command (which thus becomes PID 1).
# /gns3 is a read-only bind of the agent's resources: bin/busybox is the host's static busybox (Debian's
# busybox-static), bin/<applet> are symlinks to it, so nothing here depends on what the image ships.
# Environment set by the agent: GNS3_MAX_ETHERNET (last interface the agent moves in), GNS3_USER (the image's USER),
# GNS3_EXTRA_HOSTS (lines "address<TAB>name").

image_path="$PATH"
PATH="/gns3/bin:$PATH"
export PATH

# 1. The agent moves one TAP device per adapter into this network namespace after the container started, last one
#    last: wait for it, then bring every interface up.
if [ -n "$GNS3_MAX_ETHERNET" ] && [ "$GNS3_MAX_ETHERNET" != "eth-1" ]; then
  until grep -q "^ *$GNS3_MAX_ETHERNET:" /proc/net/dev; do usleep 20000; done
fi
ip link set lo up
for dev in $(sed -n 's/^ *\(eth[0-9]*\):.*/\1/p' /proc/net/dev); do
  ip link set "$dev" up
done

# 2. /etc/hosts: a default when Docker left it empty, then the node's extra hosts between markers (replaced on every
#    start). Docker bind-mounts this file, so it is rewritten in place, never renamed.
if [ -w /etc/hosts ]; then
  if [ ! -s /etc/hosts ]; then
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" >/etc/hosts
  fi
  kept="$(sed '/^# GNS3_EXTRA_HOSTS_START$/,/^# GNS3_EXTRA_HOSTS_END$/d' /etc/hosts)"
  if [ -n "$GNS3_EXTRA_HOSTS" ]; then
    printf '%s\n# GNS3_EXTRA_HOSTS_START\n%s\n# GNS3_EXTRA_HOSTS_END\n' "$kept" "$GNS3_EXTRA_HOSTS" >/etc/hosts
  else
    printf '%s\n' "$kept" >/etc/hosts
  fi
fi

# 3. /etc/network is the node's persistent directory: apply its interfaces file (static addresses, DHCP, hooks).
if [ -f /etc/network/interfaces ]; then
  mkdir -p /run /var/run 2>/dev/null
  ifup -a -f
fi

# 4. Run the command as the image's user: "name", "uid", "name:group" or "uid:gid" (Docker's USER forms). busybox's
#    su cannot take a group, so start-stop-daemon switches: initgroups, setgid, setuid, then exec (the command stays
#    PID 1). It refuses to start what already runs, so it is given a pid file that never names a process.
PATH="$image_path"
export PATH
user="${GNS3_USER%%:*}"
group=""
case "$GNS3_USER" in *:*) group="${GNS3_USER#*:}" ;; esac
if [ -z "$group" ] && { [ -z "$user" ] || [ "$user" = "root" ] || [ "$user" = "0" ]; }; then
  exec "$@"
fi
[ -n "$user" ] || user=root
case "$user" in
  *[!0-9]*) entry="$(/gns3/bin/awk -F: -v u="$user" '$1 == u' /etc/passwd)" ;;
  *) entry="$(/gns3/bin/awk -F: -v u="$user" '$3 == u' /etc/passwd)" ;;
esac
if [ -z "$entry" ]; then
  echo "patchbay init: user '$user' is not in /etc/passwd" >&2
  exit 1
fi
HOME="$(echo "$entry" | /gns3/bin/cut -d: -f6)"
export HOME
command="$1"
shift
exec /gns3/bin/start-stop-daemon -S -p /dev/null -c "$user${group:+:$group}" -a "$command" -- "$@"
