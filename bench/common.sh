# Shared by the load benchmarks: polling for readiness, one bounded wrk run, and the table of
# medians. Source it after setting `work` (a scratch folder), `key` and `duration`.

# This shell (and the polls below) runs on core 1, beside wrk, away from the servers on core 0.
taskset -cp 1 $$ >/dev/null

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

# Waits until `GET path` on a port answers 200. Polls with bash's own /dev/tcp, so that polling
# launches no process and the figure is the server's start-up, not curl's. Until the port is open
# a poll costs the server nothing; once it answers (503 while seeding), polls are spaced so that
# answering them does not slow what is being measured.
wait_ready() { # port [path] [pid]
  local status
  while :; do
    if [[ -n ${3:-} ]] && ! kill -0 "$3" 2>/dev/null; then
      echo "the server on port $1 exited before it was ready:" >&2
      cat "$work/server-$1.log" >&2 2>/dev/null
      exit 1
    fi
    if { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null; then
      printf 'GET %s HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\nConnection: close\r\n\r\n' \
        "${2:-/readyz}" "$key" >&3
      read -r status <&3 || status=
      exec 3<&-
      [[ $status == *" 200"* ]] && return
      sleep 0.002
    fi
  done
}

# Starts a server (a command line) pinned to core 0 and waits until `GET path` on its port
# answers 200 (or stops the benchmark with the server's own words if it exits first); sets `pid`, `started_ms` (launch to that answer) and `rss_kib`, and adds the
# server to `pids` for the caller to stop.
start() { # port path command...
  local port=$1 path=$2; shift 2
  local started=$(date +%s%N)
  taskset -c 0 "$@" >/dev/null 2>"$work/server-$port.log" &
  pid=$!
  pids+=("$pid")
  wait_ready "$port" "$path" "$pid"
  started_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  rss_kib=$(ps -o rss= -p "$pid" | tr -d ' ')
}

# One load run against a URL, appended to $work/results as "name req/s p50 p99 non-2xx"; 16
# connections, or $CONNECTIONS.
run() { # name url [method] [lua script]
  local name=$1 url=$2 method=${3:-GET}
  local script="$work/$name.lua"
  printf 'wrk.method = "%s"\nwrk.headers["Authorization"] = "Bearer %s"\nwrk.headers["Content-Type"] = "application/json"\n' "$method" "$key" > "$script"
  [ "$method" = POST ] && printf 'wrk.body = "{}"\n' >> "$script"
  [ -n "${4:-}" ] && script=$4
  KEY=$key REQUESTS=${REQUESTS:-} taskset -c 1 wrk -t1 -c"${CONNECTIONS:-16}" -d"${duration}s" --latency -s "$script" "$url" |
    awk -v name="$name" '
      /Requests\/sec/ {rps=$2}
      /^ +50%/ {p50=$2}
      /^ +99%/ {p99=$2}
      /Non-2xx/ {errors=$NF}
      END {printf "%s %s %s %s %d\n", name, rps, p50, p99, errors+0}' >> "$work/results"
}

# One load run of the requests in a file (see bench/paths.lua), recorded as `run` does.
run_requests() { # name base-url requests-file
  REQUESTS=$3 run "$1" "$2" GET bench/paths.lua
}

# OpenSSL's RSA-2048 signatures per second on core 0, the servers' core, recorded as a run
# with no latency figures.
openssl_sign() { # name
  taskset -c 0 openssl speed -seconds "$duration" rsa2048 2>/dev/null |
    awk -v name="$1" '/^rsa 2048 bits/ {printf "%s %s - - 0\n", name, $(NF-1)}' >> "$work/results"
}

# Prints the median of each case's runs with its spread, and its ratio to a reference case: the
# median of the ratios of runs of the same round, which ran next to each other, so that the
# machine's drift between rounds cancels out.
table() { # "case[:reference] ..." in print order
  python3 - "$work/results" "$@" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, p50, p99, errors = line.split()
    rows.setdefault(name, []).append((float(rps), p50, p99, int(errors)))
print(f"{'case':<12} {'req/s (median)':>15} {'spread':>17} {'p50':>9} {'p99':>9} {'errors':>7} {'vs reference':>13}")
for spec in sys.argv[2:]:
    name, _, reference = spec.partition(":")
    runs = rows[name]
    rps = [run[0] for run in runs]
    middle = sorted(runs)[len(runs) // 2]
    ratio = ""
    if reference:
        ratios = [run[0] / against[0] for run, against in zip(runs, rows[reference])]
        ratio = f"{statistics.median(ratios) * 100:.0f}%"
    errors = sum(run[3] for run in runs)
    print(f"{name:<12} {statistics.median(rps):>15,.0f} {f'{min(rps):,.0f}-{max(rps):,.0f}':>17} {middle[1]:>9} {middle[2]:>9} {errors:>7} {ratio:>13}")
PY
}

# The 99th percentile of a `wrk --latency` report, in milliseconds.
p99_ms() { # report file
  awk '/^ +99%/ {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' "$1"
}

# Median and spread of millisecond figures.
median_ms() { # values...
  python3 -c 'import statistics, sys; v = [int(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.0f} ms (spread {min(v)}-{max(v)})")' "$@"
}
