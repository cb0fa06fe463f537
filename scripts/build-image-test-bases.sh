#!/usr/bin/env bash
# Assembles the stand-in base images the image test (test/image) builds the Dockerfile on.
# No registry is reachable here, so node:20-bookworm, the distroless Node runtime and
# docker:27-cli cannot be pulled: each stand-in is a root filesystem taken from this
# (Debian bookworm) machine and loaded with `docker import`. Nothing is ever pulled.
#
#   gdm-test-node-build:20    Node + npm, python3, make, gcc/g++ and binutils, busybox as
#                             /bin/sh and coreutils, CA bundle: enough for `npm ci` (with
#                             better-sqlite3 compiled by node-gyp) and `npm run build`.
#   gdm-test-node-runtime:20  distroless-like: /nodejs/bin/node (where distroless puts it,
#                             not on PATH) + its shared libraries, passwd/group with
#                             nonroot (65532), CA bundle, /tmp, /home/nonroot. No shell.
#   gdm-test-compose-bin:1    /usr/local/libexec/docker/cli-plugins/docker-compose only:
#                             a stand-in (a node script, run through its #! line, that
#                             answers `version --short`), not a real compose.
#
# Idempotent: an image that exists is kept (remove it to rebuild). Needs root (reads
# system files) and, on the host: node, npm, python3.11, make, gcc-12/g++-12, binutils,
# busybox-static (installed with apt-get when missing and root on Debian).
set -euo pipefail

BUILD_IMAGE="${GDM_TEST_BUILD_BASE:-gdm-test-node-build:20}"
RUNTIME_IMAGE="${GDM_TEST_RUNTIME_BASE:-gdm-test-node-runtime:20}"
COMPOSE_IMAGE="${GDM_TEST_COMPOSE_BASE:-gdm-test-compose-bin:1}"
LABEL='gdm.test=image'
GCC_VERSION=12
PY=python3.11
TRIPLET=x86_64-linux-gnu

log() { echo "[image-test-bases] $*"; }
have_image() { docker image inspect "$1" >/dev/null 2>&1; }

if have_image "$BUILD_IMAGE" && have_image "$RUNTIME_IMAGE" && have_image "$COMPOSE_IMAGE"; then
  log "present: $BUILD_IMAGE $RUNTIME_IMAGE $COMPOSE_IMAGE"
  exit 0
fi

# --- what the host must provide --------------------------------------------------
missing=()
command -v busybox >/dev/null || missing+=(busybox-static)
command -v make >/dev/null || missing+=(make)
command -v "g++-$GCC_VERSION" >/dev/null || missing+=("g++-$GCC_VERSION")
[ -x "/usr/bin/$PY" ] || missing+=("$PY")
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "missing ${missing[*]} and cannot install them (need root on Debian)" >&2
    exit 1
  fi
  log "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
NODE=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")") # …/node_modules/npm
NODE_INCLUDE=$(dirname "$(dirname "$NODE")")/include/node              # headers for node-gyp
[ -f "$NODE_INCLUDE/node.h" ] || { log "no Node headers at $NODE_INCLUDE (node-gyp needs them offline)" >&2; exit 1; }
ldd "$(command -v busybox)" >/dev/null 2>&1 && { log "busybox must be busybox-static (a static binary)" >&2; exit 1; }
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
[ -f "$CA_BUNDLE" ] || { log "no CA bundle at $CA_BUNDLE" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=

# add PATH...: copies files, symlinks (and what they point to) or whole folders into
# $root at the same place. Folders are resolved first, so /lib/x/libc.so.6 lands in
# /usr/lib/x (the images use the merged-/usr layout, like Debian).
add() {
  local p d t
  for p in "$@"; do
    if [ ! -e "$p" ] && [ ! -L "$p" ]; then log "missing $p" >&2; exit 1; fi
    d=$(realpath "$(dirname "$p")")
    p="$d/$(basename "$p")"
    if [ -L "$p" ]; then
      [ -L "$root$p" ] && continue
      mkdir -p "$root$d"
      cp -a "$p" "$root$d/"
      t=$(readlink "$p")
      case $t in /*) ;; *) t="$d/$t" ;; esac
      add "$t"
    elif [ -d "$p" ]; then
      mkdir -p "$root$d"
      cp -a "$p" "$root$d/"
    elif [ ! -e "$root$p" ]; then
      mkdir -p "$root$d"
      cp -a "$p" "$root$d/"
    fi
  done
}

# add_libs BINARY...: the shared libraries the binaries load, and the dynamic loader.
add_libs() {
  local lib
  for lib in $(ldd "$@" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u); do
    add "$lib"
  done
}

# add_pkg PACKAGE EXCLUDE-REGEX: a Debian package's files (not its docs), minus EXCLUDE.
add_pkg() {
  local f
  while IFS= read -r f; do
    [ -d "$f" ] && [ ! -L "$f" ] && continue
    add "$f"
  done < <(dpkg -L "$1" | grep -v -E '^/usr/share/(doc|man|info|lintian|locale|bug|gdb)/' | grep -v -E "${2:-^$}")
}

new_root() {
  root="$work/$1"
  mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,tmp,proc,sys,dev}
  ln -s usr/bin "$root/bin"
  ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  chmod 1777 "$root/tmp"
  mkdir -p "$root/etc/ssl/certs"
  cp "$CA_BUNDLE" "$root/etc/ssl/certs/ca-certificates.crt"
}

import_root() { # import_root IMAGE --change…
  local image=$1
  shift
  tar --numeric-owner -C "$root" -c . | docker import --change "LABEL $LABEL" "$@" - "$image" >/dev/null
  log "built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

# --- (a) build stage: node, npm, python3, make, gcc/g++, binutils, busybox -------------
if have_image "$BUILD_IMAGE"; then
  log "present: $BUILD_IMAGE"
else
  new_root build
  mkdir -p "$root/root" "$root/usr/etc"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

  # Node and npm (npm's docs and man pages are not needed to run it).
  add "$NODE"
  ! command -v strip >/dev/null || strip "$root$NODE" # symbols: -12 MB
  [ "$NODE" = /usr/bin/node ] || ln -s "$NODE" "$root/usr/bin/node"
  mkdir -p "$root/usr/lib/node_modules"
  cp -a "$NPM_DIR" "$root/usr/lib/node_modules/npm"
  rm -rf "$root/usr/lib/node_modules/npm/"{docs,man}
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/bin/npx"
  # Node's headers so node-gyp needs no download (nodedir below); OpenSSL's per-platform
  # configuration headers only for this platform.
  mkdir -p "$root/usr/include"
  cp -a "$NODE_INCLUDE" "$root/usr/include/node"
  find "$root/usr/include/node/openssl/archs" -mindepth 1 -maxdepth 1 ! -name linux-x86_64 -exec rm -rf {} + 2>/dev/null || true
  # npm's global config for this machine: the CA bundle (the egress proxy's CA is in it)
  # and the local headers. A real node:20 image downloads the headers instead.
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nnodedir=/usr\nupdate-notifier=false\nfund=false\naudit=false\n' >"$root/usr/etc/npmrc"

  # Python for gyp: the minimal standard library and the few modules gyp adds to it
  # (found by tracing its imports: PYTHONPROFILEIMPORTTIME=1 node-gyp configure).
  add "/usr/bin/$PY" /usr/bin/python3
  add_pkg "lib${PY}-minimal" '__pycache__'
  add "/usr/lib/$PY/"{shlex,shutil,gettext}.py "/usr/lib/$PY/multiprocessing" "/usr/lib/$PY/lib-dynload/_typing.cpython-"*.so
  rm -rf "$root/usr/lib/$PY/multiprocessing/__pycache__"

  # make, the compilers' drivers and their programs, binutils.
  add /usr/bin/make /usr/bin/cc /usr/bin/c++ /usr/bin/gcc /usr/bin/g++ "/usr/bin/gcc-$GCC_VERSION" "/usr/bin/g++-$GCC_VERSION"
  gcclib="/usr/lib/gcc/$TRIPLET/$GCC_VERSION"
  add "$gcclib"/{cc1,cc1plus,collect2,lto-wrapper,liblto_plugin.so}
  add_pkg "libgcc-$GCC_VERSION-dev" '(asan|tsan|lsan|ubsan|hwasan|sanitizer|gomp|itm|quadmath|atomic|libbacktrace)|\.spec$'
  add_pkg "libstdc++-$GCC_VERSION-dev" '\.a$|/pretty-printers/|gdb'
  for tool in as ld ld.bfd ar ranlib nm strip objcopy; do add "/usr/bin/$TRIPLET-$tool"; done
  for tool in as ld ar ranlib nm strip; do add "/usr/bin/$tool"; done

  # glibc and kernel headers, link-time files (not the big static libraries).
  add_pkg libc6-dev '/lib(c|m-[0-9.]+|mvec|resolv)\.a$' # the stubs (libpthread.a, …) stay
  add_pkg linux-libc-dev
  add_libs "$root/usr/bin/"* "$gcclib"/{cc1,cc1plus,collect2,lto-wrapper,liblto_plugin.so}
  # All of glibc's libraries, as in a Debian image (native modules such as rolldown's
  # binding load librt.so.1; libm.so's linker script names libmvec.so.1).
  add $(dpkg -L libc6 | grep -E "/lib/$TRIPLET/[^/]+\.so[.0-9]*\$")
  add_libs "$root/usr/lib/$TRIPLET/"*.so* 2>/dev/null || true

  # busybox: /bin/sh and the coreutils npm scripts and gyp's Makefiles use (env, mkdir,
  # rm, cp, ln, sed, touch, …) where no real program is installed.
  cp "$(command -v busybox)" "$root/usr/bin/busybox"
  for applet in $("$root/usr/bin/busybox" --list); do
    [ -e "$root/usr/bin/$applet" ] || [ -L "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
  done

  import_root "$BUILD_IMAGE" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]'
fi

# --- (b) runtime: node and its libraries, nonroot, no shell ---------------------------
if have_image "$RUNTIME_IMAGE"; then
  log "present: $RUNTIME_IMAGE"
else
  new_root runtime
  mkdir -p "$root/nodejs/bin" "$root/home/nonroot" "$root/root"
  # Without debug information and the static symbol table (-12 MB here); the dynamic
  # symbols native addons link against stay.
  if command -v strip >/dev/null; then strip -o "$root/nodejs/bin/node" "$NODE"; else cp "$NODE" "$root/nodejs/bin/node"; fi
  add_libs "$NODE"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\n' >"$root/etc/group"
  chown 65532:65532 "$root/home/nonroot"
  chmod 700 "$root/root"
  import_root "$RUNTIME_IMAGE" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'USER 65532' \
    --change 'WORKDIR /home/nonroot' \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]'
fi

# --- (c) compose plugin stand-in -------------------------------------------------------
if have_image "$COMPOSE_IMAGE"; then
  log "present: $COMPOSE_IMAGE"
else
  root="$work/compose"
  plugin="$root/usr/local/libexec/docker/cli-plugins/docker-compose"
  mkdir -p "$(dirname "$plugin")"
  # Runs with the runtime's node through the #! line (there is no shell there). Real
  # compose is a static Go binary; this one only answers `version` so the service's
  # detection at boot can be seen working, and refuses everything else.
  cat >"$plugin" <<'EOF'
#!/nodejs/bin/node
// gui-docker-manager image test: stand-in for the compose v2 plugin. Not a real compose.
const args = process.argv.slice(2);
if (args[0] === 'version') {
  console.log(args.includes('--short') ? '2.0.0-gdm-test-standin' : 'Docker Compose version v2.0.0-gdm-test-standin');
} else {
  console.error('docker-compose stand-in (gui-docker-manager image test): only `version` is implemented');
  process.exitCode = 1;
}
EOF
  chmod 755 "$plugin"
  import_root "$COMPOSE_IMAGE" --change 'CMD ["/usr/local/libexec/docker/cli-plugins/docker-compose"]'
fi
