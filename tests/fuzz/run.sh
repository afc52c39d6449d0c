#!/bin/sh
# Runs the libFuzzer targets built into build/fuzz (make fuzz-build).
#
#   sh tests/fuzz/run.sh smoke   each target over its seed corpus, then FUZZ_RUNS (default 2000)
#                                mutations from a fixed seed: quick, for make check
#   sh tests/fuzz/run.sh fuzz    each target for FUZZ_SECONDS (default 60); what it learns is kept
#                                in build/fuzz/corpus/TARGET, crashes in build/fuzz/artifacts
#
# The seed corpora in tests/fuzz/corpus are only read, never written.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mode=${1:-smoke}
build="$top/build/fuzz"
runs=${FUZZ_RUNS:-2000}
seconds=${FUZZ_SECONDS:-60}
targets="fuzz_money fuzz_date fuzz_csv fuzz_render"
artifacts="$build/artifacts"
mkdir -p "$artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=0
for t in $targets; do
    bin="$build/$t"
    seeds="$here/corpus/$t"
    if [ ! -x "$bin" ]; then
        echo "FAIL fuzz/$t: $bin is not built (make fuzz-build)"
        failed=$((failed + 1))
        continue
    fi
    log="$build/$t.log"
    if [ "$mode" = smoke ]; then
        scratch=$(mktemp -d)
        "$bin" -seed=1 -runs="$runs" -max_len=4096 -artifact_prefix="$artifacts/$t-" \
            "$scratch" "$seeds" >"$log" 2>&1
        rc=$?
        rm -rf "$scratch"
    else
        mkdir -p "$build/corpus/$t"
        "$bin" -max_total_time="$seconds" -max_len=4096 -artifact_prefix="$artifacts/$t-" \
            "$build/corpus/$t" "$seeds" >"$log" 2>&1
        rc=$?
    fi
    if [ $rc -ne 0 ]; then
        echo "FAIL fuzz/$t (exit $rc); the end of $log:"
        tail -n 40 "$log" | sed 's/^/  /'
        failed=$((failed + 1))
    else
        echo "fuzz/$t: $(grep -E '^(Done|#[0-9]+ *DONE)' "$log" | tail -n 1)"
    fi
done
if [ $failed -ne 0 ]; then
    echo "fuzz $mode: $failed of 4 targets failed (inputs that fail are in $artifacts)"
    exit 1
fi
echo "fuzz $mode: all targets passed"
