# scripts/lib.sh — shared by scripts/demo, scripts/test, scripts/bench and scripts/fuzz: install
# what is missing from Debian's packages, then configure and build. Sourced, not run.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

# Everything kraftsim needs to build and test, by Debian package name.
packages=(gcc make cmake pkg-config check libsqlite3-dev liblua5.4-dev libgraphviz-dev libyaml-dev)
# scripts/fuzz also needs clang and its runtimes (libFuzzer, the sanitizers): install_deps
# "${fuzz_packages[@]}". libclang-rt-dev is only a recommendation of clang, which we skip.
fuzz_packages=(clang libclang-rt-dev)
# scripts/test also renders the HTML report in a real browser (tests/report_test): Debian's
# headless-capable Chromium; and reads the schema codec's frames back with kafka-python's
# protocol classes (tests/schema_kafka_python_test).
test_packages=(chromium python3-kafka)

# install_deps [extra packages...]: `packages` and the extras, whichever are missing.
install_deps() {
    local missing=()
    local p
    for p in "${packages[@]}" "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 2; }
        sudo=sudo
    fi
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build <dir> [cmake args...]: configure once, then build (only `build_targets`, when set).
build_targets=()
build() {
    local dir=$1
    shift
    cmake -S "$root" -B "$root/$dir" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "$@" >"$root/$dir.configure.log" 2>&1 \
        || { cat "$root/$dir.configure.log"; exit 3; }
    cmake --build "$root/$dir" -j "$jobs" ${build_targets[@]+--target "${build_targets[@]}"}
}
