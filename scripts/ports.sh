# ports.sh — sourced by the scripts that need a TCP port on 127.0.0.1.

# True if something answers on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port in 20000-59999 nobody answers on (callers retry on a lost race).
pick_port() {
	local p i
	for i in $(seq 1 50); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
		port_busy "$p" || { echo "$p"; return 0; }
	done
	echo "no free TCP port found on 127.0.0.1" >&2
	return 1
}
