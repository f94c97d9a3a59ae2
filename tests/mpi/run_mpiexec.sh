#!/usr/bin/env bash
# Runs a program under `mpiexec -n RANKS` on this machine and checks how the job ended:
#   run_mpiexec.sh RANKS EXPECT_FAILURE EXPECT_TEXT PROGRAM [ARGS...]
# EXPECT_FAILURE 0: the job must exit 0; 1: non-zero. EXPECT_TEXT (may be empty) must appear in
# its output. Either way no process of PROGRAM may be left once mpiexec returned.
set -u
ranks=$1 expect_failure=$2 expect_text=$3 program=$4
shift 4
# Open MPI refuses root without these (CI runs as root); --oversubscribe: more ranks than cores.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Open MPI's shared-memory segments go in a folder of this run's, removed at the end: a job
# that is aborted (a killed rank) leaves its segments behind, which must not pile up in /dev/shm.
shm_dir=$(mktemp -d /dev/shm/mproc-mpi-test.XXXXXX)
export OMPI_MCA_btl_vader_backing_directory=$shm_dir
output=$(mktemp)
started=$SECONDS
timeout --kill-after=10 500 mpiexec -n "$ranks" --oversubscribe "$program" "$@" >"$output" 2>&1
rc=$?
cat "$output"
status=0
# (mpiexec itself exits 137 when a rank died of SIGKILL: the time tells a timeout apart.)
if (( SECONDS - started >= 500 )); then
  echo "run_mpiexec: the job did not end within 500 s"; status=1
elif [[ $expect_failure == 0 && $rc != 0 ]]; then
  echo "run_mpiexec: the job failed (exit code $rc)"; status=1
elif [[ $expect_failure == 1 && $rc == 0 ]]; then
  echo "run_mpiexec: the job succeeded, but it should have failed"; status=1
fi
if [[ -n $expect_text ]] && ! grep -qF -- "$expect_text" "$output"; then
  echo "run_mpiexec: the output does not say \"$expect_text\""; status=1
fi
rm -f "$output"
rm -rf "$shm_dir"
# mpiexec waits for its ranks; their own children must be gone too. A process's name is the
# first 15 characters of its file's, all the kernel keeps. Zombies are dead already: a killed
# job's ranks may wait a moment for the system to reap them.
name=$(basename "$program")
left=$(ps -eo pid=,stat=,comm= | awk -v n="${name:0:15}" '$3 == n && $2 !~ /^Z/')
if [[ -n $left ]]; then
  echo "run_mpiexec: processes of $program are left:"; echo "$left"; status=1
fi
exit $status
