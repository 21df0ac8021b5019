#!/usr/bin/env bash
# A one-node SLURM cluster on this machine, for trying the SLURM profile (and for the test suite).
#
#   scripts/slurm-local.sh start DIR   # write DIR/slurm.conf, start munged, slurmctld, slurmd; wait for idle
#   scripts/slurm-local.sh stop DIR    # stop the daemons started in DIR (by the PIDs recorded there)
#   scripts/slurm-local.sh env DIR     # print the export line clients need (SLURM_CONF)
#
# Everything lives in DIR: config, munge key and socket, state and spool folders, logs, PID files.
# Clients (sinfo, sbatch, Snakemake's SLURM executor) find this cluster through
# SLURM_CONF=DIR/slurm.conf. One thing goes outside DIR: /etc/slurm/slurm.conf, SLURM's default
# config path, becomes a symlink to DIR/slurm.conf while the cluster runs, because the executor's
# job step (snakemake-executor-plugin-slurm-jobstep) clears SLURM_CONF before it calls `srun`
# inside each job. `start` refuses to run if that path is taken (a real site's config or another
# cluster started by this script); `stop` removes the symlink only if it still points into DIR.
#
# Needs root (slurmd starts jobs as their user; another user can run this script with sudo, the jobs
# then run as that user) and the Debian packages from `make install-slurm`
# (slurmctld slurmd slurm-client munge). No systemd, no cgroups: processes are tracked by
# proctrack/linuxproc, tasks are not confined (task/none), and there is no accounting database
# (accounting_storage/none), so the executor asks squeue, not sacct, for job states
# (--slurm-status-command squeue; finished jobs stay visible to squeue for MinJobAge seconds).
# The node gets this machine's CPUs and memory as `slurmd -C` reports them.
set -euo pipefail

usage() { echo "usage: $0 start|stop|env DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
partition=${SLURM_LOCAL_PARTITION:-allfuse}
node=allfuse-node

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Value of KEY=VALUE in the `slurmd -C` line.
node_value() { slurmd -C | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }

write_config() {
    mkdir -p "$dir"/{munge,state,spool,log}
    # munged wants its socket folder searchable by all: clients that are not root (a user who started
    # this script through sudo, and that user's jobs) reach the socket; the key stays root's alone.
    chmod 711 "$dir/munge"
    if [ ! -s "$dir/munge/munge.key" ]; then
        dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
        chmod 400 "$dir/munge/munge.key"
    fi
    local cpus mem ctld_port slurmd_port host
    cpus=$(node_value CPUs)
    # slurmd drains a node configured with more memory than it finds; leave 5% for the OS.
    mem=$(( $(node_value RealMemory) * 95 / 100 ))
    ctld_port=$(free_port)
    slurmd_port=$(free_port)
    host=$(hostname -s)
    cat >"$dir/slurm.conf" <<EOF
# One-node cluster written by scripts/slurm-local.sh for $host.
ClusterName=allfuse$$
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups needed: track job processes through /proc, do not confine tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
# Keep finished jobs in slurmctld (and so in squeue) long enough for the executor to see them.
MinJobAge=600
# Schedule quickly: this is a test cluster.
SchedulerParameters=sched_interval=2
NodeName=$node NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$partition Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
}

SITE_CONF=/etc/slurm/slurm.conf

link_site_conf() {
    if [ -e "$SITE_CONF" ] || [ -L "$SITE_CONF" ]; then
        echo "$SITE_CONF exists (-> $(readlink -f "$SITE_CONF")): another SLURM is configured on" \
            "this machine; stop it (scripts/slurm-local.sh stop DIR) or use that cluster." >&2
        return 1
    fi
    mkdir -p "$(dirname "$SITE_CONF")"
    ln -s "$dir/slurm.conf" "$SITE_CONF"
}

unlink_site_conf() {
    if [ -L "$SITE_CONF" ] && [ "$(readlink "$SITE_CONF")" = "$dir/slurm.conf" ]; then
        rm -f "$SITE_CONF"
    fi
}

pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
    write_config
    link_site_conf
    export SLURM_CONF=$dir/slurm.conf
    munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed"
    slurmctld -f "$SLURM_CONF"
    slurmd -f "$SLURM_CONF" -N "$node"
    local state=""
    for _ in $(seq 1 60); do
        state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
        if [ "$state" = idle ]; then
            echo "SLURM is up: node $node idle in partition $partition ($(node_value CPUs) CPUs)."
            echo "export SLURM_CONF=$SLURM_CONF"
            return 0
        fi
        sleep 1
    done
    echo "SLURM did not come up (node state: '${state:-none}'); logs in $dir/log:" >&2
    tail -n 20 "$dir"/log/*.log >&2 || true
    return 1
}

stop() {
    local name pidfile pid
    # slurmd first (it owns running jobs), then the controller, then munge.
    for name in slurmd slurmctld munged; do
        pidfile=$dir/$name.pid
        pid_alive "$pidfile" || continue
        pid=$(cat "$pidfile")
        kill "$pid"
        for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        rm -f "$pidfile"
    done
    unlink_site_conf
}

case $action in
    start) start ;;
    stop) stop ;;
    env) echo "export SLURM_CONF=$dir/slurm.conf" ;;
    *) usage ;;
esac
