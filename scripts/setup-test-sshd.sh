#!/usr/bin/env bash
# An sshd for the ssh:// engine tests (test/integration/engines-ssh.test.ts): Debian's
# openssh-server with its own config, host key, pid file and log under /run/gdm-test-sshd/,
# listening only on 127.0.0.1 (port 2222, or the next free one), key-only login for root
# with an ed25519 client key made here. The system's sshd (its config, port 22) is never
# touched. Sessions get DOCKER_HOST of the second test engine e2 (SetEnv), so
# `docker system dial-stdio` run over ssh reaches e2: the ssh engine is a genuinely different
# engine than the first one. Run after setup-test-engines.sh (it reads e2's URL from its file).
# Writes /run/gdm-test-sshd/sshd.env (read by test/helpers/test-sshd.ts).
#
# Idempotent: a running sshd with the same config is kept. Every wait has a time limit and
# says what it waited for.
set -euo pipefail

DIR=/run/gdm-test-sshd
ENGINES_ENV=/run/gdm-test-engines/engines.env
WAIT_SECONDS="${GDM_SSHD_WAIT_SECONDS:-30}"
SSHD=/usr/sbin/sshd

say() { echo "[test-sshd] $*"; }
fail() { echo "[test-sshd] ERROR: $*" >&2; exit 1; }

if [ ! -x "$SSHD" ]; then
  say "installing openssh-server (time limit 300 s)"
  export DEBIAN_FRONTEND=noninteractive
  if ! timeout 300 apt-get install -y --no-install-recommends openssh-server >/dev/null; then
    timeout 300 apt-get update >/dev/null || fail "apt-get update did not finish within 300 s"
    timeout 300 apt-get install -y --no-install-recommends openssh-server >/dev/null ||
      fail "apt-get install openssh-server failed or took more than 300 s"
  fi
fi

[ -f "$ENGINES_ENV" ] || fail "$ENGINES_ENV is missing: run scripts/setup-test-engines.sh first"
E2_HOST=$(sed -n 's/^GDM_E2_HOST=//p' "$ENGINES_ENV")
[ -n "$E2_HOST" ] || fail "no GDM_E2_HOST in $ENGINES_ENV"

mkdir -p "$DIR"
chmod 700 "$DIR"
# sshd refuses to start without its privilege separation folder (the Debian service makes it).
mkdir -p /run/sshd
chmod 755 /run/sshd

[ -f "$DIR/host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C gdm-test-sshd-host -f "$DIR/host_ed25519_key"
[ -f "$DIR/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C gdm-test-client -f "$DIR/client_key"
cp "$DIR/client_key.pub" "$DIR/authorized_keys"
chmod 600 "$DIR/authorized_keys" "$DIR/client_key" "$DIR/host_ed25519_key"

running_pid() {
  local pid
  pid=$(cat "$DIR/sshd.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

listening_on() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# Port: the one our sshd already uses, else 2222 or the next free one.
port=$(sed -n 's/^GDM_SSHD_PORT=//p' "$DIR/sshd.env" 2>/dev/null || true)
if [ -z "$port" ] || ! running_pid >/dev/null; then
  port=2222
  while listening_on "$port"; do
    port=$((port + 1))
    [ "$port" -le 2299 ] || fail "no free port in 2222-2299 on 127.0.0.1"
  done
fi

cat > "$DIR/sshd_config.new" <<EOF
# gui-docker-manager test sshd (scripts/setup-test-sshd.sh); not the system's sshd.
Port $port
ListenAddress 127.0.0.1
HostKey $DIR/host_ed25519_key
PidFile $DIR/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
AllowUsers root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PermitTunnel no
PrintMotd no
SetEnv DOCKER_HOST=$E2_HOST
EOF
"$SSHD" -t -f "$DIR/sshd_config.new" || fail "sshd refuses the config $DIR/sshd_config.new"

if pid=$(running_pid) && cmp -s "$DIR/sshd_config.new" "$DIR/sshd_config"; then
  rm -f "$DIR/sshd_config.new"
  say "sshd $pid already runs on 127.0.0.1:$port"
else
  if pid=$(running_pid); then
    say "config changed: stopping our sshd $pid"
    kill "$pid"
    for _ in $(seq 1 "$WAIT_SECONDS"); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    ! kill -0 "$pid" 2>/dev/null || fail "our sshd $pid did not exit within $WAIT_SECONDS s"
  fi
  mv "$DIR/sshd_config.new" "$DIR/sshd_config"
  "$SSHD" -f "$DIR/sshd_config" -E "$DIR/sshd.log"
  say "started sshd on 127.0.0.1:$port (log $DIR/sshd.log)"
fi

# The host key as a client's known_hosts line, for the engines file's ssh.knownHosts.
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$DIR/host_ed25519_key.pub")" > "$DIR/known_hosts"

ssh_e2_version() {
  timeout 15 ssh -q -p "$port" -i "$DIR/client_key" -o BatchMode=yes -o IdentitiesOnly=yes \
    -o UserKnownHostsFile="$DIR/known_hosts" -o StrictHostKeyChecking=yes \
    root@127.0.0.1 docker version --format '{{.Server.Version}}' 2>/dev/null
}
version=""
for _ in $(seq 1 "$WAIT_SECONDS"); do
  version=$(ssh_e2_version) && [ -n "$version" ] && break
  sleep 1
done
[ -n "$version" ] || fail "ssh root@127.0.0.1:$port did not reach e2 ($E2_HOST) with docker version within $WAIT_SECONDS s (see $DIR/sshd.log)"
say "ssh root@127.0.0.1:$port reaches e2 (engine $version)"

cat > "$DIR/sshd.env" <<EOF
GDM_SSHD_PORT=$port
GDM_SSHD_KEY=$DIR/client_key
GDM_SSHD_KNOWN_HOSTS=$DIR/known_hosts
GDM_SSHD_ENGINE_HOST=$E2_HOST
EOF
