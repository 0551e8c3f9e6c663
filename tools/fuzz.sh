#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, Debian's clang) of the card parser and the artefact
# readers under AddressSanitizer + UndefinedBehaviorSanitizer (docs/reliability.md,
# "Fuzzing").
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default: 30 s, every target
#
# .ci/run runs the bounded campaign (30 s per target); a longer one is e.g.
#   tools/fuzz.sh 3600 fuzz_likelihood
# The corpus grows in build-fuzz/fuzz/corpus/TARGET and is kept between runs.  Builds
# build-fuzz (clang, -Dfuzz=true, CPU only) if needed and makes the seed corpus of valid
# files with the CLI (the card files of configs/cards, and theory.h5, events.h5,
# likelihood.h5, fit.h5 of a small chain) - no stored binaries.  Prints per target the
# duration, executions and coverage (libFuzzer's covered edges of the instrumented ones);
# a finding is saved in build-fuzz/fuzz/findings/ with the command that reproduces it, and
# makes the script exit 1.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_card fuzz_theory fuzz_events fuzz_likelihood fuzz_fit)
B=build-fuzz
W=$PWD/$B/fuzz
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if [ ! -f $B/build.ninja ]; then
  CC=clang meson setup $B -Dfuzz=true -Dcuda=disabled -Dmpi=disabled -Dopenmp=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >"$log" 2>&1 ||
    { cat "$log" >&2; echo "fuzz: meson setup failed (clang and libclang-rt-14-dev: containers/install-deps.sh)" >&2; exit 1; }
fi
meson compile -C $B fuzz_card fuzz_theory fuzz_events fuzz_likelihood fuzz_fit >"$log" 2>&1 ||
  { cat "$log" >&2; echo "fuzz: build failed" >&2; exit 1; }

# --- seed corpus: valid inputs made now by the CLI (the normal build if there is one) ---
PF=${PARTONFLOW:-$PWD/build/partonflow}
[ -x "$PF" ] || PF=$PWD/$B/partonflow
S=$W/seeds
# made again when the CLI that made them was rebuilt (e.g. a new checksum scheme)
if [ ! -f $S/done ] || [ "$PF" -nt $S/done ]; then
  rm -rf $S && mkdir -p $S/card $S/theory $S/events $S/likelihood $S/fit
  cp configs/cards/*.yaml $S/card/
  # the tiny card with the perfect detector: the chain takes seconds
  awk '/^detector:/ {print "detector: perfect"; skip=1; next} skip && /^  / {next} {skip=0; print}' \
    configs/cards/tiny.yaml >$S/card.yaml
  cp configs/cards/tiny.yaml $S/smeared.yaml
  ( cd $S && set -e
    # one theory for both chains, built from the smeared card: its grid covers the smeared
    # card's generation region (wider than the cuts) and so the perfect card's too
    "$PF" theory --card smeared.yaml --out theory.h5
    "$PF" simulate --theory theory.h5 --card card.yaml --events 300 --seed 1 --out events.h5 --quiet
    "$PF" simulate --theory theory.h5 --card smeared.yaml --events 20 --seed 2 --out events_smeared.h5 --quiet
    "$PF" prepare --theory theory.h5 --events events.h5 --out likelihood.h5
    "$PF" prepare --theory theory.h5 --events events_smeared.h5 --out likelihood_smeared.h5
    "$PF" fit --likelihood likelihood.h5 --card card.yaml --out fit.h5
    cp theory.h5 theory/ && cp events.h5 events_smeared.h5 events/ &&
    cp likelihood.h5 likelihood_smeared.h5 likelihood/ && cp fit.h5 fit/
  ) >"$log" 2>&1 || { cat "$log" >&2; echo "fuzz: making the seed corpus with $PF failed" >&2; exit 1; }
  touch $S/done
fi

export PF_FUZZ_SEEDS=$S
# libhdf5's own defects on corrupted files are suppressed (tools/fuzz.supp, fuzz-lsan.supp)
cat tools/lsan.supp tools/fuzz-lsan.supp >$W/lsan.supp
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1:suppressions=$PWD/tools/fuzz.supp
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# libhdf5 1.10.8 loops forever on a global heap collection with a zero-size object; the
# library's watchdog on variable-length string reads (engine/src/io/h5_data.c) reports it
# after PF_HDF5_STALL_SECONDS and, with PF_HDF5_STALL_ABORT, aborts so that libFuzzer keeps
# the input (5 s: well inside -timeout=30, far above a real read)
export PF_HDF5_STALL_SECONDS=5 PF_HDF5_STALL_ABORT=1
export LSAN_OPTIONS=suppressions=$W/lsan.supp
rc=0
mkdir -p $W/findings
printf '%-16s %8s %10s %8s %18s %s\n' target seconds executions exec/s "coverage (edges)" result
# A crash whose innermost frame is inside libhdf5 (a SEGV in H5HG_read on a mutated global
# heap, in H5A__close on a mutated attribute message, in a memcpy that H5O__msg_iterate_real
# makes, a free of a wild pointer that H5HG__free takes from a damaged global heap, ...;
# libc, allocator and sanitizer frames above it do not count), an AddressSanitizer CHECK in
# its allocator (heap metadata overwritten, which only uninstrumented code does unseen) when
# the block is freed by libhdf5 or by libyaml (a later card's parse recycling a block that
# was overwritten before; ci16 of 7 Dec 2026), or an allocation beyond the
# limit that libhdf5 itself asks for (H5T__conv_vlen trusting a mutated string length), is
# a defect of Debian's libhdf5 1.10.8 in parsing a damaged file, which partonflow must hand
# to it to refuse: it is reported and counted ("libhdf5 defects"), the input is kept in
# findings/ (hdf5-*), and the target goes on fuzzing for the rest of its time (at most 8
# restarts).  Anything else - a crash or a large allocation in partonflow's code, a
# sanitizer report, a leak, a hang, a wrong exit code, a file left behind - is a finding and
# fails the campaign.  (-malloc_limit_mb below -rss_limit_mb: one huge allocation is caught
# with the stack that asked for it.)  libhdf5's endless loop on a damaged global heap is
# stopped by partonflow's watchdog (an abort from stall_watchdog, see above) and counted the
# same way.
hdf5_defect() { # log -> 0 when the run died in libhdf5 itself
  # libhdf5 looping on a damaged global heap, stopped by partonflow's watchdog
  grep -q ' in stall_watchdog ' "$1" && return 0
  # heap metadata overwritten (ASan's allocator CHECK on a later free): only uninstrumented
  # code writes there unseen, and of it only libhdf5 reads the fuzzed files - when the frame
  # that frees is a Debian library's (libhdf5's, or libyaml's freeing its own block of a later
  # card: the overwrite happened before, found when the quarantine recycled that block)
  if grep -q 'AddressSanitizer: CHECK failed: asan_allocator' "$1"; then
    grep -E '^ *#[0-9]+ ' "$1" |
      grep -v -E 'sanitizer|asan|Quarantine|CheckFailed|Die|libc\.so|pthread_kill|raise|abort|interceptor|fuzzer::|[( ]free[ (]|malloc' |
      head -1 | grep -q -E 'libhdf5|libyaml'
    return
  fi
  grep -q -E 'ERROR: AddressSanitizer|ERROR: libFuzzer: out-of-memory \(malloc' "$1" &&
    grep -E '^ *#[0-9]+ ' "$1" |
    grep -v -E 'sanitizer|asan|interceptor|sysdeps|mem(cpy|move|set|cmp)|str(len|cmp|cpy)|malloc|calloc|realloc|Malloc|[( ]free[ (]|fuzzer::' | head -1 | grep -q 'libhdf5'
}
for t in "${targets[@]}"; do
  seeds=$S/${t#fuzz_}
  mkdir -p $W/corpus/$t
  t0=$(date +%s)
  execs=0 hdf5=0 restarts=0 trc=0 finding=0
  : >$W/$t.log
  while :; do
    left=$((secs - ($(date +%s) - t0)))
    [ $left -lt 1 ] && break
    $B/tests/fuzz/$t -max_total_time="$left" -timeout=30 -rss_limit_mb=4096 -malloc_limit_mb=2048 \
      -close_fd_mask=3 -print_final_stats=1 -artifact_prefix=$W/findings/$t- \
      $W/corpus/$t "$seeds" >$W/$t.run.log 2>&1
    trc=$?
    cat $W/$t.run.log >>$W/$t.log
    e=$(grep -o 'number_of_executed_units: [0-9]*' $W/$t.run.log | tail -1 | grep -o '[0-9]*$')
    [ -n "$e" ] || e=$(grep -o '^#[0-9]*' $W/$t.run.log | tail -1 | tr -d '#')
    execs=$((execs + ${e:-0}))
    [ $trc -eq 0 ] && break
    if hdf5_defect $W/$t.run.log && [ $restarts -lt 8 ]; then
      hdf5=$((hdf5 + 1)) restarts=$((restarts + 1))
      a=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' $W/$t.run.log | tail -1)
      [ -n "$a" ] && [ -f "$a" ] && mv "$a" "$W/findings/hdf5-$(basename "$a")"
      if grep -q 'AddressSanitizer: CHECK failed: asan_allocator' $W/$t.run.log; then
        lib=$(grep -E '^ *#[0-9]+ ' $W/$t.run.log | grep -o -E 'lib(hdf5|yaml)' | head -1)
        echo "    $t: libhdf5 defect: heap metadata overwritten, found when ${lib:-libhdf5} freed a block (ASan allocator CHECK)" >>$W/hdf5-defects.log
      elif grep -q ' in stall_watchdog ' $W/$t.run.log; then
        echo "    $t: libhdf5 defect: endless loop reading a damaged global heap, stopped by the watchdog" >>$W/hdf5-defects.log
      else
        echo "    $t: libhdf5 defect: $(grep -m1 -E 'SUMMARY|out-of-memory' $W/$t.run.log | sed 's/^.*\(SUMMARY\|ERROR\): //; s/ (BuildId[^)]*)//; s/ (pc .*//')" >>$W/hdf5-defects.log
      fi
      continue
    fi
    finding=1
    break
  done
  rm -f $W/$t.run.log
  t1=$(date +%s)
  total=$(sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline 8-bit counters.*/\1/p' $W/$t.log | head -1)
  cov=$(grep -o 'cov: [0-9]*' $W/$t.log | tail -1 | grep -o '[0-9]*')
  eps=$((execs / ((t1 - t0) > 0 ? (t1 - t0) : 1)))
  if [ $finding -eq 0 ]; then
    res=ok
    [ $hdf5 -gt 0 ] && res="ok ($hdf5 libhdf5 defects, findings/hdf5-*)"
  else
    res="FINDING (exit $trc), see $W/$t.log"
    rc=1
  fi
  printf '%-16s %8s %10s %8s %18s %s\n' "$t" "$((t1 - t0))" "$execs" "$eps" \
    "${cov:-?} of ${total:-?}" "$res"
  if [ $finding -ne 0 ]; then
    grep -E 'ERROR|SUMMARY|runtime error|fuzz_artefact|fuzz_card|Test unit written' $W/$t.log | tail -8 | sed 's/^/    /'
    echo "    reproduce: PF_FUZZ_SEEDS=$S $B/tests/fuzz/$t $W/findings/$t-crash-* (or -leak-, -timeout-, -oom-)"
  fi
done
[ -f $W/hdf5-defects.log ] && sort $W/hdf5-defects.log | uniq -c | sed 's/^/  /' && rm -f $W/hdf5-defects.log
exit $rc
