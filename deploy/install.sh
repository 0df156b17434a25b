#!/usr/bin/env bash
# Install (or upgrade, or remove) Encore as a hardened system service on Debian 12+ /
# Raspberry Pi OS Bookworm, arm64 or x86_64. Run as root from a checkout of the repo:
#
#   sudo deploy/install.sh --library /srv/music [--mic NAME] [--speaker NAME]
#
# Idempotent: running it again upgrades Encore in place and keeps the data in
# /var/lib/encore and an edited /etc/encore/config.toml. See --help.
set -euo pipefail

readonly TORCH_VERSION="2.13.0"
readonly OPENWAKEWORD_VERSION="0.5.1"
readonly TORCH_CPU_INDEX="https://download.pytorch.org/whl/cpu"
readonly APP_DIR="/opt/encore"
readonly DATA_DIR="/var/lib/encore"
readonly CONF_DIR="/etc/encore"
readonly CONF_FILE="$CONF_DIR/config.toml"
readonly STATE_FILE="$CONF_DIR/.installer-state"
readonly UNIT_DIR="/etc/systemd/system"
readonly CTL_PATH="/usr/local/bin/encorectl"
readonly SERVICE_USER="encore"
readonly UNITS=(encore.service encore-rescan.service encore-rescan.timer)
readonly ENABLE_UNITS=(encore.service encore-rescan.timer)
readonly APT_PACKAGES=(ca-certificates espeak-ng libespeak-ng1 libportaudio2 libsndfile1
                       alsa-utils python3 python3-venv python3-dev build-essential)
# The environment encore.service runs with (deploy/encorectl uses the same).
readonly SERVICE_ENV=(ENCORE_DATA_DIR="$DATA_DIR" HOME="$DATA_DIR"
                      XDG_CACHE_HOME="$DATA_DIR/cache" PYTHONUNBUFFERED=1
                      PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$(cd "$SCRIPT_DIR/.." && pwd)"
ROOT="${ENCORE_PREFIX:-}"
DRY_RUN=0
UNINSTALL=0
PURGE=0
SKIP_DOCTOR=0
PRINT_CONFIG=0
WHEELS=""
LIBRARIES=()
MIC=""
SPEAKER=""
WAKE_WORD=""
MIC_SET=0
SPEAKER_SET=0
WAKE_SET=0
STAGE=""

usage() {
    cat <<'EOF'
Usage: sudo deploy/install.sh [OPTIONS]

Installs Encore into /opt/encore (virtual environment), its models into /var/lib/encore,
its configuration into /etc/encore/config.toml and the systemd units encore.service and
encore-rescan.timer, then runs `encore doctor`. Running it again upgrades in place.

Options:
  --library DIR      music folder to scan (repeat for several); kept from the last run
  --mic NAME         input device name (substring) or index, as `encore doctor` lists them
  --speaker NAME     output device name (substring) or index
  --wake-word NAME   hey_jarvis (default), hey_mycroft, alexa, hey_rhasspy or a .onnx path
  --wheels DIR       local wheel directory (e.g. holding torch-2.13.0+cpu for x86_64)
  --source DIR       Encore checkout to install (default: the one holding this script)
  --root DIR         install into the system rooted at DIR (commands run via chroot;
                     paths given to --wheels/--library are as seen inside DIR);
                     also ENCORE_PREFIX=DIR
  --dry-run          print every action, change nothing
  --uninstall        remove the service and /opt/encore; keep config and data
  --purge            with --uninstall: also remove /etc/encore, /var/lib/encore and the user
  --skip-doctor      do not run `encore doctor` at the end
  --print-config     print the config.toml this run would write, then exit
  -h, --help         show this help
EOF
}

say() { printf 'encore-install: %s\n' "$*"; }
warn() { printf 'encore-install: WARNING: %s\n' "$*" >&2; }
die() { printf 'encore-install: ERROR: %s\n' "$*" >&2; exit 1; }

# Path of a target-system path on this machine.
host_path() { printf '%s%s' "$ROOT" "$1"; }

# Print a command (to the plan on fd 3), then run it unless this is a dry run.
run() {
    {
        printf '+'
        printf ' %q' "$@"
        printf '\n'
    } >&3
    if [[ $DRY_RUN -eq 0 ]]; then
        "$@"
    fi
}

# With --root, commands run in the root's own environment: host paths in variables such as
# SSL_CERT_FILE or REQUESTS_CA_BUNDLE mean nothing there. PIP_* and proxies pass through.
root_env() {
    local name
    printf '%s\n' PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        LANG=C.UTF-8
    while IFS= read -r name; do
        printf '%s=%s\n' "$name" "${!name}"
    done < <(compgen -e | grep -E '^(PIP_[A-Z_]+|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)$' || true)
}

# Run a command inside the target system.
in_target() {
    if [[ -n $ROOT ]]; then
        local vars=()
        mapfile -t vars < <(root_env)
        run chroot "$ROOT" /usr/bin/env -i "${vars[@]}" "$@"
    else
        run "$@"
    fi
}

# Run a read-only query inside the target system, also in a dry run; never printed.
query_target() {
    if [[ -n $ROOT ]]; then
        local vars=()
        mapfile -t vars < <(root_env)
        chroot "$ROOT" /usr/bin/env -i "${vars[@]}" "$@"
    else
        "$@"
    fi
}

# Run a command inside the target system as the service user with the service environment.
as_service_user() {
    in_target runuser -u "$SERVICE_USER" -- env -i "${SERVICE_ENV[@]}" "$@"
}

# Write stdin to a target path with a mode, unless it already has exactly that content.
write_file() {
    local dest="$1" mode="$2" path content
    path="$(host_path "$dest")"
    content="$(cat)"
    if [[ -f $path ]] && [[ "$(cat "$path")" == "$content" ]]; then
        say "unchanged $dest"
        return 0
    fi
    printf '+ write %s (mode %s, %d bytes)\n' "$dest" "$mode" "${#content}"
    if [[ $DRY_RUN -eq 0 ]]; then
        local tmp
        tmp="$(mktemp "$path.XXXXXX")"
        printf '%s\n' "$content" >"$tmp"
        chmod "$mode" "$tmp"
        mv -f "$tmp" "$path"
    fi
}

install_file() {
    local src="$1" dest="$2" mode="$3"
    write_file "$dest" "$mode" <"$src"
}

parse_args() {
    while [[ $# -gt 0 ]]; do
        case "$1" in
            --library) [[ $# -ge 2 ]] || die "--library needs a folder"; LIBRARIES+=("$2"); shift 2 ;;
            --mic) [[ $# -ge 2 ]] || die "--mic needs a device name"; MIC="$2"; MIC_SET=1; shift 2 ;;
            --speaker) [[ $# -ge 2 ]] || die "--speaker needs a device name"
                SPEAKER="$2"; SPEAKER_SET=1; shift 2 ;;
            --wake-word) [[ $# -ge 2 ]] || die "--wake-word needs a name"
                WAKE_WORD="$2"; WAKE_SET=1; shift 2 ;;
            --wheels) [[ $# -ge 2 ]] || die "--wheels needs a folder"; WHEELS="$2"; shift 2 ;;
            --source) [[ $# -ge 2 ]] || die "--source needs a folder"; SOURCE="$2"; shift 2 ;;
            --root) [[ $# -ge 2 ]] || die "--root needs a folder"; ROOT="$2"; shift 2 ;;
            --dry-run) DRY_RUN=1; shift ;;
            --uninstall) UNINSTALL=1; shift ;;
            --purge) PURGE=1; shift ;;
            --skip-doctor) SKIP_DOCTOR=1; shift ;;
            --print-config) PRINT_CONFIG=1; shift ;;
            -h|--help) usage; exit 0 ;;
            *) usage >&2; die "unknown option '$1'" ;;
        esac
    done
    if [[ $PURGE -eq 1 && $UNINSTALL -eq 0 ]]; then
        die "--purge only goes with --uninstall"
    fi
    if [[ -n $ROOT ]]; then
        ROOT="$(cd "$ROOT" 2>/dev/null && pwd)" || die "--root $ROOT is not a folder"
        [[ $ROOT != / ]] || ROOT=""
    fi
    SOURCE="$(cd "$SOURCE" 2>/dev/null && pwd)" || die "--source $SOURCE is not a folder"
}

preflight() {
    local arch
    arch="$(uname -m)"
    case "$arch" in
        x86_64|aarch64) ;;
        armv7l|armv6l) die "Encore needs a 64-bit OS (found $arch); install the 64-bit Raspberry Pi OS" ;;
        *) die "unsupported machine $arch; Encore supports aarch64 (Raspberry Pi 4/5) and x86_64" ;;
    esac
    if [[ $DRY_RUN -eq 0 && $EUID -ne 0 ]]; then
        die "run as root (sudo $0 ...), or add --dry-run to see the plan"
    fi
    if [[ $UNINSTALL -eq 0 ]]; then
        [[ -f $SOURCE/pyproject.toml && -d $SOURCE/speaker ]] \
            || die "$SOURCE is not an Encore checkout; pass --source DIR"
    fi
    local os_release version_id="" id="" id_like=""
    os_release="$(host_path /etc/os-release)"
    if [[ -f $os_release ]]; then
        version_id="$(sed -n 's/^VERSION_ID="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$os_release")"
        id="$(sed -n 's/^ID=//p' "$os_release")"
        id_like="$(sed -n 's/^ID_LIKE=//p' "$os_release")"
    fi
    if [[ $id != debian && $id != raspbian && $id_like != *debian* ]]; then
        [[ $DRY_RUN -eq 1 ]] || die "this installer supports Debian 12+ / Raspberry Pi OS Bookworm (found '${id:-unknown}')"
        warn "not a Debian system (found '${id:-unknown}'); a real run would stop here"
    elif [[ -n $version_id && ${version_id%%.*} -lt 12 ]]; then
        die "Debian $version_id is too old; Encore needs Debian 12 (Bookworm) or newer (Python >= 3.11)"
    fi
    say "target: ${ROOT:-/} ($arch, ${id:-unknown} ${version_id:-?}); source: $SOURCE"
    [[ $DRY_RUN -eq 0 ]] || say "dry run: nothing is changed"
}

systemd_running() {
    [[ -z $ROOT && -d /run/systemd/system ]]
}

install_system_packages() {
    local missing=() pkg admindir
    admindir="$(host_path /var/lib/dpkg)"
    for pkg in "${APT_PACKAGES[@]}"; do
        if ! dpkg-query --admindir="$admindir" -W -f='${Status}\n' "$pkg" 2>/dev/null \
                | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        say "system packages present"
        return 0
    fi
    say "installing system packages: ${missing[*]}"
    in_target apt-get update -q
    in_target env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}"
}

create_user() {
    local passwd group_file
    passwd="$(host_path /etc/passwd)"
    group_file="$(host_path /etc/group)"
    if ! grep -q '^audio:' "$group_file" 2>/dev/null; then
        in_target groupadd --system audio
    fi
    if ! grep -q "^$SERVICE_USER:" "$passwd" 2>/dev/null; then
        in_target useradd --system --user-group --groups audio --home-dir "$DATA_DIR" \
            --no-create-home --shell /usr/sbin/nologin --comment "Encore speaker" "$SERVICE_USER"
    elif ! grep -q "^audio:.*[:,]$SERVICE_USER\(,\|$\)" "$group_file"; then
        in_target usermod -a -G audio "$SERVICE_USER"
    else
        say "user $SERVICE_USER exists (groups $SERVICE_USER, audio)"
    fi
}

create_dirs() {
    in_target install -d -m 0755 -o root -g root "$APP_DIR" "$CONF_DIR"
    in_target install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$DATA_DIR" \
        "$DATA_DIR/cache"
}

# Copy the checkout (without build products) to a staging folder inside the target, so
# pip can build it even from a read-only mount.
stage_source() {
    local stage_parent
    stage_parent="$(host_path /var/tmp)"
    if [[ $DRY_RUN -eq 1 ]]; then
        STAGE="/var/tmp/encore-src.XXXXXX"
        printf '+ copy %s to %s (without .git, .venv, build)\n' "$SOURCE" "$STAGE"
        return 0
    fi
    local host_stage
    host_stage="$(mktemp -d "$stage_parent/encore-src.XXXXXX")"
    STAGE="${host_stage#"$ROOT"}"
    trap 'rm -rf "$(host_path "$STAGE")"' EXIT
    printf '+ copy %s to %s (without .git, .venv, build)\n' "$SOURCE" "$STAGE"
    tar -C "$SOURCE" --exclude=./.git --exclude=./.venv --exclude=./build --exclude=./out \
        --exclude=__pycache__ --exclude=.mypy_cache --exclude=.ruff_cache \
        --exclude=.pytest_cache --exclude='*.egg-info' -cf - . | tar -C "$host_stage" -xf -
    chmod -R a+rX "$host_stage"
}

# Whether a local torch CPU wheel is available via --wheels or PIP_FIND_LINKS.
have_local_torch_wheel() {
    local dir dirs=()
    read -r -a dirs <<<"$WHEELS ${PIP_FIND_LINKS:-}"
    for dir in "${dirs[@]}"; do
        dir="${dir#file://}"
        if compgen -G "$(host_path "$dir")/torch-${TORCH_VERSION}+cpu-*.whl" >/dev/null; then
            return 0
        fi
    done
    return 1
}

install_python() {
    local py="$APP_DIR/bin/python" pip_args=() installed=""
    if [[ ! -x $(host_path "$py") ]]; then
        in_target python3 -m venv "$APP_DIR"
    elif ! query_target "$py" -c 'import sys' >/dev/null 2>&1; then
        warn "$APP_DIR has a broken interpreter (Python upgraded?); recreating it"
        in_target python3 -m venv --clear "$APP_DIR"
    else
        say "virtual environment $APP_DIR exists"
    fi
    [[ -z $WHEELS ]] || pip_args+=(--find-links "$WHEELS")

    if [[ -x $(host_path "$py") ]]; then
        installed="$(query_target "$py" -c 'import torch; print(torch.__version__)' 2>/dev/null \
                     || true)"
    fi
    if [[ $installed == "$TORCH_VERSION" || $installed == "$TORCH_VERSION+cpu" ]]; then
        say "torch $installed present"
    elif [[ $(uname -m) == aarch64 ]] || have_local_torch_wheel; then
        in_target "$py" -m pip install -q "${pip_args[@]}" "torch==$TORCH_VERSION"
    else
        say "no local torch-$TORCH_VERSION+cpu wheel: using PyTorch's CPU index (pass --wheels DIR to avoid it)"
        in_target "$py" -m pip install -q --index-url "$TORCH_CPU_INDEX" "torch==$TORCH_VERSION"
    fi
    if [[ $DRY_RUN -eq 0 ]]; then
        in_target "$py" -W ignore -c 'import sys, torch; sys.exit(torch.version.cuda is not None)' \
            || die "a CUDA build of torch got installed; pass --wheels DIR with torch-$TORCH_VERSION+cpu"
    fi

    local constraints="$STAGE/.torch-constraint.txt"
    if [[ $DRY_RUN -eq 0 ]]; then
        printf 'torch==%s\n' "$TORCH_VERSION" >"$(host_path "$constraints")"
    fi
    # --upgrade reinstalls Encore from the checkout; dependencies change only when needed.
    in_target "$py" -m pip install -q "${pip_args[@]}" --upgrade --upgrade-strategy only-if-needed \
        --constraint "$constraints" "$STAGE"
    in_target "$py" -m pip install -q "${pip_args[@]}" --no-deps \
        "openwakeword==$OPENWAKEWORD_VERSION"
    install_file "$SOURCE/README.md" "$APP_DIR/README.md" 0644
}

install_models() {
    as_service_user "$APP_DIR/bin/encore" models install
}

toml_string() {
    local s="${1//\\/\\\\}"
    printf '"%s"' "${s//\"/\\\"}"
}

toml_device() {
    if [[ $1 =~ ^[0-9]+$ ]]; then printf '%s' "$1"; else toml_string "$1"; fi
}

# Read the values the last run wrote, so a re-run without options keeps them.
load_state() {
    local file key value
    file="$(host_path "$STATE_FILE")"
    LAST_SHA=""
    [[ -f $file ]] || return 0
    local last_libs=()
    while IFS='=' read -r key value; do
        case "$key" in
            library) last_libs+=("$value") ;;
            mic) [[ $MIC_SET -eq 1 ]] || MIC="$value" ;;
            speaker) [[ $SPEAKER_SET -eq 1 ]] || SPEAKER="$value" ;;
            wake_word) [[ $WAKE_SET -eq 1 ]] || WAKE_WORD="$value" ;;
            config_sha256) LAST_SHA="$value" ;;
        esac
    done <"$file"
    if [[ ${#LIBRARIES[@]} -eq 0 && ${#last_libs[@]} -gt 0 ]]; then
        LIBRARIES=("${last_libs[@]}")
    fi
}

render_config() {
    local toml_dirs="" lib
    for lib in "${LIBRARIES[@]}"; do
        toml_dirs+="${toml_dirs:+, }$(toml_string "$lib")"
    done
    cat <<EOF
# Encore configuration, written by deploy/install.sh. Edit freely: the installer keeps an
# edited file (it writes config.toml.new next to it instead). Every key and its default:
# \`encorectl config show\`. Apply changes with: sudo systemctl restart encore

[paths]
data_dir = $(toml_string "$DATA_DIR")

[library]
# Folders the library scan and the hourly encore-rescan.timer read (must be readable by
# the user '$SERVICE_USER').
dirs = [$toml_dirs]

[audio]
# Device name (substring) or index as \`encorectl doctor\` lists them; "" = ALSA default.
input_device = $(toml_device "$MIC")
output_device = $(toml_device "$SPEAKER")

[wake]
model = $(toml_string "${WAKE_WORD:-hey_jarvis}")
EOF
}

write_config() {
    local path new_sha current_sha="" content lib
    path="$(host_path "$CONF_FILE")"
    load_state
    content="$(render_config)"
    new_sha="$(printf '%s\n' "$content" | sha256sum | cut -d' ' -f1)"
    [[ ! -f $path ]] || current_sha="$(sha256sum "$path" | cut -d' ' -f1)"
    if [[ -z $current_sha || $current_sha == "$LAST_SHA" || $current_sha == "$new_sha" ]]; then
        # World-readable (no secrets in it): a user-session Encore reads it too.
        printf '%s\n' "$content" | write_file "$CONF_FILE" 0644
    else
        say "keeping edited $CONF_FILE"
        # Offer the new values only when they differ from what the last run wrote.
        if [[ $new_sha != "$LAST_SHA" && $new_sha != "$current_sha" ]]; then
            printf '%s\n' "$content" | write_file "$CONF_FILE.new" 0644
            say "the settings from this run are in $CONF_FILE.new; merge them by hand"
        fi
        new_sha="$current_sha"
    fi
    {
        for lib in "${LIBRARIES[@]}"; do printf 'library=%s\n' "$lib"; done
        printf 'mic=%s\nspeaker=%s\nwake_word=%s\nconfig_sha256=%s\n' \
            "$MIC" "$SPEAKER" "$WAKE_WORD" "$new_sha"
    } | write_file "$STATE_FILE" 0600
    for lib in "${LIBRARIES[@]}"; do
        [[ -d $(host_path "$lib") ]] || warn "library folder $lib does not exist yet"
    done
    # The real parser validates the file (unknown keys, bad wake word) as the service user.
    as_service_user "$APP_DIR/bin/encore" config show >/dev/null
}

install_units() {
    local unit
    for unit in "${UNITS[@]}"; do
        install_file "$SOURCE/deploy/$unit" "$UNIT_DIR/$unit" 0644
    done
    install_file "$SOURCE/deploy/encorectl" "$CTL_PATH" 0755
    in_target install -d -m 0755 "$APP_DIR/share"
    install_file "$SOURCE/deploy/encore-user.service" "$APP_DIR/share/encore-user.service" 0644
}

enable_units() {
    if systemd_running; then
        run systemctl daemon-reload
        run systemctl enable "${ENABLE_UNITS[@]}"
        # Stopped while doctor runs: a running service holds the sound card.
        run systemctl stop encore.service
    else
        say "systemd is not running here: enabling offline (starts at next boot)"
        run systemctl --root="${ROOT:-/}" enable "${ENABLE_UNITS[@]}"
    fi
    if [[ $DRY_RUN -eq 0 ]]; then
        [[ -L $(host_path /etc/systemd/system/multi-user.target.wants/encore.service) ]] \
            || die "encore.service was not enabled (no multi-user.target.wants link)"
        [[ -L $(host_path /etc/systemd/system/timers.target.wants/encore-rescan.timer) ]] \
            || die "encore-rescan.timer was not enabled (no timers.target.wants link)"
    fi
}

initial_scan() {
    if [[ ${#LIBRARIES[@]} -eq 0 ]]; then
        say "no --library given: set library.dirs in $CONF_FILE, then run: sudo encorectl library scan"
        return 0
    fi
    local lib
    for lib in "${LIBRARIES[@]}"; do
        if [[ $DRY_RUN -eq 0 ]] && ! query_target runuser -u "$SERVICE_USER" -- test -r "$lib" -a -x "$lib"; then
            warn "the user '$SERVICE_USER' cannot read $lib: run sudo chmod o+x on each parent folder (home folders are 0700 on Bookworm) and sudo chmod -R o+rX $lib, or move the music to /srv/music"
        fi
    done
    as_service_user "$APP_DIR/bin/encore" library scan --no-progress \
        || warn "the first library scan failed; see above, then run: sudo encorectl library scan"
}

run_doctor() {
    [[ $SKIP_DOCTOR -eq 0 ]] || return 0
    if ! as_service_user "$APP_DIR/bin/encore" doctor; then
        warn "encore doctor found problems (FAIL lines above); fix them and run: sudo encorectl doctor"
    fi
}

start_units() {
    if systemd_running; then
        run systemctl restart "${ENABLE_UNITS[@]}"
    fi
}

uninstall() {
    local unit
    if systemd_running; then
        run systemctl disable --now "${ENABLE_UNITS[@]}" || true
    elif [[ -f $(host_path "$UNIT_DIR/encore.service") ]]; then
        run systemctl --root="${ROOT:-/}" disable "${ENABLE_UNITS[@]}" || true
    fi
    for unit in "${UNITS[@]}"; do
        run rm -f "$(host_path "$UNIT_DIR/$unit")"
    done
    ! systemd_running || run systemctl daemon-reload
    run rm -f "$(host_path "$CTL_PATH")"
    run rm -rf "$(host_path "$APP_DIR")"
    if [[ $PURGE -eq 1 ]]; then
        run rm -rf "$(host_path "$CONF_DIR")" "$(host_path "$DATA_DIR")"
        if grep -q "^$SERVICE_USER:" "$(host_path /etc/passwd)" 2>/dev/null; then
            in_target userdel "$SERVICE_USER"
        fi
        say "removed Encore, its configuration, data and user"
    else
        say "removed Encore; kept $CONF_DIR and $DATA_DIR (remove them with --uninstall --purge)"
    fi
}

main() {
    exec 3>&1
    parse_args "$@"
    if [[ $PRINT_CONFIG -eq 1 ]]; then
        load_state
        render_config
        return 0
    fi
    preflight
    if [[ $UNINSTALL -eq 1 ]]; then
        uninstall
        return 0
    fi
    local started=$SECONDS
    install_system_packages
    create_user
    create_dirs
    stage_source
    install_python
    write_config
    install_units
    install_models
    enable_units
    initial_scan
    run_doctor
    start_units
    say "done in $((SECONDS - started)) s. Config: $CONF_FILE  Logs: journalctl -u encore  Admin: sudo encorectl"
}

main "$@"
