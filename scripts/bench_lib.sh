# Shared by the HTTP load scripts (sourced): starting servers and running wrk.
# Needs $work (a scratch folder, removed by the caller) and $CONNECTIONS, $DURATION.

start() { # start NAME CMD...: runs it, waits for its "http://ADDR" line, echoes ADDR
  # (runs in a subshell: the pid goes to a file for cleanup and stop)
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  echo $! >"$work/$name.pid"
  for _ in $(seq 300); do
    addr=$(grep -o 'http://[0-9.:]*' "$work/$name.out" | head -1 | sed 's#http://##') && [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "$name did not start" >&2; cat "$work/$name.err" >&2; exit 1; }
  echo "$addr"
}

run() { # run URL: prints "rps p99"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$1" >"$work/wrk.txt"
  rps=$(awk '/Requests\/sec:/ {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.txt")
  [ -z "$non2xx" ] || { echo "non-2xx answers from $1: $non2xx" >&2; exit 1; }
  echo "$rps $p99"
}

ratio() { python3 -c "print(f'{100*$1/$2:.0f} %')"; }
