# lib.sh — driving the workstation in tmux like a person would: send keys, wait until the
# screen settles, compare it with an expected capture. Sourced by tests/tui/run.sh.

TUI_SESSION=ratable-test-$$
TUI_FAILED=0
TUI_CASES=0

# tui_start BOOK [COLS ROWS]: starts the workstation on BOOK in a detached session.
tui_start() {
    tmux kill-session -t "$TUI_SESSION" 2>/dev/null
    tmux new-session -d -s "$TUI_SESSION" -x "${2:-100}" -y "${3:-30}" \
        "env TERM=screen-256color NO_COLOR=1 RATABLE_NOW=$RATABLE_NOW RATABLE_TODAY=$RATABLE_TODAY RATABLE_USER=$RATABLE_USER LC_ALL=C.UTF-8 $BIN -b $1; echo exit=\$? > $WORK/exit; sleep 30"
    tui_settle
}

# Waits until two captures a tenth of a second apart agree (at most five seconds).
tui_settle() {
    prev=""
    i=0
    while [ $i -lt 50 ]; do
        sleep 0.1
        cur=$(tmux capture-pane -p -t "$TUI_SESSION" 2>/dev/null)
        if [ -n "$cur" ] && [ "$cur" = "$prev" ]; then
            return 0
        fi
        prev=$cur
        i=$((i + 1))
    done
}

tui_keys() {
    tmux send-keys -t "$TUI_SESSION" "$@"
    tui_settle
}

# tui_type TEXT: types literal text.
tui_type() {
    tmux send-keys -t "$TUI_SESSION" -l -- "$1"
    tui_settle
}

# tui_expect NAME: the screen must equal tests/tui/expected/NAME.txt.
tui_expect() {
    TUI_CASES=$((TUI_CASES + 1))
    got="$WORK/$1.txt"
    # A report's header names the book by its path, which is in this run's temporary directory.
    want="$HERE/expected/$1.txt"
    # A loaded machine can leave the screen still for a tenth of a second before it has drawn
    # what the last key did: a screen that differs is looked at again for up to three seconds.
    tries=0
    while :; do
        tmux capture-pane -p -t "$TUI_SESSION" | sed "s#$WORK/#WORK/#g" >"$got"
        if [ "$UPDATE" = 1 ] || cmp -s "$got" "$want" || [ $tries -ge 30 ]; then
            break
        fi
        sleep 0.1
        tries=$((tries + 1))
    done
    if [ "$UPDATE" = 1 ]; then
        cp "$got" "$want"
        echo "updated $1"
    elif ! cmp -s "$got" "$want"; then
        echo "FAIL tui/$1"
        diff -u "$want" "$got" | head -40
        TUI_FAILED=$((TUI_FAILED + 1))
    fi
}

# tui_check NAME CONDITION...: a check that is not a screen comparison.
tui_check() {
    TUI_CASES=$((TUI_CASES + 1))
    name=$1
    shift
    if ! "$@"; then
        echo "FAIL tui/$name"
        TUI_FAILED=$((TUI_FAILED + 1))
    fi
}

# tui_selected NAME TEXT: Enter opens the selected row, whose screen must show TEXT; q goes back.
# (A capture shows no highlight, so the selection is checked by what it opens.)
tui_selected() {
    tui_keys Enter
    TUI_CASES=$((TUI_CASES + 1))
    if ! tmux capture-pane -p -t "$TUI_SESSION" | grep -q -- "$2"; then
        echo "FAIL tui/$1: the selected row did not open $2"
        TUI_FAILED=$((TUI_FAILED + 1))
    fi
    tui_keys q
}

tui_stop() {
    tmux kill-session -t "$TUI_SESSION" 2>/dev/null
    return 0
}
