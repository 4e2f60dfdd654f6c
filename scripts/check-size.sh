#!/usr/bin/env bash
# The size rules of docs/STYLE (issue 11): no source file under server/, common/ or client/ above
# MAX_LINES lines, no function above MAX_FUNC lines except a dispatch switch whose comment just
# above the definition says "dispatch". A definition is a statement with "(" that ends with "{"
# (its signature may wrap); it ends at the next "}" at the indentation the statement started at.
# Prints offenders; exits 1 if there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_LINES=${MAX_LINES:-450}
MAX_FUNC=${MAX_FUNC:-80}
status=0
for f in $(git ls-files 'server/*.cpp' 'server/*.h' 'common/*.cpp' 'common/*.h' 'client/*.cpp' 'client/*.h'); do
  n=$(wc -l <"$f")
  if [ "$n" -gt "$MAX_LINES" ]; then echo "$f: $n lines (max $MAX_LINES)"; status=1; fi
  awk -v max="$MAX_FUNC" -v file="$f" '
    function indent(s) { match(s, /^ */); return RLENGTH }
    # first: the first line of the statement the current line continues (a signature may wrap).
    stmt_done { first = NR; first_line = $0 }
    {
      stmt_done = ($0 ~ /[;{}] *$/ || $0 ~ /^ *$/ || $0 ~ /^ *(\/\/|#)/ || $0 ~ /^ *(public|private|protected):/)
    }
    start == 0 && /\{ *$/ && first_line ~ /\(/ && first_line !~ /^ *(if|for|while|switch|else|do|namespace|class|struct|enum|union)[ (]/ && first_line !~ /(=|return) / {
      start = first; ind = indent(first_line); name = first_line
      dispatch = (prev_comment ~ /dispatch/); next
    }
    start > 0 && indent($0) == ind && $0 ~ /^ *\}/ {
      len = NR - start + 1
      if (len > max && !dispatch) { printf "%s:%d: function of %d lines (max %d): %s\n", file, start, len, max, name; bad = 1 }
      start = 0
    }
    /^ *\/\// { prev_comment = $0 }
    !/^ *\/\// && start == 0 && !/\{ *$/ { prev_comment = "" }
    BEGIN { stmt_done = 1 }
    END { exit bad }' "$f" || status=1
done
exit $status
