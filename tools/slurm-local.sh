#!/usr/bin/env bash
# A real one-node SLURM on this machine, for testing the workflow's SLURM profile
# (docs/cluster.md "Testing against a real SLURM"): munged, slurmctld and slurmd from
# Debian's packages (slurmctld slurmd slurm-client munge, in containers/install-deps.sh),
# configured like a small site without accounting: MpiDefault=pmix (Debian's Open MPI
# starts under srun only with PMIx), no slurmdbd (job states come from scontrol, so
# MinJobAge is long), proctrack/linuxproc and no cgroups (works in containers and VMs).
#
#   tools/slurm-local.sh up   DIR   start the daemons with everything under DIR; prints the
#                                   line to eval: export SLURM_CONF=DIR/slurm.conf
#   tools/slurm-local.sh down DIR   stop them (DIR's files stay for the logs)
#   tools/slurm-local.sh env  DIR   print the export line again
#
# Needs root (slurmd starts jobs as their owner).  Ports: 16817/16818 unless
# PF_SLURM_PORTS="ctld d" is set, so a site's own SLURM on this host is not touched.
set -euo pipefail

usage() { echo "usage: $0 up|down|env DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
conf=$dir/slurm.conf
read -r port_ctld port_d <<<"${PF_SLURM_PORTS:-16817 16818}"

die() { echo "slurm-local: $*" >&2; exit 1; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_pidfile() {
    local f=$1 i
    pid_alive "$f" || return 0
    kill "$(cat "$f")" 2>/dev/null || true
    for i in $(seq 50); do pid_alive "$f" || return 0; sleep 0.2; done
    kill -9 "$(cat "$f")" 2>/dev/null || true
}

down() {
    # jobs first, so that no step outlives its daemons
    if pid_alive "$dir/slurmctld.pid"; then
        SLURM_CONF=$conf scancel --user="$(id -un)" 2>/dev/null || true
    fi
    stop_pidfile "$dir/slurmd.pid"
    stop_pidfile "$dir/slurmctld.pid"
    stop_pidfile "$dir/munged.pid"
}

up() {
    [ "$(id -u)" -eq 0 ] || die "needs root (slurmd runs the jobs as their owner)"
    local b
    for b in munged slurmctld slurmd sbatch srun scontrol sinfo; do
        command -v "$b" >/dev/null ||
            die "$b not found: install Debian's slurmctld slurmd slurm-client munge (containers/install-deps.sh)"
    done
    down
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 700 "$dir/munge"

    # munge: its own key, socket and files under DIR (the system's munged is not used)
    if [ ! -s "$dir/munge/munge.key" ]; then
        dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
        chmod 400 "$dir/munge/munge.key"
    fi
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge/seed" ||
        die "munged did not start (see $dir/munged.log)"

    local host cpus mem_mb
    host=$(hostname -s)
    cpus=$(nproc)
    # memory SLURM may hand out: what the machine has, less 1 GB for the daemons
    mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 - 1024 }' /proc/meminfo)
    cat >"$conf" <<EOF
# written by tools/slurm-local.sh: a one-node test cluster
ClusterName=pflocal
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port_ctld
SlurmdPort=$port_d
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# no accounting: finished jobs stay visible to scontrol for 10 minutes (the profile polls
# once a second), which is how Snakemake's executor learns their state
MinJobAge=600
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$conf
    slurmctld -i -f "$conf" || die "slurmctld did not start (see $dir/slurmctld.log)"
    slurmd -f "$conf" || die "slurmd did not start (see $dir/slurmd.log)"

    # ready when the node is idle in the partition (at most 60 s)
    local i state=""
    for i in $(seq 120); do
        state=$(sinfo -h -N -o %t 2>/dev/null | head -n1 || true)
        [ "$state" = idle ] && break
        sleep 0.5
    done
    [ "$state" = idle ] || { down; die "node $host not idle after 60 s (state '$state'; logs in $dir)"; }
    echo "slurm-local: one-node SLURM up: node $host, $cpus CPUs, $mem_mb MB, MpiDefault=pmix" >&2
    echo "export SLURM_CONF=$conf"
}

case $cmd in
    up) up ;;
    down) down; echo "slurm-local: stopped (logs in $dir)" >&2 ;;
    env) echo "export SLURM_CONF=$conf" ;;
    *) usage ;;
esac
