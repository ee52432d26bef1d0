#!/usr/bin/env bash
# Distributed ASGD across "hosts": every parameter-server shard and every
# worker runs in its own network namespace, the namespaces joined by veth
# pairs on one bridge (a switch), so the processes reach each other only over
# their own 10.77.0.0/24 network, exactly as separate machines would.
#
#   sudo scripts/netns-cluster.sh CORPUS OUTDIR [FRAMES]
#
# With RATE=100mbit every host's link is limited to that rate both ways (tc
# tbf); with NETEM="delay 2ms rate 100mbit" (any tc-netem options, where
# the kernel has sch_netem) shaped so instead. PUSH=gradients, COMPRESS=1bit
# (any --compress), FETCH_EVERY=8 (with PUSH=gradients) and WORKERS=4 change
# what the workers push, its compression, their fetches and their count
# (deltas, the CLI's default compression, 1 and 2 by default). The last line says frames/s and bytes
# per frame.
#
# Needs root (ip netns) and a built lstmp (npm run build). Leaves in OUTDIR:
# model.msgpack (the shared model, pulled by worker 0), shards/, the logs, and
# prints worker 0's dev frame accuracy. Cleans up its namespaces on any exit.
set -euo pipefail

corpus=${1:?usage: scripts/netns-cluster.sh CORPUS OUTDIR [FRAMES]}
out=${2:?usage: scripts/netns-cluster.sh CORPUS OUTDIR [FRAMES]}
frames=${3:-200000}
shards=2
workers=${WORKERS:-2}
push=${PUSH:-deltas}
compress=${COMPRESS:-}
fetch_every=${FETCH_EVERY:-1}
netem=${NETEM:-}
rate=${RATE:-}
shape=()
if [[ -n "$netem" ]]; then read -ra shape <<<"netem $netem"; elif [[ -n "$rate" ]]; then shape=(tbf rate "$rate" burst 256kb latency 100ms); fi
lstmp=(node "$(cd "$(dirname "$0")/.." && pwd)/dist/cli/main.js")
tag="l$$"
say() { echo "netns-cluster: $*" >&2; }

if ! ip netns add "$tag-probe" 2>/dev/null; then
  say "cannot create network namespaces here (needs root and ip netns)"
  exit 2
fi
ip netns del "$tag-probe"

namespaces=()
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

# The switch: a bridge in a namespace of its own.
ip netns add "$tag-sw"
namespaces+=("$tag-sw")
ip -n "$tag-sw" link add br0 type bridge
ip -n "$tag-sw" link set br0 up

# host NAME NUMBER: a namespace with eth0 = 10.77.0.NUMBER, cabled to the switch.
host() {
  local ns="$tag-$1" a="${tag}a$2" b="${tag}b$2"
  ip netns add "$ns"
  namespaces+=("$ns")
  ip link add "$a" type veth peer name "$b"
  ip link set "$a" netns "$ns"
  ip link set "$b" netns "$tag-sw"
  ip -n "$ns" link set "$a" name eth0
  ip -n "$ns" addr add "10.77.0.$2/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$tag-sw" link set "$b" master br0 up
  if ((${#shape[@]} > 0)); then
    # shaped on both ends of the cable: what leaves the host, and what the switch sends it
    ip netns exec "$ns" tc qdisc add dev eth0 root "${shape[@]}" || { say "cannot shape links with tc ${shape[*]} here"; exit 2; }
    ip -n "$tag-sw" link set "$b" up
    ip netns exec "$tag-sw" tc qdisc add dev "$b" root "${shape[@]}"
  fi
}

mkdir -p "$out"
secret="$out/secret"
(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$secret")
outputs=$(grep -c . "$corpus/states.txt")
"${lstmp[@]}" init --inputs 40 --cells 64 --projection 32 --layers 2 --outputs "$outputs" --seed 1 --init-range 0.1 --out "$out/init.msgpack"
schedule=(--lr 0.005 --lr-decay 0.5 --decay-frames 100000)

addresses=()
for ((i = 0; i < shards; i++)); do
  host "ps$i" $((i + 1))
  address="10.77.0.$((i + 1)):7070"
  addresses+=("$address")
  ip netns exec "$tag-ps$i" "${lstmp[@]}" ps --shard "$i/$shards" --listen "$address" --state "$out/shards" \
    --init "$out/init.msgpack" --secret-file "$secret" "${schedule[@]}" >"$out/ps$i.log" 2>&1 &
  pids+=($!)
done
for ((i = 0; i < shards; i++)); do
  for _ in $(seq 100); do grep -q 'listening on' "$out/ps$i.log" && break; sleep 0.1; done
  grep -q 'listening on' "$out/ps$i.log" || { say "shard $i did not start:"; cat "$out/ps$i.log" >&2; exit 1; }
done
say "shards listening on ${addresses[*]}"

ps=$(IFS=,; echo "${addresses[*]}")
worker_pids=()
for ((w = 0; w < workers; w++)); do
  host "w$w" $((100 + w))
  extra=()
  if ((w == 0)); then extra=(--out "$out/model.msgpack" --dev-utterances 100); fi
  ip netns exec "$tag-w$w" "${lstmp[@]}" worker --ps "$ps" --corpus "$corpus" --worker "$w/$workers" --threads 1 \
    --frames "$frames" --secret-file "$secret" --push "$push" ${compress:+--compress "$compress"} --fetch-every "$fetch_every" --json "${extra[@]}" >"$out/worker$w.json" 2>"$out/worker$w.log" &
  worker_pids+=($!)
done
status=0
for pid in "${worker_pids[@]}"; do wait "$pid" || status=$?; done
if ((status != 0)); then
  say "a worker failed:"
  cat "$out"/worker*.log >&2
  exit 1
fi
say "trained across $shards shard hosts and $workers worker hosts: $(cat "$out/worker0.json")"
