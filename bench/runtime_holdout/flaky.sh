# usage: flaky.sh PYTHON PROG N  -> prints per-run findings (kind@line:function) for blocking-call
py=$1; prog=$2; n=$3
for i in $(seq $n); do
  $py -m asyncdoctor run -q --report "${TMPDIR:-/tmp}/asyncdoctor-flaky.json" $prog >/dev/null 2>&1
  python3 -c "
import json;d=json.load(open('${TMPDIR:-/tmp}/asyncdoctor-flaky.json'))
print(' '.join(f\"{f['kind']}@{f['location']['line']}:{f['location']['function']}({f['extra'].get('max_ms')})\" for f in d['findings']) or 'NONE', '| lag_max', d['metrics']['lag_max_ms'])"
done
