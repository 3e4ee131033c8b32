#!/usr/bin/env bash
# Sets up tugboat's test bed on this machine (see /work/shared/TESTBED.md):
#   - a running Docker Engine (installs docker.io and starts dockerd if needed),
#   - the test images, built offline from Debian packages, each only when missing:
#       tugboat-test/debian:bookworm   debootstrap minbase, docker import
#       tugboat-test/debian:trixie     same, trixie
#       tugboat-test/busybox:latest    FROM scratch + static busybox (~2 MB), httpd on :8080
#       tugboat-test/dind:bookworm     docker.io 20.10 (Docker-in-Docker host, see scripts/dind.sh)
#       tugboat-test/dind:trixie       docker.io 26.1 (needs DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1)
#       tugboat-test/dind-ssh:trixie   dind:trixie + sshd (root, keys only), engine on the unix socket
# Idempotent: when everything exists it only checks, in about a second.
# Environment:
#   CI=true                  fail (exit 1) when no engine can be started; otherwise warn and exit 0
#   TUGBOAT_DEBIAN_MIRROR    Debian mirror for debootstrap and images (default http://deb.debian.org/debian)
#   TUGBOAT_TESTBED_REBUILD  set to 1 to rebuild all images
set -euo pipefail

MIRROR=${TUGBOAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${TUGBOAT_DEBIAN_SECURITY_MIRROR:-${MIRROR%/debian}/debian-security}
WORK=/var/tmp/tugboat-testbed            # build dirs, removed after each build
CACHE=/var/cache/tugboat-testbed         # debootstrap's downloaded .debs, kept between builds
DOCKERD_LOG=/var/log/dockerd.log
BUSYBOX_IMAGE=tugboat-test/busybox:latest

# The legacy builder needs no buildx plugin and works with every CLI/engine pair here.
export DOCKER_BUILDKIT=0
export DEBIAN_FRONTEND=noninteractive

START=$SECONDS
log() { printf 'testbed: %s\n' "$*" >&2; }
die() { printf 'testbed: ERROR: %s\n' "$*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" -eq 0 ] || die "$1 needs root (run as root, or build the test bed once as root)"
}

APT_UPDATED=
apt_update() {
  [ -n "$APT_UPDATED" ] && return 0
  need_root "apt-get"
  log "apt-get update"
  quiet apt-get update || die "apt-get update failed"
  APT_UPDATED=1
}

apt_install() {
  apt_update
  log "apt-get install $*"
  quiet apt-get install -y --no-install-recommends "$@" || die "apt-get install $* failed"
}

# Runs a command with its output kept back, shown (the end of it) only if it fails.
quiet() {
  local out rc=0
  out=$(mktemp)
  "$@" >"$out" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] || tail -n 25 "$out" >&2
  rm -f "$out"
  return "$rc"
}

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

needs_build() {
  [ "${TUGBOAT_TESTBED_REBUILD:-0}" = 1 ] || ! have_image "$1"
}

# Removes a build dir, first unmounting anything a killed debootstrap left mounted in it.
clean_dir() {
  local dir=$1 m
  [ -e "$dir" ] || return 0
  while read -r m; do umount -l "$m" 2>/dev/null || true; done \
    < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -rf --one-file-system "$dir"
}

# ---------------------------------------------------------------- engine

ensure_engine() {
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
      apt_install docker.io
    fi
  fi
  if command -v dockerd >/dev/null && [ "$(id -u)" -eq 0 ]; then
    if command -v pgrep >/dev/null && pgrep -x dockerd >/dev/null; then
      log "dockerd is running but not answering yet; waiting"
    else
      # A pid file left by an engine that died names a pid some other
      # process may have now: dockerd then waits on a containerd that is
      # not there and gives up ("containerd is still running").
      local pidfile
      for pidfile in /var/run/docker/containerd/containerd.pid /var/run/docker.pid; do
        if [ -f "$pidfile" ] && ! ps -p "$(cat "$pidfile")" -o comm= 2>/dev/null | grep -q -e containerd -e dockerd; then
          log "removing a stale $pidfile"
          rm -f "$pidfile"
        fi
      done
      log "starting dockerd (log: $DOCKERD_LOG)"
      setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
    fi
    local _
    for _ in $(seq 100); do
      docker info >/dev/null 2>&1 && { log "engine up after $((SECONDS - START)) s"; return 0; }
      sleep 0.2
    done
  fi
  local why
  why="no Docker engine answers 'docker info'${DOCKER_HOST:+ at DOCKER_HOST=$DOCKER_HOST}: $(docker info 2>&1 >/dev/null | tail -n 2)"
  [ -f "$DOCKERD_LOG" ] && why="$why; last lines of $DOCKERD_LOG:"$'\n'"$(tail -n 15 "$DOCKERD_LOG")"
  if [ "${CI:-}" = true ]; then
    die "$why"
  fi
  log "WARNING: $why"
  log "WARNING: skipping the test images; tests that need Docker will fail"
  exit 0
}

# ---------------------------------------------------------------- images

# tugboat-test/debian:SUITE: a minbase debootstrap, imported as one layer.
build_debian() {
  local suite=$1 image=tugboat-test/debian:$1
  needs_build "$image" || return 0
  need_root "debootstrap"
  command -v debootstrap >/dev/null || apt_install debootstrap
  local dir=$WORK/rootfs-$suite t0=$SECONDS
  clean_dir "$dir"
  mkdir -p "$dir" "$CACHE/debootstrap-$suite"
  log "building $image (debootstrap --variant=minbase $suite, ~30-60 s)"
  if ! debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-$suite" \
      "$suite" "$dir/rootfs" "$MIRROR" >"$dir/debootstrap.log" 2>&1; then
    tail -n 20 "$dir/debootstrap.log" >&2
    [ -f "$dir/rootfs/debootstrap/debootstrap.log" ] && tail -n 20 "$dir/rootfs/debootstrap/debootstrap.log" >&2
    clean_dir "$dir"
    die "debootstrap $suite failed"
  fi
  local root=$dir/rootfs
  rm -f "$root"/etc/apt/sources.list.d/*
  cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $suite main
deb $MIRROR $suite-updates main
deb $SECURITY_MIRROR $suite-security main
EOF
  # Small images: no downloaded .debs, lists, docs or man pages.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
  cat >"$root/etc/dpkg/dpkg.cfg.d/tugboat-nodoc" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
EOF
  cat >"$root/etc/apt/apt.conf.d/tugboat-small" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
EOF
  tar --numeric-owner -C "$root" -c . |
    docker import --change 'CMD ["/bin/bash"]' --change 'ENV LANG=C.UTF-8' - "$image" >/dev/null ||
    { clean_dir "$dir"; die "docker import $image failed"; }
  clean_dir "$dir"
  log "built $image in $((SECONDS - t0)) s"
}

# tugboat-test/busybox:latest: FROM scratch + Debian's static busybox.
# Default: httpd on :8080 serving /www, where GET / answers the container's hostname
# (cgi-bin/index.cgi, run by busybox httpd for a directory without index.html).
build_busybox() {
  local image=$BUSYBOX_IMAGE
  needs_build "$image" || return 0
  local dir=$WORK/busybox t0=$SECONDS
  clean_dir "$dir"
  mkdir -p "$dir/deb" "$dir/ctx/www/cgi-bin"
  log "building $image (Debian busybox-static)"
  (cd "$dir/deb" && apt-get download busybox-static >/dev/null 2>&1) || {
    apt_update
    (cd "$dir/deb" && apt-get download busybox-static >&2) || die "apt-get download busybox-static failed"
  }
  dpkg-deb -x "$dir"/deb/busybox-static_*.deb "$dir/deb/x"
  install -m 0755 "$dir/deb/x/bin/busybox" "$dir/ctx/busybox"
  cat >"$dir/ctx/www/cgi-bin/index.cgi" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
hostname
EOF
  chmod 0755 "$dir/ctx/www/cgi-bin/index.cgi"
  cat >"$dir/ctx/Dockerfile" <<'EOF'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox --install -s /bin && mkdir -p /tmp /root /etc /var/run && chmod 1777 /tmp && echo 'root:x:0:0:root:/root:/bin/sh' >/etc/passwd && echo 'root:x:0:' >/etc/group"]
COPY www /www
ENV PATH=/bin
EXPOSE 8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
EOF
  docker build -q -t "$image" "$dir/ctx" >/dev/null 2>"$dir/build.log" ||
    { cat "$dir/build.log" >&2; clean_dir "$dir"; die "docker build $image failed"; }
  clean_dir "$dir"
  log "built $image in $((SECONDS - t0)) s"
}

# tugboat-test/dind:SUITE: Debian SUITE + docker.io, a Docker host to run inside a container.
build_dind() {
  local suite=$1 image=tugboat-test/dind:$1 extra=
  needs_build "$image" || return 0
  # From trixie on, the docker CLI is its own package; tests `docker exec HOST docker …`.
  [ "$suite" = bookworm ] || extra=docker-cli
  local dir=$WORK/dind-$suite t0=$SECONDS
  clean_dir "$dir"
  mkdir -p "$dir"
  log "building $image (apt-get install docker.io in tugboat-test/debian:$suite)"
  cat >"$dir/Dockerfile" <<EOF
FROM tugboat-test/debian:$suite
RUN apt-get update \\
 && apt-get install -y --no-install-recommends docker.io $extra iptables ca-certificates \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# Engine 26 refuses to start in these containers without it; harmless for 20.10.
ENV DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1
EXPOSE 2375
CMD ["dockerd", "-H", "tcp://0.0.0.0:2375", "-H", "unix:///var/run/docker.sock", "--tls=false"]
EOF
  docker build -t "$image" "$dir" >"$dir/build.log" 2>&1 ||
    { tail -n 30 "$dir/build.log" >&2; clean_dir "$dir"; die "docker build $image failed"; }
  clean_dir "$dir"
  log "built $image in $((SECONDS - t0)) s"
}

# tugboat-test/dind-ssh:trixie: a Docker host reached over ssh:// (TESTBED.md §4).
# sshd on :22 takes root logins by key only (the test copies in authorized_keys);
# clients run `docker system dial-stdio` there, so the engine needs no TCP socket.
build_dind_ssh() {
  local image=tugboat-test/dind-ssh:trixie
  needs_build "$image" || return 0
  local dir=$WORK/dind-ssh t0=$SECONDS
  clean_dir "$dir"
  mkdir -p "$dir"
  log "building $image (apt-get install openssh-server in tugboat-test/dind:trixie)"
  cat >"$dir/start.sh" <<'EOF'
#!/bin/sh
# Host keys are made on first start, so every container has its own.
set -e
ssh-keygen -A
mkdir -p /run/sshd /root/.ssh
chmod 0700 /root/.ssh
/usr/sbin/sshd
exec dockerd -H unix:///var/run/docker.sock
EOF
  cat >"$dir/Dockerfile" <<'EOF'
FROM tugboat-test/dind:trixie
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssh-server \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && rm -f /etc/ssh/ssh_host_*
RUN printf '%s\n' 'PermitRootLogin prohibit-password' 'PasswordAuthentication no' \
      'KbdInteractiveAuthentication no' 'UseDNS no' >/etc/ssh/sshd_config.d/tugboat.conf
COPY start.sh /usr/local/bin/tugboat-dind-ssh
RUN chmod 0755 /usr/local/bin/tugboat-dind-ssh
EXPOSE 22
CMD ["/usr/local/bin/tugboat-dind-ssh"]
EOF
  docker build -t "$image" "$dir" >"$dir/build.log" 2>&1 ||
    { tail -n 30 "$dir/build.log" >&2; clean_dir "$dir"; die "docker build $image failed"; }
  clean_dir "$dir"
  log "built $image in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------- main

ensure_engine

# One builder at a time per machine (two checkouts running tests at once).
if [ "$(id -u)" -eq 0 ]; then
  LOCK=/run/lock/tugboat-testbed.lock
  [ -d /run/lock ] || LOCK=/var/tmp/tugboat-testbed.lock
  exec 9>"$LOCK"
  flock 9
fi

# The end-to-end test drives the real binary in tmux.
command -v tmux >/dev/null || apt_install tmux

build_busybox

# The two Debian chains (debootstrap, then docker.io on top) mostly wait on the
# network and dpkg, so they run side by side. apt-get runs here first, never in both.
SUITES=(bookworm trixie)
for suite in "${SUITES[@]}"; do
  if needs_build "tugboat-test/debian:$suite"; then
    need_root "debootstrap"
    command -v debootstrap >/dev/null || apt_install debootstrap
  fi
done
declare -A PIDS=()
for suite in "${SUITES[@]}"; do
  if needs_build "tugboat-test/debian:$suite" || needs_build "tugboat-test/dind:$suite"; then
    ( build_debian "$suite"; build_dind "$suite" ) &
    PIDS[$suite]=$!
  fi
done
FAILED=
for suite in "${!PIDS[@]}"; do
  wait "${PIDS[$suite]}" || FAILED="$FAILED $suite"
done
[ -z "$FAILED" ] || { rmdir "$WORK" 2>/dev/null || true; die "building the images for:$FAILED failed (see above)"; }

# The SSH host builds on tugboat-test/dind:trixie, so it comes after the chains.
build_dind_ssh
rmdir "$WORK" 2>/dev/null || true

# ZooKeeper, HAProxy and MariaDB, on tugboat-test/debian:bookworm.
"$(dirname "${BASH_SOURCE[0]}")/images/build.sh" || die "building the service images failed (see above)"

log "ready in $((SECONDS - START)) s: $(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}' 2>/dev/null)"
