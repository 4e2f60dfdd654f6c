# awk functions for the lines of a bench suite run (suite.jsonl, one flat JSON object a line),
# shared by scripts/bench.sh (the summary table) and scripts/plot.sh (the charts): each puts this
# text in front of its own program.

# f(key): the raw value of "key" on the current line (strings keep their quotes), "" if absent.
function f(key) {
  if (match($0, "\"" key "\":[^,}]*")) return substr($0, RSTART + length(key) + 3, RLENGTH - length(key) - 3)
  return ""
}

# median(list): the median of a space-separated list of numbers (insertion sort: lists are short).
function median(list,   a, n, i, j, t) {
  n = split(list, a, " ")
  for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
