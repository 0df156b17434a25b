#!/usr/bin/env bash
# `make test-deploy`: install Encore into a fresh Debian Bookworm root made with debootstrap
# and check the result, as on a Raspberry Pi with Raspberry Pi OS Bookworm (Python 3.11).
#
#  1. debootstrap bookworm once (cached as build/bookworm-base.tar), unpack a fresh root;
#  2. bind-mount the repo read-only at /src, the local wheel folder at /wheels and the
#     host's file:// package indexes; copy the host's pip and DNS config (test only);
#  3. run /src/deploy/install.sh --wheels /wheels --library /srv/music inside the root
#     (no systemd runs in a chroot: enabling is checked through the wants/ symlinks);
#  4. `encorectl doctor --json` (everything but the sound card must pass; there is none
#     here), `encorectl simulate` on one committed clip (the loop must wake, transcribe and
#     reply; what it understood is the speech tests' business), `systemd-analyze verify`;
#     then the same clip under encore.service's own sandbox: the root booted with
#     systemd-nspawn runs it as a oneshot unit made from the installed unit;
#  5. re-run from outside with --root (upgrade in place: config and data kept), then
#     --uninstall (data kept) and --uninstall --purge.
# Times and disk footprint go to build/test-deploy-summary.txt.
#
# Needs root, debootstrap and network access to a Debian mirror and the Python index.
# Variables: DEBIAN_MIRROR, ENCORE_WHEELS (dir with torch-2.13.0+cpu), ENCORE_TEST_CLIP,
# ENCORE_BUILD_DIR (default build/), KEEP_ROOT=1 to keep the mounts for a look around.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ENCORE_BUILD_DIR:-$REPO/build}"
ROOTFS="$BUILD/chroot"
BASE_TAR="$BUILD/bookworm-base.tar"
SUMMARY="$BUILD/test-deploy-summary.txt"
SUITE="bookworm"
TEST_CA="/etc/encore-test-ca.crt"
MOUNTS=()
WHEELS_DIR=""

log() { printf '\n== test-deploy: %s\n' "$*"; }
die() { printf 'test-deploy: FAILED: %s\n' "$*" >&2; exit 1; }

# The Debian mirror this machine's apt uses (deb822 or one-line format).
detect_mirror() {
    local url
    url="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
           | tr ' ' '\n' | grep -v -e security -e '^$' | head -n 1 || true)"
    if [[ -z $url ]]; then
        url="$(grep -h -E '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
               2>/dev/null | grep -v security | awk '{print $2}' | grep -E 'debian/?$' \
               | head -n 1 || true)"
    fi
    printf '%s' "${url:-http://deb.debian.org/debian}"
}

# Folders pip reads packages from on this machine (file:// indexes and find-links).
pip_local_dirs() {
    local line
    {
        python3 -m pip config list 2>/dev/null || pip config list 2>/dev/null || true
        env | grep -E '^PIP_(FIND_LINKS|EXTRA_INDEX_URL|INDEX_URL)=' || true
    } | while IFS= read -r line; do
        case "$line" in
            *find-links=*|*index-url=*|PIP_FIND_LINKS=*|PIP_*INDEX_URL=*) ;;
            *) continue ;;
        esac
        line="${line#*=}"
        line="${line//\'/}"
        tr ' ' '\n' <<<"$line"
    done | sed -n -e 's#^file://##p' -e '/^\//p' | sed 's#/simple/\{0,1\}$##' | sort -u
}

detect_wheels() {
    local dir
    if [[ -n ${ENCORE_WHEELS:-} ]]; then
        printf '%s' "$ENCORE_WHEELS"
        return 0
    fi
    for dir in $(pip_local_dirs) /opt/wheels; do
        if compgen -G "$dir/torch-2.13.0+cpu-*.whl" >/dev/null; then
            printf '%s' "$dir"
            return 0
        fi
    done
    return 1
}

# MiB used by the root's own files (not the bind mounts).
root_size() {
    local d dirs=()
    for d in usr var etc root opt/encore; do
        [[ -e $ROOTFS/$d ]] && dirs+=("$ROOTFS/$d")
    done
    du -smc "${dirs[@]}" | tail -n 1 | cut -f1
}

mounted_under_root() {
    awk -v r="$ROOTFS" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts
}

unmount_all() {
    local m
    # Deepest first.
    for m in $(mounted_under_root | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    MOUNTS=()
}

cleanup() {
    local status=$?
    if [[ ${KEEP_ROOT:-0} == 1 ]]; then
        echo "test-deploy: KEEP_ROOT=1: mounts left in place; unmount with: umount -R $ROOTFS"
    else
        unmount_all
    fi
    exit "$status"
}

bind() {
    local src="$1" dest="$ROOTFS$2" opts="${3:-}"
    mkdir -p "$dest"
    mount --bind "$src" "$dest"
    if [[ $opts == ro ]]; then
        mount -o remount,bind,ro "$dest"
    fi
    MOUNTS+=("$dest")
}

make_base() {
    [[ -f $BASE_TAR ]] && return 0
    local mirror tmp started=$SECONDS
    mirror="$(detect_mirror)"
    tmp="$BUILD/bootstrap-tmp"
    log "debootstrap $SUITE from $mirror (cached afterwards in $BASE_TAR)"
    rm -rf "$tmp"
    debootstrap --arch="$(dpkg --print-architecture)" "$SUITE" "$tmp" "$mirror"
    # The mirror the root's apt uses: the same one.
    printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$SUITE" "$mirror" "$SUITE" \
        >"$tmp/etc/apt/sources.list"
    tar -C "$tmp" -cf "$BASE_TAR.tmp" .
    mv "$BASE_TAR.tmp" "$BASE_TAR"
    rm -rf "$tmp"
    echo "debootstrap took $((SECONDS - started)) s"
}

fresh_root() {
    [[ -z $(mounted_under_root) ]] || unmount_all
    [[ -z $(mounted_under_root) ]] || die "something is still mounted under $ROOTFS"
    rm -rf "$ROOTFS"
    mkdir -p "$ROOTFS"
    tar -C "$ROOTFS" -xf "$BASE_TAR"
}

setup_mounts() {
    local wheels="$1" dir
    mount -t proc proc "$ROOTFS/proc"
    bind /dev /dev
    bind /dev/pts /dev/pts
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$ROOTFS/dev/shm"
    bind "$REPO" /src ro
    bind "$wheels" /wheels ro
    for dir in $(pip_local_dirs); do
        [[ -d $dir ]] && bind "$dir" "$dir" ro
    done
    cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
    # The host's CA bundle and pip configuration, for this test only: the index this
    # machine reaches may sit behind a proxy with its own CA (the root's ca-certificates
    # would not know it). pip gets it through PIP_CERT; the root's own bundle is untouched.
    cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS$TEST_CA"
    [[ ! -f /etc/pip.conf ]] || cp /etc/pip.conf "$ROOTFS/etc/pip.conf"
    if [[ -d /etc/xdg/pip ]]; then
        mkdir -p "$ROOTFS/etc/xdg"
        cp -r /etc/xdg/pip "$ROOTFS/etc/xdg/"
    fi
    if [[ -f $HOME/.config/pip/pip.conf ]]; then
        mkdir -p "$ROOTFS/root/.config/pip"
        cp "$HOME/.config/pip/pip.conf" "$ROOTFS/root/.config/pip/pip.conf"
    fi
}

pick_clip() {
    local clip
    if [[ -n ${ENCORE_TEST_CLIP:-} ]]; then
        printf '%s' "$ENCORE_TEST_CLIP"
        return 0
    fi
    for clip in audio_assets/demo/01_*.flac audio_assets/demo/*.flac audio_assets/demo/*.wav; do
        if [[ -f $REPO/$clip ]]; then
            printf '%s' "$clip"
            return 0
        fi
    done
    return 1
}

# The host's PIP_* variables (test only), with the copied CA bundle.
pip_env() {
    env | grep -E '^PIP_' | grep -v '^PIP_CERT=' || true
    [[ ! -f $ROOTFS$TEST_CA ]] || printf 'PIP_CERT=%s\n' "$TEST_CA"
}

in_root() {
    local vars=()
    mapfile -t vars < <(pip_env)
    chroot "$ROOTFS" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 "${vars[@]}" "$@"
}

# "35 tracks" from doctor's library line (doctor exits 1 here: there is no sound card).
track_count() {
    { in_root encorectl doctor --json || true; } | grep -o '[0-9]* tracks' | head -n 1
}

check_doctor() {
    local json="$BUILD/test-deploy-doctor.json"
    in_root encorectl doctor --json >"$json" || true
    python3 - "$json" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
bad = [f for f in report["findings"] if f["status"] == "FAIL" and f["check"] != "audio"]
for f in report["findings"]:
    print(f"{f['status']:<4} {f['check']:<8} {f['message']}")
need = {("models", "OK"), ("database", "OK"), ("library", "OK")}
have = {(f["check"], f["status"]) for f in report["findings"]}
missing = need - have
if bad or missing:
    sys.exit(f"doctor: unexpected FAIL {bad} or missing OK {sorted(missing)}")
print("doctor: everything but the (absent) sound card is OK")
EOF
}

# Boot the root with systemd-nspawn and run `encore simulate` as a oneshot unit made from
# the installed encore.service (same user, sandbox and system-call filter; only ExecStart,
# Type and console output differ). The container exits with the unit's result.
check_sandboxed_service() {
    local clip="$1" unit="$ROOTFS/etc/systemd/system/encore-sandbox-check.service" status=0
    if ! command -v systemd-nspawn >/dev/null; then
        echo "systemd-nspawn missing (apt-get install systemd-container): sandbox run skipped"
        return 0
    fi
    cp "$REPO/$clip" "$ROOTFS/srv/sandbox-check.flac"
    sed -e 's#^ExecStart=.*#ExecStart=/opt/encore/bin/encore simulate --library /srv/music /srv/sandbox-check.flac#' \
        -e 's/^Type=exec/Type=oneshot/' -e '/^Restart/d' -e '/^StartLimit/d' \
        -e 's/^StandardOutput=journal$/StandardOutput=journal+console/' \
        -e 's/^StandardError=journal$/StandardError=journal+console/' \
        -e 's/^\[Unit\]$/[Unit]\nSuccessAction=exit-force\nFailureAction=exit-force\nFailureActionExitStatus=3/' \
        -e 's/^\[Service\]$/[Service]\nTimeoutStartSec=600/' \
        -e 's/^WantedBy=.*/WantedBy=multi-user.target/' \
        "$ROOTFS/etc/systemd/system/encore.service" >"$unit"
    systemctl --root="$ROOTFS" disable encore.service encore-rescan.timer
    systemctl --root="$ROOTFS" enable encore-sandbox-check.service
    unmount_all
    timeout 900 systemd-nspawn -D "$ROOTFS" --boot --private-network --register=no --keep-unit \
        >"$BUILD/test-deploy-nspawn.log" 2>&1 || status=$?
    grep -a 'encore\[' "$BUILD/test-deploy-nspawn.log" | tr -d '\r' || true
    systemctl --root="$ROOTFS" disable encore-sandbox-check.service
    rm -f "$unit" "$ROOTFS/srv/sandbox-check.flac"
    systemctl --root="$ROOTFS" enable encore.service encore-rescan.timer
    setup_mounts "$WHEELS_DIR"
    [[ $status -eq 0 ]] || die "the sandboxed service run failed (exit $status); see $BUILD/test-deploy-nspawn.log"
    grep -a -q ' said ' "$BUILD/test-deploy-nspawn.log" || die "the sandboxed run gave no reply"
    echo "sandboxed service run: OK"
}

main() {
    [[ $EUID -eq 0 ]] || die "run as root (debootstrap, chroot and mounts need it)"
    local tools=()
    command -v debootstrap >/dev/null || tools+=(debootstrap)
    command -v systemd-nspawn >/dev/null || tools+=(systemd-container)
    if [[ ${#tools[@]} -gt 0 ]]; then
        log "installing ${tools[*]}"
        apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${tools[@]}"
    fi
    local wheels clip started t_install t_reinstall
    wheels="$(detect_wheels)" || die "no torch-2.13.0+cpu wheel found; set ENCORE_WHEELS=DIR"
    WHEELS_DIR="$wheels"
    clip="$(pick_clip)" || die "no committed clip found; set ENCORE_TEST_CLIP=path/in/repo"
    mkdir -p "$BUILD"
    trap cleanup EXIT
    started=$SECONDS

    make_base
    log "fresh root in $ROOTFS"
    fresh_root
    local du_before
    du_before="$(root_size)"
    setup_mounts "$wheels"
    mkdir -p "$ROOTFS/srv/music"
    cp -r "$REPO/audio_assets/library/." "$ROOTFS/srv/music/"

    log "install.sh inside the root (wheels from $wheels)"
    local t0=$SECONDS
    in_root /src/deploy/install.sh --wheels /wheels --library /srv/music --wake-word hey_jarvis
    t_install=$((SECONDS - t0))

    log "checks"
    [[ -L $ROOTFS/etc/systemd/system/multi-user.target.wants/encore.service ]] \
        || die "encore.service not enabled"
    [[ -L $ROOTFS/etc/systemd/system/timers.target.wants/encore-rescan.timer ]] \
        || die "encore-rescan.timer not enabled"
    in_root systemd-analyze verify /etc/systemd/system/encore.service \
        /etc/systemd/system/encore-rescan.service /etc/systemd/system/encore-rescan.timer
    in_root python3 --version
    in_root /opt/encore/bin/python -c 'import torch; assert torch.version.cuda is None; print("torch", torch.__version__)'
    check_doctor
    local du_app du_data du_after
    du_app="$(du -sm "$ROOTFS/opt/encore" | cut -f1)"
    du_data="$(du -sm "$ROOTFS/var/lib/encore" | cut -f1)"
    du_after="$(root_size)"

    log "encore simulate on $clip"
    local turns
    turns="$(in_root encorectl simulate --library /srv/music "/src/$clip")"
    printf '%s\n' "$turns"
    grep -q ' woke ' <<<"$turns" || die "simulate: no wake word detected in $clip"
    grep -q ' heard ' <<<"$turns" || die "simulate: nothing transcribed"
    grep -q ' said ' <<<"$turns" || die "simulate: no reply"

    log "the same under encore.service's sandbox (systemd-nspawn --boot)"
    check_sandboxed_service "$clip"

    log "re-run from outside with --root (upgrade in place keeps config and data)"
    printf '\n# edited by the admin\n' >>"$ROOTFS/etc/encore/config.toml"
    local conf_before db_tracks_before
    conf_before="$(sha256sum <"$ROOTFS/etc/encore/config.toml")"
    db_tracks_before="$(track_count)"
    t0=$SECONDS
    PIP_CERT="$TEST_CA" "$REPO/deploy/install.sh" --root "$ROOTFS" --wheels /wheels --skip-doctor
    t_reinstall=$((SECONDS - t0))
    [[ "$(sha256sum <"$ROOTFS/etc/encore/config.toml")" == "$conf_before" ]] \
        || die "the edited config was overwritten"
    [[ ! -e $ROOTFS/etc/encore/config.toml.new ]] || die "config.toml.new written without new values"
    [[ "$(track_count)" == "$db_tracks_before" && -n $db_tracks_before ]] \
        || die "the library database changed on upgrade"

    log "uninstall keeps data; purge removes it"
    "$REPO/deploy/install.sh" --root "$ROOTFS" --uninstall
    [[ ! -e $ROOTFS/opt/encore && ! -e $ROOTFS/etc/systemd/system/encore.service ]] \
        || die "uninstall left /opt/encore or the unit"
    [[ ! -e $ROOTFS/etc/systemd/system/multi-user.target.wants/encore.service ]] \
        || die "uninstall left the wants/ link"
    [[ -f $ROOTFS/var/lib/encore/library.sqlite3 && -f $ROOTFS/etc/encore/config.toml ]] \
        || die "uninstall removed data or config"
    "$REPO/deploy/install.sh" --root "$ROOTFS" --uninstall --purge
    [[ ! -e $ROOTFS/var/lib/encore && ! -e $ROOTFS/etc/encore ]] || die "purge left data"
    ! grep -q '^encore:' "$ROOTFS/etc/passwd" || die "purge left the user"

    {
        echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  arch: $(uname -m)  cpus: $(nproc)"
        echo "fresh install (apt + venv + pip + models + scan + doctor): ${t_install} s"
        echo "re-run (upgrade in place): ${t_reinstall} s"
        echo "disk: /opt/encore ${du_app} MiB, /var/lib/encore ${du_data} MiB, root grew by $((du_after - du_before)) MiB (apt packages and their .deb cache included)"
        echo "whole test-deploy: $((SECONDS - started)) s"
    } | tee "$SUMMARY"
    log "passed"
}

main "$@"
