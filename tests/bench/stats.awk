# Statistics over a list of numbers in a space-separated string, for the
# awk programs of tests/bench/kvm-virtio.sh (on the host) and
# kvm-virtio-guest.sh (busybox awk in the nested VM, as /bench-stats.awk):
# each puts this file's text before its own program.

# sorted(list, v): v[1..n] the numbers in ascending order; returns n.
function sorted(list, v,    n, i, j, t) {
	n = split(list, v, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n
}

# med(list): the median, or "n/a" for an empty list.
function med(list,    n, v) {
	n = sorted(list, v)
	if (n == 0) return "n/a"
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

# span(list, f): "min-max (how far apart, in %)" with each number in
# format f, or "n/a" for an empty list or a least number of 0 or less.
function span(list, f,    n, v) {
	n = sorted(list, v)
	if (n == 0 || v[1] <= 0) return "n/a"
	return sprintf(f "-" f " (%.0f%%)", v[1], v[n], (v[n] / v[1] - 1) * 100)
}
