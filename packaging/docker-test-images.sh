#!/usr/bin/env bash
# Builds the local Docker images the Docker node tests and bench:docker use, from the host's static busybox
# (Debian's busybox-static). Nothing is pulled: each image is a `docker import` of a small root filesystem made here.
# Idempotent: an image is rebuilt only when the busybox it was made from changed.
#   pbdk-busybox:latest  busybox with every applet in /bin, /etc/passwd and /etc/group, empty /tmp /run /root /home,
#                        CMD ["/bin/sh"]
#   pbdk-busybox:config  the same root filesystem with USER, ENV, VOLUME, ENTRYPOINT and CMD set (settings GNS3 reads
#                        from an image config)
set -euo pipefail

busybox="${PATCHBAY_BUSYBOX:-/bin/busybox}"
[ -x "$busybox" ] || { echo "docker-test-images.sh: no busybox at $busybox (install busybox-static)" >&2; exit 1; }
sum="$(sha256sum "$busybox" | cut -c1-16)"

current() { docker image inspect -f '{{index .Config.Labels "patchbay.busybox"}}' "$1" 2>/dev/null || true; }

if [ "$(current pbdk-busybox:latest)" = "$sum" ] && [ "$(current pbdk-busybox:config)" = "$sum" ]; then
  exit 0
fi

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,etc,tmp,run,root,home/user,var/run,data}
chmod 1777 "$root/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
echo 'from-image' >"$root/data/image-file"
chown -R 1000:1000 "$root/home/user"

tar -C "$root" --numeric-owner -c . | docker import \
  --change 'CMD ["/bin/sh"]' \
  --change "LABEL patchbay.busybox=$sum" \
  - pbdk-busybox:latest >/dev/null
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'USER user' \
  --change 'ENV FOO_IMG=1 PATH=/bin' \
  --change 'VOLUME ["/data"]' \
  --change 'ENTRYPOINT ["/bin/sleep"]' \
  --change 'CMD ["1000"]' \
  --change "LABEL patchbay.busybox=$sum" \
  - pbdk-busybox:config >/dev/null
echo "docker-test-images.sh: built pbdk-busybox:latest and pbdk-busybox:config"
