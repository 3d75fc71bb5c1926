#!/usr/bin/env bash
# Copied from ../shared/ceph-rgw (a working recipe); run by tests/sync_server/ceph.py with SKIP_APT=1
# after `make system-deps` installed the packages.
# ceph_rgw_up.sh - throw-away single-node Ceph (1 mon, 1 mgr, 1 OSD) + 1 radosgw,
# everything bound to 127.0.0.1, everything kept under $CEPH_BASE.
# Debian 12 (bookworm), Ceph 16.2.15 from Debian's own packages. Run as root.
#
# Env knobs (all optional):
#   CEPH_BASE      data/conf/log/pid dir            (default ./ceph-cluster)
#   RGW_PORT       S3 endpoint port                  (default 7480)
#   MON_V2_PORT / MON_V1_PORT                        (default 3300 / 6789)
#   OSD_BACKEND    memstore | bluestore              (default memstore)
#   MEMSTORE_BYTES memstore capacity in bytes        (default 4 GiB; RAM is used lazily)
#   BLUESTORE_BYTES sparse block file size (bluestore backend, default 10 GiB)
#   WITH_MGR       1 = start ceph-mgr, 0 = skip it   (default 1)
#   S3_ACCESS_KEY / S3_SECRET_KEY                    (default fixed test keys)
#   SKIP_APT=1     don't touch apt (packages already installed)
#
# On success prints the S3 endpoint + keys and writes them to $CEPH_BASE/s3.env.
# Stop with ceph_rgw_down.sh (uses the PIDs recorded in $CEPH_BASE/pids/).
set -euo pipefail

CEPH_BASE=${CEPH_BASE:-./ceph-cluster}
RGW_PORT=${RGW_PORT:-7480}
MON_V2_PORT=${MON_V2_PORT:-3300}
MON_V1_PORT=${MON_V1_PORT:-6789}
OSD_BACKEND=${OSD_BACKEND:-memstore}
MEMSTORE_BYTES=${MEMSTORE_BYTES:-4294967296}
BLUESTORE_BYTES=${BLUESTORE_BYTES:-10737418240}
WITH_MGR=${WITH_MGR:-1}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-TESTACCESSKEY0000001}
S3_SECRET_KEY=${S3_SECRET_KEY:-testsecretkey00000000000000000000000001}
S3_UID=${S3_UID:-testuser}

ts() { date +%s.%N; }
T0=$(ts)
log() { printf '[up %6.1fs] %s\n' "$(echo "$(ts) - $T0" | bc)" "$*"; }
die() { echo "ERROR: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root"

# ---------------------------------------------------------------- packages
if [ "${SKIP_APT:-0}" != 1 ]; then
  need=()
  for p in ceph-mon ceph-mgr ceph-osd radosgw ceph-common curl python3; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # APT_OPTS: extra apt options, e.g. "-o Dir::Cache::Archives=/some/dir"
    apt-get ${APT_OPTS:-} update -qq
    # --no-install-recommends: avoids ~100 extra packages (dashboard deps etc.)
    apt-get ${APT_OPTS:-} install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    log "apt-get done"
  fi
fi

# ---------------------------------------------------------------- layout
if [ -e "$CEPH_BASE/pids" ] && ls "$CEPH_BASE"/pids/*.pid >/dev/null 2>&1; then
  die "$CEPH_BASE/pids has pid files - run ceph_rgw_down.sh first"
fi
rm -rf "$CEPH_BASE"
mkdir -p "$CEPH_BASE"/{mon,mgr,osd,rgw,log,run,pids,crash}
CONF=$CEPH_BASE/ceph.conf
export CEPH_CONF=$CONF          # picked up by ceph, radosgw-admin, daemons
FSID=$(cat /proc/sys/kernel/random/uuid)
MON_ADDR="[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]"

cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon_host = $MON_ADDR
mon_initial_members = a
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
public_network = 127.0.0.1/32
ms_bind_ipv4 = true
ms_bind_ipv6 = false
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
# radosgw is a "client daemon": its default ms_mon_client_mode is 'secure', which
# cannot be negotiated with auth=none -> 'get_initial_auth_request returned -13'.
ms_mon_client_mode = crc secure
keyring = $CEPH_BASE/keyring
run_dir = $CEPH_BASE/run
admin_socket = $CEPH_BASE/run/\$name.asok
log_file = $CEPH_BASE/log/\$name.log
crash_dir = $CEPH_BASE/crash
mon_data = $CEPH_BASE/mon/\$cluster-\$id
mgr_data = $CEPH_BASE/mgr/\$cluster-\$id
osd_data = $CEPH_BASE/osd/\$cluster-\$id
rgw_data = $CEPH_BASE/rgw/\$cluster-\$id
# single replica, few PGs, no autoscaler churn
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_warn_on_insecure_global_id_reclaim_allowed = false

[mon]
mon_cluster_log_file = $CEPH_BASE/log/cluster.log

[osd]
osd_objectstore = $OSD_BACKEND
memstore_device_bytes = $MEMSTORE_BYTES
bluestore_block_create = true
bluestore_block_size = $BLUESTORE_BYTES
osd_memory_target = 1073741824

[mgr]
mgr_initial_modules = 

[client.rgw.a]
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw_thread_pool_size = 64
# free deleted object data quickly (memstore lives in RAM)
rgw_gc_obj_min_wait = 30
rgw_gc_processor_period = 30
EOF

# ---------------------------------------------------------------- helpers
start_daemon() {  # name, cmd... ; foreground daemon in background, PID recorded by us
  local name=$1; shift
  nohup "$@" -f >"$CEPH_BASE/log/$name.stdout" 2>&1 &
  echo $! > "$CEPH_BASE/pids/$name.pid"
  log "started $name pid $!"
}
wait_for() {  # desc, timeout_s, cmd...
  local desc=$1 to=$2; shift 2
  local end=$(( $(date +%s) + to ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || die "timeout waiting for $desc"
    sleep 0.5
  done
  log "$desc: ok"
}
ceph_() { timeout 30 ceph --connect-timeout 10 "$@"; }

# ---------------------------------------------------------------- mon
monmaptool --create --fsid "$FSID" --addv a "$MON_ADDR" "$CEPH_BASE/monmap" >/dev/null
ceph-authtool --create-keyring "$CEPH_BASE/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-mon --mkfs -i a --monmap "$CEPH_BASE/monmap" --keyring "$CEPH_BASE/keyring"
start_daemon mon.a ceph-mon -i a
wait_for "mon quorum" 60 ceph_ mon stat

# ---------------------------------------------------------------- mgr
if [ "$WITH_MGR" = 1 ]; then
  mkdir -p "$CEPH_BASE/mgr/ceph-x"
  start_daemon mgr.x ceph-mgr -i x
fi

# ---------------------------------------------------------------- osd
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(ceph_ osd new "$OSD_UUID")
mkdir -p "$CEPH_BASE/osd/ceph-$OSD_ID"
ceph-osd -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" >"$CEPH_BASE/log/osd-mkfs.log" 2>&1 \
  || { cat "$CEPH_BASE/log/osd-mkfs.log"; die "ceph-osd --mkfs failed"; }
start_daemon "osd.$OSD_ID" ceph-osd -i "$OSD_ID"
osd_up() { ceph_ osd dump -f json | python3 -c 'import sys,json; d=json.load(sys.stdin); sys.exit(0 if any(o["up"] for o in d["osds"]) else 1)'; }
wait_for "osd.$OSD_ID up" 120 osd_up

# ---------------------------------------------------------------- rgw
# radosgw creates its pools (.rgw.root, default.rgw.*) on first start.
start_daemon rgw.a radosgw -n client.rgw.a
wait_for "rgw http on 127.0.0.1:$RGW_PORT" 180 curl -sf "http://127.0.0.1:$RGW_PORT/"

# ---------------------------------------------------------------- s3 user
radosgw-admin -n client.admin user create --uid="$S3_UID" --display-name="test user" \
  --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >"$CEPH_BASE/log/user-create.json"
log "user $S3_UID created"

cat > "$CEPH_BASE/s3.env" <<EOF
export S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
export AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
export AWS_DEFAULT_REGION=us-east-1
export CEPH_CONF=$CONF
EOF
log "READY  endpoint=http://127.0.0.1:$RGW_PORT  (source $CEPH_BASE/s3.env)"
