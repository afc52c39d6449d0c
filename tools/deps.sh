#!/bin/sh
# Installs the Debian packages ratable needs to build and to run its tests, skipping those
# already present. With --if-missing it does nothing unless a library or tool is missing, so
# `make demo` and `make check` can call it on every run. Runs apt-get through sudo when not root.
# clang (with its libFuzzer runtime, which apt installs with it) builds the fuzz targets; it is
# not among what --if-missing looks for: without it `make check` skips the fuzz smoke test.
# time (GNU time, /usr/bin/time -v) gives make bench the peak memory of each run.
set -eu

packages="gcc make pkg-config clang-format libncurses-dev libsqlite3-dev libxlsxwriter-dev libcmocka-dev
libssl-dev sqlite3 tmux python3-openpyxl locales clang time"

missing_tools() {
    pkg-config --exists ncursesw sqlite3 xlsxwriter cmocka libcrypto || return 0
    for t in tmux sqlite3; do
        command -v "$t" >/dev/null 2>&1 || return 0
    done
    /usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || return 0
    return 1
}

if [ "${1:-}" = "--if-missing" ] && ! missing_tools; then
    exit 0
fi

need=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        need="$need $p"
    fi
done

if [ -n "$need" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=""
    else
        sudo="sudo"
    fi
    echo "installing:$need"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q $need
fi

# The locale test exports a statement under a German locale; make sure that locale exists.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    if [ -f /etc/locale.gen ]; then
        if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
        $sudo sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
        grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' | $sudo tee -a /etc/locale.gen >/dev/null
        $sudo locale-gen >/dev/null
    fi
fi
