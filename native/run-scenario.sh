#!/bin/sh
# Build one verification scenario and run it under vfl-run, by hand:
#   native/run-scenario.sh fixtures/c/verify-raw-child-writes-global.c [O0|O2]
# Prints vfl-run's JSON report. `npm run verify` does the same for every scenario
# (test/verify-native.test.ts uses the same compiler flags).
set -eu
src=$1
opt=${2:-O0}
here=$(cd "$(dirname "$0")" && pwd)
build="$here/build"
mkdir -p "$build"
cc=${CC:-cc}
"$cc" -O2 -Wall -o "$build/vfl-run" "$here/vfl_run.c"
"$cc" -c -o "$build/vfl_raw_syscall_amd64.o" "$here/vfl_raw_syscall_amd64.S"
"$cc" -O2 -c -o "$build/vfl_raw_syscall_error.o" "$here/vfl_raw_syscall_error.c"
name=$(basename "$src")
name=${name%.c}
out="$build/$name-$opt"
"$cc" -std=gnu11 "-$opt" -g -w -I "$here" -include "$here/vfl_redirect.h" -x c "$src" -x none \
	"$build/vfl_raw_syscall_amd64.o" "$build/vfl_raw_syscall_error.o" -o "$out"
exec "$build/vfl-run" "$out"
