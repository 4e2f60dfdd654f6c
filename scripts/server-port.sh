# Sourced by the benchmark scripts: waits for a server started with --port 0 to print the port it
# listens on.
#   server_port OUTPUT_FILE   prints the port, or fails after 5 s
server_port() {
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^Server listening on .*:\([0-9][0-9]*\)$/\1/p' "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.05
  done
  return 1
}
