#!/usr/bin/env bash
# Builds the local test image from busybox-static: no registry is reachable, so we
# never pull. The image holds /bin/busybox and its applet links, nothing else.
set -euo pipefail
IMAGE="${GDM_TEST_IMAGE:-gdm-test-busybox:latest}"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "test image $IMAGE already present"
  exit 0
fi
# busybox-static's binary runs alone in an empty image; a dynamic busybox would not.
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] || { echo "busybox (Debian: busybox-static) is not installed" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/proc" "$root/sys" "$root/dev"
cp "$BUSYBOX" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/bin' \
  --change 'CMD ["/bin/sh"]' \
  - "$IMAGE" >/dev/null
echo "built test image $IMAGE"
